#include "outputs/repairs.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/chance.hpp"
#include "outputs/configs.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/repair_phase.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

SweepSpec parse(const std::string& text) { return parse_spec(text, "r.ini"); }

const std::string kCommon = "folds = 2\nlayers = 1\nwidth = 8\nepochs = 2\noptimizer = sgd\nrepair = true\n";

// A recorded fold with the given accuracies (10 classes: chance 0.1, not training below 0.15).
UnitResult fold(const Grid& grid, std::uint64_t config, int f, double train_acc, double val_acc) {
    UnitResult u = unit_record(grid, config * static_cast<std::uint64_t>(grid.folds()) + f, 1, "h");
    u.status = UnitStatus::Ok;
    u.train_acc = train_acc;
    u.val_acc = val_acc;
    u.train_loss = u.val_loss = 1.0;
    u.epochs = 2;
    return u;
}

// Every fold of every configuration of the spec's grid with the accuracies `acc(config)` gives.
std::vector<UnitResult> grid_units(const Grid& grid, const std::vector<std::pair<double, double>>& acc) {
    std::vector<UnitResult> units;
    for (std::uint64_t c = 0; c < grid.spec_size(); ++c)
        for (int f = 0; f < grid.folds(); ++f) units.push_back(fold(grid, c, f, acc[c].first, acc[c].second));
    return units;
}

ConfigSummary summary(const TrainConfig& settings, Verdict verdict, std::vector<Cause> causes = {}) {
    ConfigSummary s;
    s.settings = settings;
    s.config_id = config_id(settings);
    s.verdict = verdict;
    s.causes = std::move(causes);
    return s;
}

TEST(RepairFix, TheVerdictsFirstCausesFixOrNone) {
    TrainConfig c;
    c.loss = Loss::Mse;
    c.optimizer = Optimizer::Sgd;
    const auto mse = repair_fix(summary(c, Verdict::NotTraining, {Cause::MseSoftmax, Cause::VanishingGradient}));
    ASSERT_TRUE(mse);
    EXPECT_EQ(mse->change(), "loss mse -> crossentropy");
    EXPECT_EQ(mse->repaired.loss, Loss::CrossEntropy);
    EXPECT_EQ(config_id(mse->repaired), config_id([&] {
                  TrainConfig r = c;
                  r.loss = Loss::CrossEntropy;
                  return r;
              }()));
    // `unknown` has no one-key fix: nothing to repair.
    EXPECT_FALSE(repair_fix(summary(c, Verdict::NotTraining, {Cause::Unknown})));
    // Underfitting without a cause: adam; with one: that cause's fix.
    const auto under = repair_fix(summary(c, Verdict::Underfitting));
    ASSERT_TRUE(under);
    EXPECT_EQ(under->key, "optimizer");
    const auto slow = repair_fix(summary(c, Verdict::Underfitting, {Cause::StillImproving}));
    ASSERT_TRUE(slow);
    EXPECT_EQ(slow->change(), "epochs 20 -> 40");
    // Overfitting: dropout first; with every regulariser on, "more data" changes no key.
    const auto over = repair_fix(summary(c, Verdict::Overfitting));
    ASSERT_TRUE(over);
    EXPECT_EQ(over->change(), "dropout 0 -> 0.5");
    TrainConfig regularised = c;
    regularised.dropout = 0.5;
    regularised.weight_decay = 1e-4;
    regularised.patience = 5;
    EXPECT_FALSE(repair_fix(summary(regularised, Verdict::Overfitting)));
    EXPECT_FALSE(repair_fix(summary(c, Verdict::Good)));
    EXPECT_FALSE(repair_fix(summary(c, Verdict::Failed)));
}

TEST(RepairFix, BetterVerdictOrder) {
    EXPECT_TRUE(better_verdict(Verdict::Underfitting, Verdict::NotTraining));
    EXPECT_TRUE(better_verdict(Verdict::Good, Verdict::Overfitting));
    EXPECT_TRUE(better_verdict(Verdict::NotTraining, Verdict::Failed));
    EXPECT_FALSE(better_verdict(Verdict::Overfitting, Verdict::Underfitting));
    EXPECT_FALSE(better_verdict(Verdict::NotTraining, Verdict::NotTraining));
    EXPECT_FALSE(better_verdict(Verdict::NotTraining, Verdict::Good));
}

TEST(Repairs, ARepairAlreadyInTheGridIsLinkedNotAdded) {
    const SweepSpec spec = parse(kCommon + "loss = mse, crossentropy\n");
    Grid grid(spec);
    ASSERT_EQ(grid.config(0).loss, Loss::Mse);
    std::vector<UnitResult> units = grid_units(grid, {{0.1, 0.1}, {0.95, 0.94}});
    const std::vector<Repair> repairs = place_repairs(units, spec, grid, uniform_chance(10), "r.h5");
    ASSERT_EQ(repairs.size(), 1u);
    EXPECT_EQ(repairs[0].parent, 0u);
    EXPECT_EQ(repairs[0].fix.key, "loss");
    EXPECT_EQ(repairs[0].repaired_id, grid.config_id(1));
    EXPECT_EQ(grid.size(), 2u);  // nothing new to train

    std::vector<ConfigSummary> configs = detail::summarize(units, spec, grid, uniform_chance(10));
    link_repairs(configs, repairs);
    EXPECT_EQ(configs[0].repair_of, "");
    EXPECT_EQ(configs[1].repair_of, grid.config_id(0));
    const std::vector<RepairOutcome> outcomes = repair_outcomes(configs, grid.spec_size());
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].better);
    EXPECT_EQ(repair_line(outcomes[0]),
              grid.config_id(0) + ": loss mse -> crossentropy: validation 0.10 -> 0.94, good");
}

TEST(Repairs, NewRepairsFollowTheGridInParentOrderAndTheirUnitsFindThemById) {
    const SweepSpec spec = parse(kCommon + "loss = mse\n[a]\nlearning-rate = 0.1, 0.2\n[b]\nlearning-rate = 0.3\n");
    Grid grid(spec);
    ASSERT_EQ(grid.spec_size(), 3u);
    std::vector<UnitResult> units = grid_units(grid, {{0.1, 0.1}, {0.95, 0.94}, {0.1, 0.1}});
    // A record of config 2's repair from a run whose repairs were numbered otherwise, and one of a
    // repair no longer derived (config 1 is good now).
    TrainConfig second = grid.config(2);
    second.loss = Loss::CrossEntropy;
    TrainConfig stale = grid.config(1);
    stale.loss = Loss::CrossEntropy;
    Grid other = grid;
    other.add_repairs({stale, second}, {"a", "b"});
    units.push_back(fold(other, 4, 1, 0.9, 0.9));
    units.push_back(fold(other, 3, 0, 0.9, 0.9));

    const std::vector<Repair> repairs = place_repairs(units, spec, grid, uniform_chance(10), "r.h5");
    ASSERT_EQ(repairs.size(), 2u);
    EXPECT_EQ(repairs[0].parent, 0u);
    EXPECT_EQ(repairs[1].parent, 2u);
    ASSERT_EQ(grid.size(), 5u);
    EXPECT_TRUE(grid.is_repair(3));
    EXPECT_EQ(grid.config_id(3), repairs[0].repaired_id);
    EXPECT_EQ(grid.config_id(4), config_id(second));
    EXPECT_EQ(grid.section_name(3), "a");
    EXPECT_EQ(grid.section_name(4), "b");
    EXPECT_EQ(grid.config(4).loss, Loss::CrossEntropy);
    EXPECT_DOUBLE_EQ(grid.config(4).effective_learning_rate(), 0.3);
    // The stale record is dropped; the other now sits at its repair's index.
    ASSERT_EQ(units.size(), 7u);
    EXPECT_EQ(units.back().config, 4u);
    EXPECT_EQ(units.back().unit, 9u);
    EXPECT_EQ(units.back().config_id, grid.config_id(4));

    // The first round repairs the grid's own configurations only.
    std::vector<ConfigSummary> configs = detail::summarize(units, spec, grid, uniform_chance(10));
    ConfigSummary failing_repair = configs.back();
    failing_repair.verdict = Verdict::Underfitting;
    EXPECT_TRUE(derive_repairs({failing_repair}, grid).empty());
}

// mse with dropout 0.7 underfits: crossentropy first (mse_softmax); the repair still underfits,
// under the dropout (over_regularised), so once the first round is recorded it gets a repair of its own.
TEST(Repairs, ASecondRoundRepairsARepairThatReachedNoBetterVerdict) {
    const SweepSpec spec = parse(kCommon + "loss = mse\ndropout = 0.7\n");
    Grid grid(spec);
    ASSERT_EQ(grid.spec_size(), 1u);
    std::vector<UnitResult> units = grid_units(grid, {{0.5, 0.5}});
    std::vector<Repair> repairs = place_repairs(units, spec, grid, uniform_chance(10), "r.h5");
    ASSERT_EQ(repairs.size(), 1u);
    EXPECT_EQ(repairs[0].round, 1);
    EXPECT_EQ(repairs[0].fix.change(), "loss mse -> crossentropy");
    ASSERT_EQ(grid.size(), 2u);

    // The first round recorded in part: no second round yet.
    units.push_back(fold(grid, 1, 0, 0.5, 0.5));
    Grid partial(spec);
    EXPECT_EQ(place_repairs(units, spec, partial, uniform_chance(10), "r.h5").size(), 1u);
    EXPECT_EQ(partial.size(), 2u);

    // All of it, underfitting: the second round lowers the dropout on top of the first fix.
    units.push_back(fold(grid, 1, 1, 0.5, 0.5));
    Grid both(spec);
    repairs = place_repairs(units, spec, both, uniform_chance(10), "r.h5");
    ASSERT_EQ(repairs.size(), 2u);
    EXPECT_EQ(repairs[1].round, 2);
    EXPECT_EQ(repairs[1].parent, 1u);
    EXPECT_EQ(repairs[1].fix.change(), "dropout 0.7 -> 0.35");
    ASSERT_EQ(both.size(), 3u);
    EXPECT_EQ(both.config(2).loss, Loss::CrossEntropy);
    EXPECT_DOUBLE_EQ(both.config(2).dropout, 0.35);
    EXPECT_EQ(both.section_name(2), both.section_name(0));

    // Its records, from a run that numbered it otherwise, find it by id; the report chains the steps.
    Grid other = both;
    other.add_repairs({both.config(2)}, {""});
    for (int f = 0; f < 2; ++f) units.push_back(fold(other, 3, f, 0.95, 0.94));
    Grid merged(spec);
    repairs = place_repairs(units, spec, merged, uniform_chance(10), "r.h5");
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(units.back().config, 2u);
    EXPECT_EQ(units.back().unit, 5u);
    std::vector<ConfigSummary> configs = detail::summarize(units, spec, merged, uniform_chance(10));
    link_repairs(configs, repairs);
    ASSERT_EQ(configs.size(), 3u);
    EXPECT_EQ(configs[2].repair_of, configs[1].config_id);
    EXPECT_EQ(configs[1].causes.front(), Cause::OverRegularised);
    const std::vector<RepairOutcome> outcomes = repair_outcomes(configs, merged.spec_size());
    ASSERT_EQ(outcomes.size(), 1u);  // the second round is its first's `then`, not a line of its own
    ASSERT_TRUE(outcomes[0].then);
    EXPECT_TRUE(outcomes[0].better);
    EXPECT_EQ(&outcomes[0].last(), &configs[2]);
    EXPECT_EQ(repair_line(outcomes[0]), configs[0].config_id +
                                            ": loss mse -> crossentropy: validation 0.50 -> 0.50, underfitting; "
                                            "then dropout 0.7 -> 0.35: 0.50 -> 0.94, good");
    // Without knowing the spec's size every parent has a line of its own.
    EXPECT_EQ(repair_outcomes(configs, 0).size(), 2u);

    // Second-round repairs are not repaired again.
    ConfigSummary failing = configs[2];
    failing.verdict = Verdict::Underfitting;
    EXPECT_TRUE(derive_second_repairs({failing}, {configs[0]}, repairs, merged).empty());
}

// A first round that lowered a rate, then read as too low: raising it again would lead back to the
// parent, which is no repair.
TEST(Repairs, NoSecondRoundBackToTheParent) {
    const SweepSpec spec = parse(kCommon + "learning-rate = 0.1\n");
    Grid grid(spec);
    TrainConfig lowered = grid.config(0);
    lowered.learning_rate = 0.01;
    grid.add_repairs({lowered}, {""});
    ConfigSummary parent = summary(grid.config(0), Verdict::NotTraining, {Cause::LrTooHigh});
    parent.config = 0;
    ConfigSummary repaired = summary(lowered, Verdict::NotTraining, {Cause::LrTooLow});
    repaired.config = 1;
    const std::vector<Repair> first = derive_repairs({parent}, grid);
    ASSERT_EQ(first.size(), 1u);
    ASSERT_EQ(first[0].repaired_id, repaired.config_id);
    ASSERT_EQ(repair_fix(repaired)->change(), "learning-rate 0.01 -> 0.1");
    EXPECT_TRUE(derive_second_repairs({repaired}, {parent}, first, grid).empty());
    // A repair that reached a better verdict is not repaired again either.
    repaired.verdict = Verdict::Underfitting;
    repaired.causes = {Cause::StillImproving};
    EXPECT_TRUE(derive_second_repairs({repaired}, {parent}, first, grid).empty());
}

TEST(Repairs, NoneBeforeTheGridIsRecordedOrWithoutTheKey) {
    const SweepSpec spec = parse(kCommon + "loss = mse, crossentropy\n");
    Grid grid(spec);
    std::vector<UnitResult> units = grid_units(grid, {{0.1, 0.1}, {0.95, 0.94}});
    std::vector<UnitResult> partial(units.begin(), units.end() - 1);
    EXPECT_FALSE(spec_grid_recorded(partial, grid));
    EXPECT_TRUE(place_repairs(partial, spec, grid, uniform_chance(10), "r.h5").empty());
    SweepSpec off = spec;
    off.repair = false;
    EXPECT_TRUE(place_repairs(units, off, grid, uniform_chance(10), "r.h5").empty());
    EXPECT_TRUE(place_repairs(units, spec, grid, uniform_chance(10), "r.h5").size() == 1u);
}

TEST(Repairs, TwoParentsWithOneRepairShareIt) {
    const SweepSpec spec = parse(kCommon + "learning-rate = 0.1, 0.2\n");
    const Grid grid(spec);
    TrainConfig fixed = grid.config(0);
    fixed.learning_rate = 0.01;
    const std::string id = config_id(fixed);
    Fix fix;
    fix.key = "learning-rate";
    fix.repaired = fixed;
    const std::vector<Repair> repairs = {{0, grid.config_id(0), fix, id}, {1, grid.config_id(1), fix, id}};
    const RepairConfigs added = new_repair_configs(repairs, grid);
    ASSERT_EQ(added.configs.size(), 1u);
    std::vector<ConfigSummary> configs(1);
    configs[0].config_id = id;
    link_repairs(configs, repairs);
    EXPECT_EQ(configs[0].repair_of, grid.config_id(0) + " " + grid.config_id(1));
}

TEST(Repairs, TheBroadcastTextGivesTheSameConfigurations) {
    TrainConfig a;
    a.optimizer = Optimizer::Adam;  // learning rate unset: the optimizer's default
    a.loss = Loss::Mse;
    TrainConfig b;
    b.dropout = 0.5;
    b.activation = Activation::Tanh;
    const RepairConfigs sent{{a, b}, {"row 1", ""}};
    const RepairConfigs got = decode_repair_configs(encode_repair_configs(sent), 3);
    ASSERT_EQ(got.configs.size(), 2u);
    EXPECT_EQ(got.sections, sent.sections);
    for (std::size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(config_id(got.configs[k]), config_id(sent.configs[k]));
        EXPECT_EQ(got.configs[k].threads, 3);
    }
    EXPECT_TRUE(decode_repair_configs("", 1).configs.empty());
}

TEST(Repairs, TheKeyIsNotPartOfTheStudysIdentity) {
    const SweepSpec on = parse("layers = 1, 2\nrepair = true\n");
    const SweepSpec off = parse("layers = 1, 2\n");
    EXPECT_TRUE(on.repair);
    EXPECT_FALSE(off.repair);
    EXPECT_EQ(on.hash, off.hash);
    EXPECT_THROW(parse("repair = maybe\n"), SpecError);
}

// A sweep started without an MPI launcher runs alone without MPI_Init: the repair phase's
// broadcast of its configurations must not call MPI then (it aborted the process).
TEST(RepairPhase, TheBroadcastOfRepairsRunsAloneWithoutMpi) {
    ASSERT_FALSE(mpi_active());
    EXPECT_EQ(broadcast_text("a repair"), "a repair");
    EXPECT_EQ(broadcast_text({}), "");
}

}  // namespace
}  // namespace dnnsweep
