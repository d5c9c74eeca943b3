// The computations of `dnnsweep report` (outputs/report.hpp) and its file writers, on hand-made
// summaries: leaderboard order and ties, influence ranking, verdict counts, curve bands, CSV, base64.
#include <cmath>
#include <limits>
#include <sstream>

#include <gtest/gtest.h>

#include "engine/diagnosis.hpp"
#include "outputs/report.hpp"
#include "outputs/report_files.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ConfigSummary config(std::uint64_t index, double val, double seconds, Verdict verdict, int layers,
                     const std::string& loss) {
    ConfigSummary c;
    c.config = index;
    c.mean_val_acc = val;
    c.seconds = seconds;
    c.folds_done = 2;
    c.verdict = verdict;
    set_config_option(c.settings, "layers", std::to_string(layers));
    set_config_option(c.settings, "loss", loss);
    return c;
}

TEST(ReportLogic, LeaderboardBestFirstTiesToCheaperNaNLast) {
    const std::vector<ConfigSummary> configs = {
        config(0, 0.5, 10.0, Verdict::Underfitting, 1, "mse"),
        config(1, kNaN, 0.0, Verdict::Failed, 1, "mse"),
        config(2, 0.9, 8.0, Verdict::Good, 2, "crossentropy"),
        config(3, 0.9, 4.0, Verdict::Good, 3, "crossentropy"),  // same accuracy, cheaper: first
        config(4, 0.1, 1.0, Verdict::NotTraining, 3, "mse"),
    };
    EXPECT_EQ(leaderboard_order(configs), (std::vector<std::size_t>{3, 2, 0, 4, 1}));
}

TEST(ReportLogic, TieCostIsPerFold) {
    std::vector<ConfigSummary> configs = {config(0, 0.8, 6.0, Verdict::Good, 1, "mse"),
                                          config(1, 0.8, 4.0, Verdict::Good, 2, "mse")};
    configs[0].folds_done = 3;  // 2 s per fold
    configs[1].folds_done = 1;  // 4 s per fold
    EXPECT_EQ(leaderboard_order(configs), (std::vector<std::size_t>{0, 1}));
}

TEST(ReportLogic, InfluenceRankedBySpreadValuesInSpecOrder) {
    const std::vector<ConfigSummary> configs = {
        config(0, 0.90, 1, Verdict::Good, 3, "crossentropy"),
        config(1, 0.10, 1, Verdict::NotTraining, 3, "mse"),
        config(2, 0.98, 1, Verdict::Good, 11, "crossentropy"),
        config(3, 0.14, 1, Verdict::NotTraining, 11, "mse"),
    };
    const std::vector<OptionInfluence> inf = influence(configs);
    ASSERT_EQ(inf.size(), 2u);  // only the options that vary
    EXPECT_EQ(inf[0].option, "loss");
    ASSERT_EQ(inf[0].values.size(), 2u);
    EXPECT_EQ(inf[0].values[0].value, "crossentropy");
    EXPECT_DOUBLE_EQ(inf[0].values[0].mean, 0.94);
    EXPECT_DOUBLE_EQ(inf[0].values[0].best, 0.98);
    EXPECT_DOUBLE_EQ(inf[0].values[1].mean, 0.12);
    EXPECT_NEAR(inf[0].spread, 0.82, 1e-12);
    EXPECT_EQ(inf[1].option, "layers");
    EXPECT_EQ(inf[1].values[0].value, "3");  // first appearance, not text order ("11" < "3")
    EXPECT_NEAR(inf[1].spread, 0.06, 1e-12);
}

TEST(ReportLogic, VerdictCountsAndConfigsToActOn) {
    std::vector<ConfigSummary> configs = {
        config(0, 0.9, 1, Verdict::Good, 1, "mse"),
        config(1, 0.6, 1, Verdict::Overfitting, 2, "mse"),
        config(2, 0.1, 1, Verdict::NotTraining, 3, "mse"),
        config(3, 0.7, 1, Verdict::Underfitting, 4, "mse"),
    };
    configs[2].causes = {Cause::MseSoftmax, Cause::VanishingGradient};
    const auto counts = verdict_counts(configs);
    ASSERT_EQ(counts.size(), 5u);
    EXPECT_EQ(counts[0], (std::pair<std::string, int>{"not_training", 1}));
    EXPECT_EQ(counts[4], (std::pair<std::string, int>{"failed", 0}));
    EXPECT_EQ(needs_action(configs, leaderboard_order(configs)), (std::vector<std::size_t>{1, 2}));
    EXPECT_TRUE(has_vanishing_gradient(configs[2]));
    configs[2].causes = {Cause::MseSoftmax};
    EXPECT_FALSE(has_vanishing_gradient(configs[2]));
}

TEST(ReportLogic, LearningCurveBandOverFoldsSkipsNaN) {
    std::vector<UnitResult> units(2);
    for (int f = 0; f < 2; ++f) {
        units[f].config = 7;
        units[f].fold = f;
        for (int e = 1; e <= 2 + f; ++e) {
            EpochMetrics m;
            m.epoch = e;
            m.train_acc = 0.1 * e + 0.1 * f;
            m.train_loss = f == 1 && e == 2 ? kNaN : 1.0;
            m.health.grad_norm = {1e-6 * (f + 1), 1.0};
            units[f].history.push_back(m);
        }
    }
    const LearningCurves lc = learning_curves(units, 7);
    EXPECT_EQ(lc.epochs, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(lc.folds, 2);
    EXPECT_DOUBLE_EQ(lc.train_acc.mean[0], 0.15);
    EXPECT_DOUBLE_EQ(lc.train_acc.min[0], 0.1);
    EXPECT_DOUBLE_EQ(lc.train_acc.max[0], 0.2);
    EXPECT_DOUBLE_EQ(lc.train_acc.mean[2], 0.4);   // only fold 1 reached epoch 3
    EXPECT_DOUBLE_EQ(lc.train_loss.mean[1], 1.0);  // the NaN is left out
    const std::vector<LayerNorms> g = gradient_norms(units, 7);
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].layer, 0);
    EXPECT_DOUBLE_EQ(g[0].norm[0], 1.5e-6);
    EXPECT_TRUE(learning_curves(units, 8).epochs.empty());
}

UnitResult unit(std::uint64_t config, int fold, UnitStatus status, int epochs) {
    UnitResult u;
    u.config = config;
    u.fold = fold;
    u.status = status;
    u.epochs = epochs;
    return u;
}

TEST(ReportLogic, PrunedFoldsCountAsRecordedAndCheap) {
    std::vector<ConfigSummary> configs = {config(0, 0.8, 6.0, Verdict::Good, 1, "mse"),
                                          config(1, 0.8, 6.0, Verdict::NotTraining, 2, "mse")};
    configs[0].folds_done = 3;  // 2 s per fold
    configs[1].folds_done = 1;
    configs[1].folds_pruned = 3;  // 1.5 s per recorded fold: pruned folds are folds too
    EXPECT_EQ(folds_recorded(configs[1]), 4);
    EXPECT_DOUBLE_EQ(cost_per_fold(configs[1]), 1.5);
    EXPECT_EQ(leaderboard_order(configs), (std::vector<std::size_t>{1, 0}));
}

TEST(ReportLogic, PrunedFoldsOfAConfiguration) {
    const std::vector<UnitResult> units = {unit(4, 0, UnitStatus::Pruned, 3), unit(4, 1, UnitStatus::Pruned, 0),
                                           unit(4, 2, UnitStatus::Pruned, 5), unit(4, 3, UnitStatus::Ok, 20),
                                           unit(5, 0, UnitStatus::Pruned, 0), unit(6, 0, UnitStatus::Ok, 20)};
    const PrunedFolds p4 = pruned_folds(units, 4);
    EXPECT_EQ(p4.folds, 3);
    EXPECT_EQ(p4.not_started, 1);
    EXPECT_EQ(p4.min_epochs, 3);
    EXPECT_EQ(p4.max_epochs, 5);
    EXPECT_EQ(pruned_text(p4), "pruned after 3 to 5 epochs");
    EXPECT_EQ(pruned_text(pruned_folds(units, 5)), "pruned before it started");
    EXPECT_EQ(pruned_text(pruned_folds(units, 6)), "");
    EXPECT_EQ(pruned_text(pruned_folds(std::vector{unit(7, 0, UnitStatus::Pruned, 1)}, 7)), "pruned after 1 epoch");
    // The report looks a configuration's units up by binary search (units in unit order).
    EXPECT_EQ(units_of(units, 4).size(), 4u);
    EXPECT_EQ(units_of(units, 4).front().fold, 0);
    EXPECT_EQ(units_of(units, 5).size(), 1u);
    EXPECT_TRUE(units_of(units, 3).empty());
    EXPECT_TRUE(units_of(units, 9).empty());
    EXPECT_EQ(pruned_text(pruned_folds(units_of(units, 4), 4)), "pruned after 3 to 5 epochs");
}

TEST(ReportLogic, RanksOfInvertsTheLeaderboardOrder) {
    EXPECT_EQ(ranks_of({2, 0, 3, 1}), (std::vector<std::size_t>{1, 3, 0, 2}));
    EXPECT_TRUE(ranks_of({}).empty());
}

TEST(ReportLogic, PruningSummaryAddsTheConfigsEpochs) {
    Results r;
    r.configs = {config(0, 0.9, 1, Verdict::Good, 1, "crossentropy"), config(1, 0.1, 1, Verdict::NotTraining, 2, "mse"),
                 config(2, 0.1, 1, Verdict::NotTraining, 3, "mse")};
    for (ConfigSummary& c : r.configs) set_config_option(c.settings, "epochs", "40");
    r.configs[0].epochs_trained = r.configs[0].epochs_planned = 400;  // 10 folds, none pruned
    r.configs[1].folds_pruned = 10;                                   // pruned after 3 epochs, 9 never started
    r.configs[1].epochs_trained = 3;
    r.configs[1].epochs_planned = 400;
    r.configs[1].epochs_saved = 397;
    r.configs[2].folds_pruned = 2;  // 8 folds trained 40, 2 pruned after 3
    r.configs[2].epochs_trained = 326;
    r.configs[2].epochs_planned = 400;
    r.configs[2].epochs_saved = 74;
    r.units = {unit(1, 0, UnitStatus::Pruned, 3)};
    for (int f = 1; f < 10; ++f) r.units.push_back(unit(1, f, UnitStatus::Pruned, 0));
    const PruningSummary p = pruning_summary(r);
    EXPECT_EQ(p.units, 12);
    EXPECT_EQ(p.not_started, 9);
    EXPECT_EQ(p.configs, 2);
    EXPECT_EQ(p.pruned_planned, 480);
    EXPECT_EQ(p.saved, 471);
    EXPECT_EQ(p.trained, 729);
    EXPECT_EQ(p.planned, 1200);
    EXPECT_EQ(pruning_text(p, 30),
              "Pruning: 12 units of 2 configurations pruned (9 of them never started), 471 of their 480 planned epochs "
              "saved (98%); 39% of the 1,200 epochs planned for the 30 units recorded");
    EXPECT_EQ(pruning_text(PruningSummary{}, 30), "");
}

TEST(ReportFiles, CsvQuotingAndNumbers) {
    h5::Table t;
    t.add<std::string>("reason") = {"plain", "a, b", "say \"hi\""};
    t.add<double>("v") = {0.1, kNaN, -std::numeric_limits<double>::infinity()};
    t.add<bool>("ok") = {true, false, true};
    std::vector<const h5::Column*> cols;
    for (const h5::Column& c : t.columns()) cols.push_back(&c);
    std::ostringstream out;
    write_csv(out, cols);
    EXPECT_EQ(out.str(), "reason,v,ok\nplain,0.1,True\n\"a, b\",nan,False\n\"say \"\"hi\"\"\",-inf,True\n");
}

TEST(ReportFiles, Base64) {
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("f"), "Zg==");
    EXPECT_EQ(base64("fo"), "Zm8=");
    EXPECT_EQ(base64("foo"), "Zm9v");
    EXPECT_EQ(base64(std::string("\xff\x00\x80", 3)), "/wCA");
}

}  // namespace
}  // namespace dnnsweep
