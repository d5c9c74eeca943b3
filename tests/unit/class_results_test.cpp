// Classes in the results: confusion cells through shards, the merge and the reader; class names,
// training rows and the chance level in the merged file; the report's class section (text, JSON,
// CSV) naming the classes.
#include "outputs/class_results.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/report.hpp"
#include "outputs/report_classes.hpp"
#include "outputs/report_files.hpp"
#include "outputs/report_json.hpp"
#include "outputs/report_text.hpp"
#include "tests/hdf5/sample_units.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

class ClassResultsTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() / ("dnnsweep-classes-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        info_.data.classes = 3;
        info_.class_names = {"setosa", "versicolor", "virginica, \"v\""};  // a comma and quotes for the CSV
        info_.class_rows = {50, 30, 20};
        info_.chance = chance_of(info_.class_rows, spec_.thresholds.chance_factor);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    // Unit u with a validation matrix of its own (and a test one for odd units).
    UnitResult unit(std::uint64_t u) const {
        UnitResult r = testing::sample_unit(grid_, u, 1);
        const auto n = static_cast<std::int64_t>(u);
        r.val_confusion = {{0, 0, 10 + n}, {0, 1, 2}, {1, 1, 6}, {2, 0, 1 + n}, {2, 2, 3}};
        if (u % 2) r.test_confusion = {{1, 1, 4}, {2, 1, 1}};
        return r;
    }

    fs::path dir_;
    const SweepSpec spec_ = testing::sample_spec();
    const Grid grid_{spec_};
    RunInfo info_ = testing::sample_info();
};

TEST_F(ClassResultsTest, ConfusionCellsRoundTripThroughShardsAndTheMerge) {
    const std::string out = path("results.h5");
    std::vector<UnitResult> written;
    {
        ShardWriter w(shard_path(out, 1, info_.run_id), spec_, info_, 1);
        for (std::uint64_t u = 0; u < grid_.unit_count(); ++u) w.append(written.emplace_back(unit(u)));
    }
    const std::vector<UnitResult> shard = read_shard(shard_path(out, 1, info_.run_id));
    ASSERT_EQ(shard.size(), written.size());
    for (std::size_t i = 0; i < shard.size(); ++i) {
        EXPECT_EQ(shard[i].val_confusion, written[i].val_confusion);
        EXPECT_EQ(shard[i].test_confusion, written[i].test_confusion);
    }
    merge_results(out, spec_, grid_, info_);
    const Results r = read_results(out);
    ASSERT_EQ(r.units.size(), written.size());
    for (std::size_t i = 0; i < r.units.size(); ++i) {
        EXPECT_EQ(r.units[i].val_confusion, written[i].val_confusion);
        EXPECT_EQ(r.units[i].test_confusion, written[i].test_confusion);
    }
    EXPECT_EQ(r.info.class_names, info_.class_names);
    EXPECT_EQ(r.info.class_rows, info_.class_rows);
    EXPECT_TRUE(r.info.chance.majority);  // 50 of 100 >= 1.5 / 3
    EXPECT_DOUBLE_EQ(r.info.chance.level, 0.5);

    // The per-configuration tables: folds summed.
    const h5::File f = h5::File::open(out, h5::File::Access::ReadOnly);
    EXPECT_EQ(f.attr_string("chance_basis"), "majority");
    EXPECT_DOUBLE_EQ(f.attr_double("chance"), 0.5);
    const h5::Table acc = f.open_dataset("class_accuracy").read_all();
    ASSERT_EQ(acc.rows(), 3 * grid_.size());
    // Configuration 0 = units 0 and 1: class 0 has (10 + 2) + (11 + 2) rows, 21 right.
    EXPECT_EQ(acc.get<std::string>("name")[0], "setosa");
    EXPECT_EQ(acc.get<std::int64_t>("val_rows")[0], 25);
    EXPECT_DOUBLE_EQ(acc.get<double>("val_acc")[0], 21.0 / 25.0);
    EXPECT_EQ(acc.get<std::int64_t>("test_rows")[1], 4);  // unit 1's test set
    EXPECT_DOUBLE_EQ(acc.get<double>("test_acc")[2], 0.0);
    const h5::Table conf = f.open_dataset("config_confusion").read_all();
    std::int64_t config0_val = 0;
    for (std::size_t i = 0; i < conf.rows(); ++i)
        if (conf.get<std::uint64_t>("config")[i] == 0 && conf.get<std::string>("split")[i] == "val")
            config0_val += conf.get<std::int64_t>("count")[i];
    EXPECT_EQ(config0_val, 22 + 24);  // both folds' validation rows: 22 + 2u for unit u
    const h5::Table classes = f.open_dataset("classes").read_all();
    EXPECT_EQ(classes.get<std::string>("name"), info_.class_names);
}

TEST_F(ClassResultsTest, TheReportNamesTheClasses) {
    const std::string out = path("results.h5");
    {
        ShardWriter w(shard_path(out, 0, info_.run_id), spec_, info_, 0);
        for (std::uint64_t u = 0; u < grid_.unit_count(); ++u) w.append(unit(u));
    }
    merge_results(out, spec_, grid_, info_);
    const ReportSource src = load_report_source(out);

    std::ostringstream text;
    write_report_text(src, 2, text);
    const std::string t = text.str();
    const auto section =
        t.find("\nClasses: 3; chance 0.50 (the majority class's share: setosa, 50 of 100 training rows)");
    ASSERT_NE(section, std::string::npos) << t;
    EXPECT_NE(t.find("versicolor", section), std::string::npos);
    EXPECT_NE(t.find("Confusion matrix of #1 (validation, folds summed; rows: true class):", section),
              std::string::npos);
    EXPECT_NE(t.find("Per-class test accuracy", section), std::string::npos);

    std::ostringstream json;
    write_report_json(out, src, 2, json);
    const Json doc = Json::parse(json.str());
    EXPECT_EQ(doc["classes"]["names"][2], "virginica, \"v\"");
    EXPECT_EQ(doc["classes"]["chance_basis"], "majority");
    ASSERT_EQ(doc["classes"]["top"].size(), 2u);
    const Json& best = doc["classes"]["top"][0]["validation"];
    std::int64_t total = 0;
    for (const Json& row : best["confusion"])
        for (const Json& n : row) total += n.get<std::int64_t>();
    std::int64_t rows = 0;
    for (const Json& c : best["per_class"]) rows += c["rows"].get<std::int64_t>();
    EXPECT_EQ(total, rows);

    const std::string csv_dir = path("csv");
    write_csv_exports(csv_dir, src, leaderboard_order(src.results.configs));
    std::ifstream acc(csv_dir + "/class_accuracy.csv");
    std::stringstream a;
    a << acc.rdbuf();
    EXPECT_EQ(a.str().substr(0, a.str().find('\n')), "rank,config,class,name,val_rows,val_acc,test_rows,test_acc");
    EXPECT_NE(a.str().find(",2,\"virginica, \"\"v\"\"\","), std::string::npos) << a.str();
    std::ifstream conf(csv_dir + "/confusion.csv");
    std::stringstream c;
    c << conf.rdbuf();
    EXPECT_NE(c.str().find(",val,0,setosa,1,versicolor,"), std::string::npos) << c.str();
}

TEST_F(ClassResultsTest, WithoutNamesClassesAreTheirIndices) {
    RunInfo plain = testing::sample_info();
    EXPECT_EQ(class_labels(plain).size(), 10u);
    EXPECT_EQ(class_labels(plain)[7], "7");
    EXPECT_FALSE(run_chance(plain).majority);
    EXPECT_DOUBLE_EQ(run_chance(plain).level, 0.1);
    EXPECT_EQ(chance_text(plain), "chance 0.10 (1/10 classes)");
}

}  // namespace
}  // namespace dnnsweep
