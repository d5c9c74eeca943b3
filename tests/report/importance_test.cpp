// The functional-ANOVA importance (outputs/importance.hpp) on synthetic studies whose accuracy is a
// known function of the settings, and the design matrix it works on (outputs/setting_levels.hpp).
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "outputs/importance.hpp"
#include "outputs/setting_levels.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

// A 2 x 2 x 2 grid: optimizer (a = +-1), learning-rate (b = +-1), width (irrelevant);
// accuracy 0.6 + 0.1 a + 0.05 b + 0.08 a b.
std::vector<ConfigSummary> interacting_study() {
    std::vector<ConfigSummary> configs;
    for (const std::string opt : {"sgd", "adam"})
        for (const std::string lr : {"0.1", "0.01"})  // spec order not ascending: levels sort numerically
            for (const std::string width : {"8", "16"}) {
                ConfigSummary c;
                c.config = configs.size();
                set_config_option(c.settings, "optimizer", opt);
                set_config_option(c.settings, "learning-rate", lr);
                set_config_option(c.settings, "width", width);
                const double a = opt == "sgd" ? 1.0 : -1.0, b = lr == "0.1" ? 1.0 : -1.0;
                c.mean_val_acc = 0.6 + 0.1 * a + 0.05 * b + 0.08 * a * b;
                configs.push_back(c);
            }
    return configs;
}

const ImportanceTerm& term(const Importance& imp, const std::string& name) {
    for (const ImportanceTerm& t : imp.terms)
        if (t.name() == name) return t;
    throw std::runtime_error("no term " + name);
}

TEST(SettingLevels, NumericLevelsAscendingTextInSpecOrder) {
    const std::vector<SettingLevels> levels = setting_levels(interacting_study());
    ASSERT_EQ(levels.size(), 3u);
    for (const SettingLevels& s : levels) {
        if (s.option == "learning-rate") {
            EXPECT_TRUE(s.numeric);
            EXPECT_EQ(s.values, (std::vector<std::string>{"0.01", "0.1"}));
            EXPECT_EQ(s.level[0], 1);  // config 0 has 0.1
        } else if (s.option == "optimizer") {
            EXPECT_FALSE(s.numeric);
            EXPECT_EQ(s.values, (std::vector<std::string>{"sgd", "adam"}));
        }
    }
}

TEST(Importance, ExactOnAFullGridOfAKnownInteraction) {
    const std::vector<ConfigSummary> configs = interacting_study();
    const Importance imp = importance(configs, setting_levels(configs));
    EXPECT_TRUE(imp.exact);
    EXPECT_EQ(imp.grid_cells, 8u);
    EXPECT_NEAR(imp.mean, 0.6, 1e-12);
    // Variances of the orthogonal parts: 0.1^2, 0.05^2, 0.08^2; the width and its pairs explain nothing.
    const double total = 0.01 + 0.0025 + 0.0064;
    EXPECT_NEAR(imp.variance, total, 1e-12);
    EXPECT_NEAR(term(imp, "optimizer").fraction, 0.01 / total, 1e-9);
    EXPECT_NEAR(term(imp, "learning-rate").fraction, 0.0025 / total, 1e-9);
    double interaction = -1.0;
    for (const ImportanceTerm& t : imp.terms)
        if (!t.b.empty() && (t.a == "optimizer" || t.b == "optimizer") &&
            (t.a == "learning-rate" || t.b == "learning-rate"))
            interaction = t.fraction;
    EXPECT_NEAR(interaction, 0.0064 / total, 1e-9);
    for (const ImportanceTerm& t : imp.terms)
        if (t.a == "width" || t.b == "width") {
            EXPECT_NEAR(t.fraction, 0.0, 1e-12) << t.name();
        }
    EXPECT_NEAR(imp.higher_order, 0.0, 1e-9);
    EXPECT_EQ(imp.terms.front().name(), "optimizer");  // largest first
    // The heat map is over the two settings that matter, each cell the known accuracy.
    const bool lr_rows = imp.row_option == "learning-rate";
    EXPECT_EQ(lr_rows ? imp.col_option : imp.row_option, "optimizer");
    const auto cell = [&](int opt_level, int lr_level) {
        return lr_rows ? imp.cell_mean[lr_level][opt_level] : imp.cell_mean[opt_level][lr_level];
    };
    EXPECT_NEAR(cell(0, 1), 0.6 + 0.1 + 0.05 + 0.08, 1e-12);  // sgd, 0.1
    EXPECT_NEAR(cell(1, 0), 0.6 - 0.1 - 0.05 + 0.08, 1e-12);  // adam, 0.01
}

TEST(Importance, PureInteractionHasNoMainEffect) {
    std::vector<ConfigSummary> configs = interacting_study();
    for (ConfigSummary& c : configs) {  // 0.6 + 0.08 a b: learning rate matters only through the optimizer
        const double a = c.settings.optimizer == Optimizer::Sgd ? 1.0 : -1.0;
        const double b = c.settings.effective_learning_rate() > 0.05 ? 1.0 : -1.0;
        c.mean_val_acc = 0.6 + 0.08 * a * b;
    }
    const Importance imp = importance(configs, setting_levels(configs));
    EXPECT_NEAR(term(imp, "optimizer").fraction, 0.0, 1e-9);
    EXPECT_NEAR(term(imp, "learning-rate").fraction, 0.0, 1e-9);
    EXPECT_NEAR(imp.terms.front().fraction, 1.0, 1e-9);
    EXPECT_FALSE(imp.terms.front().b.empty());
}

TEST(Importance, IncompleteGridIsApproximateAndFinite) {
    std::vector<ConfigSummary> configs = interacting_study();
    configs[3].mean_val_acc = std::nan("");  // never trained
    configs.pop_back();                      // not sampled
    const Importance imp = importance(configs, setting_levels(configs));
    EXPECT_FALSE(imp.exact);
    EXPECT_EQ(imp.configs_used, 6u);
    for (const ImportanceTerm& t : imp.terms) EXPECT_TRUE(std::isfinite(t.fraction)) << t.name();
    EXPECT_GT(term(imp, "optimizer").fraction, 0.3);
}

TEST(Importance, NothingToDecompose) {
    std::vector<ConfigSummary> one(1);
    EXPECT_TRUE(importance(one, setting_levels(one)).terms.empty());
    std::vector<ConfigSummary> configs = interacting_study();
    for (ConfigSummary& c : configs) c.mean_val_acc = 0.5;  // nothing varies: no division by zero
    const Importance flat = importance(configs, setting_levels(configs));
    for (const ImportanceTerm& t : flat.terms) EXPECT_EQ(t.fraction, 0.0);
    for (ConfigSummary& c : configs) c.mean_val_acc = std::nan("");
    EXPECT_TRUE(importance(configs, setting_levels(configs)).terms.empty());
}

}  // namespace
}  // namespace dnnsweep
