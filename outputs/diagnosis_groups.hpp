#pragma once
// The diagnosis of a large study as patterns: the configurations of each verdict that needs action
// (not_training, overfitting, failed) grouped by rules over their settings, so 2,782 not_training
// configurations read as "learning-rate <= 0.003 and epochs = 1: 71% of them" rather than 2,782 lines.
//
// Rules are found by greedy subgroup discovery: a rule is a conjunction of at most three conditions
// (`setting = value`, and for numeric settings `<= value` / `>= value`), each added while it raises
// the weighted relative accuracy (coverage x (share of the verdict among the configurations
// matching - its share overall)) over the configurations no earlier rule took. At most three rules
// per verdict; the members they leave form the group's rest.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "engine/verdict.hpp"
#include "outputs/json.hpp"
#include "outputs/results_store.hpp"
#include "outputs/setting_levels.hpp"

namespace dnnsweep {

struct FailureRule {
    std::string text;                     // "learning-rate <= 0.003 and epochs = 1"
    std::size_t matching = 0;             // every configuration with these settings
    std::size_t matching_in_verdict = 0;  // of them, with the group's verdict (earlier rules' included)
    std::vector<std::size_t> members;     // the verdict's configurations it takes, leaderboard order
};

struct DiagnosisGroup {
    Verdict verdict = Verdict::Good;
    std::vector<std::pair<std::string, int>> causes;  // cause -> configurations, most frequent first
    std::vector<FailureRule> rules;
    std::vector<std::size_t> rest;  // members no rule took, leaderboard order
    std::size_t size() const;       // every member
};

// One group per verdict that needs action and has members, in needs_action's verdict order
// (not_training, overfitting, failed). `order` is the leaderboard order (indices into configs).
std::vector<DiagnosisGroup> diagnosis_groups(const std::vector<ConfigSummary>& configs,
                                             const std::vector<SettingLevels>& levels,
                                             const std::vector<std::size_t>& order);

// [{verdict, configs, causes: {cause: n}, rules: [{rule, configs, matching, matching_in_verdict,
// members: [config numbers, best first]}], rest: [config numbers]}]
Json diagnosis_groups_json(const std::vector<DiagnosisGroup>& groups, const std::vector<ConfigSummary>& configs);

}  // namespace dnnsweep
