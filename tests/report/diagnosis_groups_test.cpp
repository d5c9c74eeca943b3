// The diagnosis's groups (outputs/diagnosis_groups.hpp): rules over settings found on synthetic
// studies whose failures follow a known pattern, and the bounded text (outputs/diagnosis_text.hpp).
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "outputs/diagnosis_groups.hpp"
#include "outputs/diagnosis_text.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

// optimizer x learning-rate x width; `fails(optimizer, rate, width)` decides not_training.
template <class Fails>
std::vector<ConfigSummary> study(const std::vector<std::string>& rates, Fails fails) {
    std::vector<ConfigSummary> configs;
    for (const std::string opt : {"sgd", "adam", "rmsprop"})
        for (const std::string& lr : rates)
            for (const int width : {8, 16, 32, 64}) {
                ConfigSummary c;
                c.config = configs.size();
                set_config_option(c.settings, "optimizer", opt);
                set_config_option(c.settings, "learning-rate", lr);
                set_config_option(c.settings, "width", std::to_string(width));
                const bool bad = fails(opt, std::stod(lr), width);
                c.verdict = bad ? Verdict::NotTraining : Verdict::Good;
                c.mean_val_acc = bad ? 0.1 : 0.5 + 0.001 * static_cast<double>(c.config);
                c.reason = bad ? "at chance" : "";
                if (bad) c.causes = {Cause::Unknown};
                configs.push_back(c);
            }
    return configs;
}

std::vector<std::size_t> best_first(const std::vector<ConfigSummary>& configs) {
    std::vector<std::size_t> order(configs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = order.size() - 1 - i;  // accuracy grows with index
    return order;
}

TEST(DiagnosisGroups, AnInteractionBecomesOneRule) {
    const auto configs = study({"0.001", "0.01", "0.1"},
                               [](const std::string& opt, double lr, int) { return opt == "sgd" && lr < 0.005; });
    const auto groups = diagnosis_groups(configs, setting_levels(configs), best_first(configs));
    ASSERT_EQ(groups.size(), 1u);
    const DiagnosisGroup& g = groups[0];
    EXPECT_EQ(g.verdict, Verdict::NotTraining);
    ASSERT_EQ(g.rules.size(), 1u);
    EXPECT_TRUE(g.rules[0].text == "optimizer = sgd and learning-rate = 0.001" ||
                g.rules[0].text == "learning-rate = 0.001 and optimizer = sgd")
        << g.rules[0].text;
    EXPECT_EQ(g.rules[0].members.size(), 4u);
    EXPECT_EQ(g.rules[0].matching, 4u);
    EXPECT_EQ(g.rules[0].matching_in_verdict, 4u);
    EXPECT_TRUE(g.rest.empty());
    EXPECT_EQ(g.causes, (std::vector<std::pair<std::string, int>>{{"unknown", 4}}));
}

TEST(DiagnosisGroups, NumericSettingsGetThresholds) {
    const auto configs =
        study({"0.0001", "0.001", "0.01", "0.1", "1"}, [](const std::string&, double lr, int) { return lr <= 0.001; });
    const auto groups = diagnosis_groups(configs, setting_levels(configs), best_first(configs));
    ASSERT_EQ(groups.size(), 1u);
    ASSERT_FALSE(groups[0].rules.empty());
    EXPECT_EQ(groups[0].rules[0].text, "learning-rate <= 0.001");
    EXPECT_EQ(groups[0].rules[0].members.size(), 24u);
    // Members best first.
    const auto& m = groups[0].rules[0].members;
    for (std::size_t k = 1; k < m.size(); ++k) EXPECT_GT(m[k - 1], m[k]);
}

TEST(DiagnosisGroups, TwoPatternsTwoRulesAndScatteredFailuresLeftOver) {
    const auto configs = study({"0.001", "0.01", "0.1"}, [](const std::string& opt, double lr, int width) {
        return (opt == "sgd" && lr < 0.005) || (opt == "rmsprop" && lr > 0.05) ||
               (opt == "adam" && width == 32 && lr == 0.01);
    });
    const auto groups = diagnosis_groups(configs, setting_levels(configs), best_first(configs));
    ASSERT_EQ(groups.size(), 1u);
    const DiagnosisGroup& g = groups[0];
    EXPECT_EQ(g.size(), 9u);
    ASSERT_GE(g.rules.size(), 2u);
    EXPECT_EQ(g.rules[0].members.size() + g.rules[1].members.size(), 8u);
    std::size_t taken = g.rest.size();
    for (const FailureRule& r : g.rules) taken += r.members.size();
    EXPECT_EQ(taken, 9u);  // every member once
}

TEST(DiagnosisText, BoundedByTopUnlessAll) {
    ReportSource src;
    src.results.configs =
        study({"0.0001", "0.001", "0.01", "0.1", "1"}, [](const std::string&, double lr, int) { return lr <= 0.001; });
    src.folds_per_config = 1;
    const std::vector<std::size_t> order = best_first(src.results.configs);
    const auto count_lines = [&](bool all) {
        std::ostringstream out;
        write_diagnosis_text(src, order, 3, all, out);
        int n = 0;
        std::istringstream in(out.str());
        for (std::string line; std::getline(in, line);) n += line.rfind("  #", 0) == 0;
        return std::make_pair(n, out.str());
    };
    const auto [bounded, text] = count_lines(false);
    EXPECT_EQ(bounded, 3) << text;
    EXPECT_NE(text.find("not_training: 24 of the 60 configurations (40%)"), std::string::npos) << text;
    EXPECT_NE(text.find("  - learning-rate <= 0.001: 24 of them (100%); 100% of the 24 configurations"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("... 21 more (--all lists every one)"), std::string::npos) << text;
    EXPECT_EQ(count_lines(true).first, 24);
}

}  // namespace
}  // namespace dnnsweep
