#include "outputs/results_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <span>
#include <thread>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/configs.hpp"
#include "outputs/unit_status.hpp"
#include "sweeps/config_options.hpp"
#include "tests/hdf5/sample_units.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;
using testing::pruned_unit;
using testing::sample_info;
using testing::sample_spec;
using testing::sample_unit;

// A fresh directory per test, removed afterwards.
class ResultsStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() / ("dnnsweep-results-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
    const SweepSpec spec_ = sample_spec();
    const Grid grid_{spec_};
    const RunInfo info_ = sample_info();
};

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void expect_same(const UnitResult& a, const UnitResult& b) {
    SCOPED_TRACE("unit " + std::to_string(a.unit));
    EXPECT_EQ(a.unit, b.unit);
    EXPECT_EQ(a.config, b.config);
    EXPECT_EQ(a.fold, b.fold);
    EXPECT_EQ(a.unit_id, b.unit_id);
    EXPECT_EQ(a.config_id, b.config_id);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.error, b.error);
    for (const auto field :
         {&UnitResult::train_acc, &UnitResult::train_loss, &UnitResult::val_acc, &UnitResult::val_loss,
          &UnitResult::test_acc, &UnitResult::test_loss, &UnitResult::seconds, &UnitResult::finished_at})
        EXPECT_TRUE(same(a.*field, b.*field)) << a.*field << " vs " << b.*field;
    EXPECT_EQ(a.epochs, b.epochs);
    EXPECT_EQ(a.best_epoch, b.best_epoch);
    EXPECT_EQ(a.diverged_epoch, b.diverged_epoch);
    EXPECT_EQ(a.steps, b.steps);
    EXPECT_EQ(a.rank, b.rank);
    EXPECT_EQ(a.host, b.host);
    ASSERT_EQ(a.history.size(), b.history.size());
    for (std::size_t e = 0; e < a.history.size(); ++e) {
        const EpochMetrics &x = a.history[e], &y = b.history[e];
        EXPECT_EQ(x.epoch, y.epoch);
        EXPECT_EQ(x.train_loss, y.train_loss);
        EXPECT_EQ(x.train_acc, y.train_acc);
        EXPECT_EQ(x.val_loss, y.val_loss);
        EXPECT_EQ(x.val_acc, y.val_acc);
        EXPECT_EQ(x.seconds, y.seconds);
        EXPECT_EQ(x.health.dead_relu, y.health.dead_relu);
        EXPECT_EQ(x.health.saturated, y.health.saturated);
        EXPECT_EQ(x.health.max_abs_input, y.health.max_abs_input);
        EXPECT_EQ(x.health.grad_norm, y.health.grad_norm);
    }
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (const double x : v) s += x;
    return s / static_cast<double>(v.size());
}

double pstd(const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (const double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size()));
}

TEST_F(ResultsStoreTest, ShardPathsLiveInThePartsFolder) {
    EXPECT_EQ(parts_dir("/x/results.h5"), "/x/results.h5.parts");
    EXPECT_EQ(shard_path("/x/results.h5", 3, "run7"), "/x/results.h5.parts/rank-3-run7.h5");
}

TEST_F(ResultsStoreTest, ShardReadsBackWhatWasWritten) {
    const std::string shard = shard_path(path("results.h5"), 1, info_.run_id);
    std::vector<UnitResult> written = {sample_unit(grid_, 0, 1), sample_unit(grid_, 5, 1, UnitStatus::Failed),
                                       sample_unit(grid_, 3, 1, UnitStatus::Diverged)};
    {
        ShardWriter w(shard, spec_, info_, 1);
        EXPECT_EQ(w.path(), shard);
        for (const UnitResult& u : written) w.append(u);
        // Readable while the writer still has it open (SWMR).
        EXPECT_EQ(read_shard(shard).size(), written.size());
    }
    const std::vector<UnitResult> read = read_shard(shard);
    ASSERT_EQ(read.size(), written.size());
    for (std::size_t i = 0; i < read.size(); ++i) expect_same(read[i], written[i]);
    EXPECT_GT(read[1].error.size(), 256u);  // spans several `errors` pieces, cut between characters
}

TEST_F(ResultsStoreTest, ShardWithoutSyncReadsBackTheSame) {
    // --no-sync leaves out the fsync only: the records and their order are the same.
    const std::string shard = shard_path(path("results.h5"), 2, info_.run_id);
    const std::vector<UnitResult> written = {sample_unit(grid_, 0, 2), sample_unit(grid_, 5, 2, UnitStatus::Failed)};
    {
        ShardWriter w(shard, spec_, info_, 2, /*sync=*/false);
        for (const UnitResult& u : written) w.append(u);
    }
    const std::vector<UnitResult> read = read_shard(shard);
    ASSERT_EQ(read.size(), written.size());
    for (std::size_t i = 0; i < read.size(); ++i) expect_same(read[i], written[i]);
}

TEST_F(ResultsStoreTest, ABatchAppendReadsBackAsAppendsOneByOne) {
    // Group commit: several units in one append (one flush per table, one sync) are the same records,
    // in the same order, as the units appended one at a time; a failed unit's long error in the
    // middle of a batch stays with its own unit.
    const std::vector<UnitResult> written = {
        sample_unit(grid_, 2, 1), sample_unit(grid_, 0, 1), sample_unit(grid_, 5, 1, UnitStatus::Failed),
        sample_unit(grid_, 3, 1, UnitStatus::Diverged), pruned_unit(grid_, 1, 1, 2)};
    const std::string batched = shard_path(path("batched.h5"), 1, info_.run_id);
    const std::string single = shard_path(path("single.h5"), 1, info_.run_id);
    {
        ShardWriter b(batched, spec_, info_, 1);
        b.append(std::span(written).first(1));
        b.append(std::span(written).subspan(1));
        b.append(std::span<const UnitResult>());  // nothing: no records, no error
        ShardWriter s(single, spec_, info_, 1);
        for (const UnitResult& u : written) s.append(u);
    }
    const std::vector<UnitResult> from_batches = read_shard(batched), one_by_one = read_shard(single);
    ASSERT_EQ(from_batches.size(), written.size());
    ASSERT_EQ(one_by_one.size(), written.size());
    for (std::size_t i = 0; i < written.size(); ++i) {
        expect_same(from_batches[i], written[i]);
        expect_same(from_batches[i], one_by_one[i]);
    }
}

TEST_F(ResultsStoreTest, AShardIsNeverOverwritten) {
    const std::string shard = shard_path(path("results.h5"), 0, info_.run_id);
    { ShardWriter w(shard, spec_, info_, 0); }
    try {
        ShardWriter again(shard, spec_, info_, 0);
        FAIL() << "expected a ResultsError";
    } catch (const ResultsError& e) {
        EXPECT_NE(std::string(e.what()).find(shard), std::string::npos) << e.what();
    }
}

TEST_F(ResultsStoreTest, ErrorsNameTheFileAndHdf5sReason) {
    const std::string missing = path("missing.h5");
    try {
        (void)read_results(missing);
        FAIL() << "expected a ResultsError";
    } catch (const ResultsError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(missing), std::string::npos) << what;
        EXPECT_NE(what.find("No such file"), std::string::npos) << what;  // from the HDF5 error stack
    }
}

TEST_F(ResultsStoreTest, MergeDedupesAndSummarises) {
    const std::string out = path("results.h5");
    {
        ShardWriter a(shard_path(out, 1, "runA"), spec_, info_, 1);
        a.append(sample_unit(grid_, 0, 1));
        a.append(sample_unit(grid_, 1, 1));
        a.append(sample_unit(grid_, 2, 1, UnitStatus::Failed));
        a.append(sample_unit(grid_, 4, 1));
        ShardWriter b(shard_path(out, 2, "runA"), spec_, info_, 2);
        b.append(sample_unit(grid_, 2, 2, UnitStatus::Ok, 0.01));  // the retry that worked replaces the failure
        b.append(sample_unit(grid_, 0, 2, UnitStatus::Ok, 0.02));  // a second complete record: the first stays
        b.append(sample_unit(grid_, 5, 2, UnitStatus::Failed));
        b.append(sample_unit(grid_, 6, 2, UnitStatus::Stopped));  // abandoned: recorded, counts for nothing
    }
    merge_results(out, spec_, grid_, info_);
    EXPECT_TRUE(fs::exists(shard_path(out, 1, "runA")));  // the caller decides about shards
    EXPECT_FALSE(fs::exists(out + ".tmp-" + std::to_string(::getpid())));

    const Results r = read_results(out);
    EXPECT_EQ(r.spec_text, spec_.text);
    EXPECT_EQ(r.spec_hash, spec_.hash);
    EXPECT_EQ(r.info.run_id, info_.run_id);
    EXPECT_EQ(r.info.version, info_.version);
    EXPECT_EQ(r.info.hosts, info_.hosts);
    EXPECT_EQ(r.info.ranks, info_.ranks);
    EXPECT_EQ(r.info.started_at, info_.started_at);
    EXPECT_EQ(r.info.finished_at, info_.finished_at);
    EXPECT_EQ(r.info.data.samples, info_.data.samples);
    EXPECT_EQ(r.info.data.features, info_.data.features);
    EXPECT_EQ(r.info.data.classes, info_.data.classes);
    EXPECT_EQ(r.info.data_source, info_.data_source);

    const std::vector<UnitResult> expected = {sample_unit(grid_, 0, 1),
                                              sample_unit(grid_, 1, 1),
                                              sample_unit(grid_, 2, 2, UnitStatus::Ok, 0.01),
                                              sample_unit(grid_, 4, 1),
                                              sample_unit(grid_, 5, 2, UnitStatus::Failed),
                                              sample_unit(grid_, 6, 2, UnitStatus::Stopped)};
    ASSERT_EQ(r.units.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) expect_same(r.units[i], expected[i]);

    // Configurations 0 (units 0, 1), 1 (2), 2 (4, 5 failed); 3 has only a stopped unit: no row.
    ASSERT_EQ(r.configs.size(), 3u);
    const ConfigSummary& c0 = r.configs[0];
    EXPECT_EQ(c0.config, 0u);
    EXPECT_EQ(c0.config_id, grid_.config_id(0));
    EXPECT_EQ(describe_config(c0.settings), describe_config(grid_.config(0)));
    EXPECT_EQ(c0.folds_done, 2);
    EXPECT_EQ(c0.folds_failed, 0);
    const std::vector<double> ta = {expected[0].train_acc, expected[1].train_acc};
    const std::vector<double> va = {expected[0].val_acc, expected[1].val_acc};
    const std::vector<double> tl = {expected[0].train_loss, expected[1].train_loss};
    const std::vector<double> vl = {expected[0].val_loss, expected[1].val_loss};
    EXPECT_DOUBLE_EQ(c0.mean_train_acc, mean(ta));
    EXPECT_DOUBLE_EQ(c0.std_train_acc, pstd(ta));
    EXPECT_DOUBLE_EQ(c0.std_train_acc, std::abs(ta[0] - ta[1]) / 2);  // population std of two values
    EXPECT_DOUBLE_EQ(c0.mean_val_acc, mean(va));
    EXPECT_DOUBLE_EQ(c0.std_val_acc, pstd(va));
    EXPECT_DOUBLE_EQ(c0.mean_train_loss, mean(tl));
    EXPECT_DOUBLE_EQ(c0.std_train_loss, pstd(tl));
    EXPECT_DOUBLE_EQ(c0.mean_val_loss, mean(vl));
    EXPECT_DOUBLE_EQ(c0.std_val_loss, pstd(vl));
    EXPECT_TRUE(std::isnan(c0.mean_test_acc));
    EXPECT_DOUBLE_EQ(c0.seconds, expected[0].seconds + expected[1].seconds);
    EXPECT_NEAR(c0.bias, 1.0 - mean(ta), 1e-12);
    EXPECT_FALSE(c0.reason.empty());
    EXPECT_FALSE(c0.reason.empty());

    const ConfigSummary& c1 = r.configs[1];
    EXPECT_EQ(c1.folds_done, 1);
    EXPECT_DOUBLE_EQ(c1.mean_val_acc, expected[2].val_acc);
    EXPECT_EQ(c1.std_val_acc, 0.0);
    const ConfigSummary& c2 = r.configs[2];
    EXPECT_EQ(c2.folds_done, 1);
    EXPECT_EQ(c2.folds_failed, 1);
    EXPECT_DOUBLE_EQ(c2.mean_train_acc, expected[3].train_acc);  // the failed fold is not averaged
    EXPECT_EQ(describe_config(c2.settings), describe_config(grid_.config(2)));

    // Merging again reads the merged file too: nothing is recorded twice.
    {
        ShardWriter c(shard_path(out, 0, "runB"), spec_, info_, 0);
        c.append(sample_unit(grid_, 7, 0));
        c.append(sample_unit(grid_, 1, 0, UnitStatus::Ok, 0.05));
    }
    merge_results(out, spec_, grid_, info_);
    const Results again = read_results(out);
    ASSERT_EQ(again.units.size(), expected.size() + 1);
    expect_same(again.units[1], expected[1]);  // the earlier record of unit 1 wins
    EXPECT_EQ(again.units.back().unit, 7u);
}

TEST_F(ResultsStoreTest, ConfigsColumnsAreTypedByTheOptionTable) {
    const std::string out = path("results.h5");
    {
        ShardWriter w(shard_path(out, 0, "r"), spec_, info_, 0);
        for (std::uint64_t u = 0; u < grid_.unit_count(); ++u) w.append(sample_unit(grid_, u, 0));
    }
    merge_results(out, spec_, grid_, info_);
    const h5::File f = h5::File::open(out, h5::File::Access::ReadOnly);
    const h5::Table configs = f.open_dataset("configs").read_all();
    EXPECT_EQ(configs.rows(), grid_.size());
    for (const ConfigOption& opt : config_options()) EXPECT_TRUE(configs.has(opt.name)) << opt.name;
    EXPECT_EQ(configs.get<std::int64_t>("layers"), (std::vector<std::int64_t>{1, 1, 2, 2}));
    EXPECT_EQ(configs.get<std::string>("batch-size"), (std::vector<std::string>{"10", "full", "10", "full"}));
    EXPECT_EQ(configs.get<std::string>("activation").front(), "relu");
    EXPECT_EQ(configs.get<bool>("nesterov").front(), false);
    EXPECT_EQ(configs.get<double>("learning-rate").front(), grid_.config(0).effective_learning_rate());
    EXPECT_EQ(configs.column("mean_val_acc").data.index(), h5::ColumnData(std::vector<double>{}).index());
    EXPECT_EQ(f.attr_uint("units_total"), grid_.unit_count());
    EXPECT_EQ(f.attr_uint("units_done"), grid_.unit_count());
    EXPECT_EQ(f.open_dataset("folds").attr_string("seconds"), "s");
}

TEST_F(ResultsStoreTest, MergeOfNothingYetIsAValidEmptyFile) {
    const std::string out = path("results.h5");
    RunInfo info = info_;
    info.hosts.clear();
    merge_results(out, spec_, grid_, info);  // no parts folder, no previous file
    const Results r = read_results(out);
    EXPECT_TRUE(r.units.empty());
    EXPECT_TRUE(r.configs.empty());
    EXPECT_TRUE(r.info.hosts.empty());
    EXPECT_EQ(r.spec_text, spec_.text);
}

TEST_F(ResultsStoreTest, MergeRefusesAnotherSpecsShardAndLeavesTheFile) {
    const std::string out = path("results.h5");
    {
        ShardWriter w(shard_path(out, 0, "r"), spec_, info_, 0);
        w.append(sample_unit(grid_, 0, 0));
    }
    merge_results(out, spec_, grid_, info_);
    const auto before = fs::last_write_time(out);
    SweepSpec other = spec_;
    other.hash = "0123456789abcdef";
    {
        ShardWriter w(shard_path(out, 1, "s"), other, info_, 1);
        w.append(sample_unit(grid_, 1, 1));
    }
    EXPECT_THROW(merge_results(out, spec_, grid_, info_), ResultsError);
    EXPECT_EQ(fs::last_write_time(out), before);
    EXPECT_EQ(read_results(out).units.size(), 1u);
}

TEST(UnitStatus, FinalBeatsFailedBeatsStopped) {
    using namespace unit_status;
    for (const UnitStatus s : {UnitStatus::Ok, UnitStatus::Diverged, UnitStatus::Pruned}) {
        EXPECT_TRUE(is_final(s)) << name(s);
        EXPECT_TRUE(is_done(s)) << name(s);
        EXPECT_GT(completeness(s), completeness(UnitStatus::Failed)) << name(s);
        EXPECT_EQ(completeness(s), completeness(UnitStatus::Ok)) << name(s);  // between finals: the first record stays
    }
    EXPECT_FALSE(is_final(UnitStatus::Failed));
    EXPECT_TRUE(is_done(UnitStatus::Failed));
    EXPECT_GT(completeness(UnitStatus::Failed), completeness(UnitStatus::Stopped));
    EXPECT_FALSE(is_final(UnitStatus::Stopped));
    EXPECT_FALSE(is_done(UnitStatus::Stopped));
}

// Records of one unit in several shards: a pruned record is final like ok, so it replaces a failed
// or stopped one and is not replaced by a later ok one (pruned units are never rerun).
TEST_F(ResultsStoreTest, MergeKeepsAPrunedRecordAsFinal) {
    const std::string out = path("results.h5");
    {
        ShardWriter a(shard_path(out, 1, "runA"), spec_, info_, 1);
        a.append(sample_unit(grid_, 0, 1, UnitStatus::Failed));
        a.append(pruned_unit(grid_, 1, 1, 2));
        a.append(sample_unit(grid_, 2, 1, UnitStatus::Stopped));
        a.append(pruned_unit(grid_, 3, 1, 0));
        ShardWriter b(shard_path(out, 2, "runA"), spec_, info_, 2);
        b.append(pruned_unit(grid_, 0, 2, 1));               // replaces the failure
        b.append(sample_unit(grid_, 1, 2, UnitStatus::Ok));  // final and longer: replaces it (a halving promotion)
        b.append(pruned_unit(grid_, 2, 2, 3));               // replaces the abandoned run
        b.append(sample_unit(grid_, 3, 2, UnitStatus::Stopped));
    }
    merge_results(out, spec_, grid_, info_);
    const Results r = read_results(out);
    ASSERT_EQ(r.units.size(), 4u);
    expect_same(r.units[0], pruned_unit(grid_, 0, 2, 1));
    expect_same(r.units[1], sample_unit(grid_, 1, 2, UnitStatus::Ok));
    expect_same(r.units[2], pruned_unit(grid_, 2, 2, 3));
    expect_same(r.units[3], pruned_unit(grid_, 3, 1, 0));
    EXPECT_TRUE(r.units[3].history.empty());
    EXPECT_TRUE(std::isnan(r.units[3].train_acc));
    const h5::File f = h5::File::open(out, h5::File::Access::ReadOnly);
    EXPECT_EQ(f.attr_uint("units_done"), 4u);  // pruned units are done
}

// The `configs` summary of pruned folds: counted, averaged when they trained, diagnosed, and their
// epochs accounted for; through the merged file and back.
// Successive halving records a unit at each rung: the longest final record is its result; between
// records of equal length the first stays.
TEST(UnitStatus, LongerFinalRecordReplaces) {
    EXPECT_TRUE(unit_status::replaces(UnitStatus::Pruned, 3, UnitStatus::Pruned, 1));
    EXPECT_TRUE(unit_status::replaces(UnitStatus::Ok, 9, UnitStatus::Pruned, 3));
    EXPECT_FALSE(unit_status::replaces(UnitStatus::Pruned, 1, UnitStatus::Pruned, 3));
    EXPECT_FALSE(unit_status::replaces(UnitStatus::Ok, 9, UnitStatus::Ok, 9));
    EXPECT_FALSE(unit_status::replaces(UnitStatus::Failed, 9, UnitStatus::Pruned,
                                       1));  // final beats failed, whatever its length
    EXPECT_TRUE(unit_status::replaces(UnitStatus::Pruned, 0, UnitStatus::Failed, 5));
    EXPECT_FALSE(
        unit_status::replaces(UnitStatus::Failed, 5, UnitStatus::Failed, 0));  // longer only matters between finals
    // Promoted, early-stopped exactly where it had been paused: the ok record is its result.
    EXPECT_TRUE(unit_status::replaces(UnitStatus::Ok, 3, UnitStatus::Pruned, 3));
    EXPECT_FALSE(unit_status::replaces(UnitStatus::Pruned, 3, UnitStatus::Ok, 3));
}

TEST_F(ResultsStoreTest, SummaryOfPrunedConfigurations) {
    const std::string out = path("results.h5");
    const int planned = grid_.config(0).epochs;  // 3, every configuration
    ASSERT_EQ(planned, 3);
    const std::vector<UnitResult> units = {
        pruned_unit(grid_, 0, 1, 2),  // config 0: pruned at chance after 2 epochs...
        pruned_unit(grid_, 1, 1, 0),  // ...its sibling never started
        sample_unit(grid_, 2, 1),     // config 1: one fold trained, one pruned at chance
        pruned_unit(grid_, 3, 1, 1),       sample_unit(grid_, 4, 1),     // config 2: one pruned above chance (halving)
        pruned_unit(grid_, 5, 1, 2, 0.70), pruned_unit(grid_, 6, 1, 0),  // config 3: only a never-started fold so far
    };
    {
        ShardWriter w(shard_path(out, 1, "r"), spec_, info_, 1);
        for (const UnitResult& u : units) w.append(u);
    }
    merge_results(out, spec_, grid_, info_);
    const Results r = read_results(out);
    ASSERT_EQ(r.configs.size(), 4u);

    const ConfigSummary& c0 = r.configs[0];
    EXPECT_EQ(c0.folds_done, 0);
    EXPECT_EQ(c0.folds_failed, 0);
    EXPECT_EQ(c0.folds_pruned, 2);
    EXPECT_DOUBLE_EQ(c0.mean_train_acc, units[0].train_acc);  // the fold that trained, alone
    EXPECT_EQ(c0.std_train_acc, 0.0);
    EXPECT_DOUBLE_EQ(c0.mean_val_loss, units[0].val_loss);
    EXPECT_EQ(c0.epochs_trained, 2);
    EXPECT_EQ(c0.epochs_planned, 2 * planned);
    EXPECT_EQ(c0.epochs_saved, (planned - 2) + planned);
    EXPECT_EQ(c0.verdict, Verdict::NotTraining);
    EXPECT_EQ(c0.causes, std::vector<Cause>{Cause::VanishingGradient});  // from the pruned epochs' gradient norms
    EXPECT_EQ(c0.reason.rfind("pruned at chance after 2 epochs (training accuracy 0.11, chance 0.10, in 1 of 2 "
                              "folds; 1 not started)",
                              0),
              0u)
        << c0.reason;
    EXPECT_NEAR(c0.bias, 1.0 - units[0].train_acc, 1e-12);
    EXPECT_DOUBLE_EQ(c0.seconds, units[0].seconds + units[1].seconds);

    const ConfigSummary& c1 = r.configs[1];
    EXPECT_EQ(c1.folds_done, 1);
    EXPECT_EQ(c1.folds_pruned, 1);
    EXPECT_DOUBLE_EQ(c1.mean_val_acc, mean({units[2].val_acc, units[3].val_acc}));
    EXPECT_DOUBLE_EQ(c1.std_val_acc, pstd({units[2].val_acc, units[3].val_acc}));
    EXPECT_EQ(c1.epochs_trained, planned + 1);
    EXPECT_EQ(c1.epochs_saved, planned - 1);
    EXPECT_EQ(c1.verdict, Verdict::NotTraining);
    EXPECT_NE(c1.reason.find("pruned at chance after 1 epoch "), std::string::npos) << c1.reason;

    const ConfigSummary& c2 = r.configs[2];
    EXPECT_EQ(c2.folds_pruned, 1);
    EXPECT_DOUBLE_EQ(c2.mean_train_acc, mean({units[4].train_acc, units[5].train_acc}));
    EXPECT_NE(c2.verdict, Verdict::NotTraining);
    EXPECT_NE(c2.reason.find("[1 of 2 folds pruned after 2 epochs"), std::string::npos) << c2.reason;
    EXPECT_EQ(c2.epochs_saved, 1);

    const ConfigSummary& c3 = r.configs[3];
    EXPECT_EQ(c3.folds_pruned, 1);
    EXPECT_EQ(c3.folds_done, 0);
    EXPECT_TRUE(std::isnan(c3.mean_val_acc));
    EXPECT_TRUE(std::isnan(c3.bias));
    EXPECT_EQ(c3.verdict, Verdict::NotTraining);
    EXPECT_EQ(c3.reason.rfind("pruned: the only fold was not started", 0), 0u) << c3.reason;
    EXPECT_EQ(c3.epochs_trained, 0);
    EXPECT_EQ(c3.epochs_planned, planned);
    EXPECT_EQ(c3.epochs_saved, planned);

    // The summary the merge wrote is the one computed from the units.
    const std::vector<ConfigSummary> direct = detail::summarize(r.units, spec_, grid_, info_.data.classes);
    ASSERT_EQ(direct.size(), r.configs.size());
    for (std::size_t i = 0; i < direct.size(); ++i) {
        EXPECT_EQ(direct[i].folds_pruned, r.configs[i].folds_pruned);
        EXPECT_EQ(direct[i].epochs_trained, r.configs[i].epochs_trained);
        EXPECT_EQ(direct[i].epochs_planned, r.configs[i].epochs_planned);
        EXPECT_EQ(direct[i].epochs_saved, r.configs[i].epochs_saved);
        EXPECT_EQ(direct[i].reason, r.configs[i].reason);
    }
    const h5::File f = h5::File::open(out, h5::File::Access::ReadOnly);
    const h5::Table t = f.open_dataset("configs").read_all();
    EXPECT_EQ(t.get<std::int32_t>("folds_pruned"), (std::vector<std::int32_t>{2, 1, 1, 1}));
    EXPECT_EQ(t.get<std::int64_t>("epochs_saved"), (std::vector<std::int64_t>{4, 2, 1, 3}));
}

// A writer killed with SIGKILL at random moments: the shard still reads (SWMR), with only complete
// units, and merges into a file that opens plainly.
TEST_F(ResultsStoreTest, ShardOfAKilledWriterReadsItsCompleteUnits) {
    std::mt19937 rng(12345);
    for (int trial = 0; trial < 5; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        const std::string out = path("killed-" + std::to_string(trial) + ".h5");
        const std::string shard = shard_path(out, 1, "k");
        const pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            try {
                ShardWriter w(shard, spec_, info_, 1);
                for (std::uint64_t i = 0;; ++i) {
                    const std::uint64_t u = i % grid_.unit_count();
                    w.append(sample_unit(grid_, u, 1, u == 5 ? UnitStatus::Failed : UnitStatus::Ok));
                }
            } catch (...) {
                _exit(3);
            }
        }
        // Let it write a few units (read concurrently, as `dnnsweep status` would), then a random
        // moment more before the kill.
        std::size_t seen = 0;
        for (int tries = 0; tries < 2000 && seen < 3; ++tries) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            try {
                seen = read_shard(shard).size();
            } catch (const ResultsError&) {
                // not created yet, or not yet in SWMR mode
            }
        }
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng)));
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "the writer exited by itself with " << WEXITSTATUS(status);
        ASSERT_GE(seen, 3u);

        const std::vector<UnitResult> units = read_shard(shard);
        ASSERT_GE(units.size(), seen);
        for (std::size_t i = 0; i < units.size(); ++i) {
            const UnitResult& u = units[i];
            expect_same(
                u, sample_unit(grid_, i % grid_.unit_count(), 1, u.unit == 5 ? UnitStatus::Failed : UnitStatus::Ok));
        }
        // A killed SWMR writer leaves the "open for write" mark: only SWMR readers get in.
        EXPECT_THROW(h5::File::open(shard, h5::File::Access::ReadOnly), ResultsError);

        merge_results(out, spec_, grid_, info_);
        const Results r = read_results(out);  // a plain open
        EXPECT_EQ(r.units.size(), std::min<std::size_t>(units.size(), grid_.unit_count()));
    }
}

}  // namespace
}  // namespace dnnsweep
