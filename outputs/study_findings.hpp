#pragma once
// What a study as a whole shows, beyond each configuration's diagnosis: no configuration above
// chance on validation (look at the labels), one setting that alone separates working from failing
// configurations, every configuration overfitting, a test accuracy far from the folds' estimate
// (docs/diagnosis.md, "Study-level findings"). Shown by the report and stored as attributes of the
// results file.
#include <cstddef>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/chance.hpp"

#include "engine/diagnosis.hpp"
#include "outputs/json.hpp"
#include "outputs/results_store.hpp"

namespace dnnsweep {

struct StudyFinding {
    std::string kind;  // no_config_above_chance, one_setting_decides, all_overfitting, test_far_from_folds
    std::string text;  // one line: the evidence and what to do
};

// `chance`: the diagnosis's chance level for the data (engine/chance.hpp: the majority class's
// share where classes are imbalanced).
std::vector<StudyFinding> study_findings(const std::vector<ConfigSummary>& configs, const Chance& chance,
                                         const DiagnosisThresholds& thresholds);

// The one_setting_decides line for `option`, from the count of configuration pairs per (failing
// value, working value): the kShownValuePairs most frequent value pairs, the rest counted, so the
// line stays one readable line however many values the option has.
inline constexpr std::size_t kShownValuePairs = 3;
std::string one_setting_text(std::string_view option,
                             const std::map<std::pair<std::string, std::string>, std::size_t>& pairs);

// The report's section ("Study findings:" and one line each); nothing when there are none.
void write_study_findings(const std::vector<StudyFinding>& findings, std::ostream& out);

// The report's JSON form: [{"kind": ..., "text": ...}, ...].
Json study_findings_json(const std::vector<StudyFinding>& findings);

// The results file's attribute form, one "kind: text" string per finding.
std::vector<std::string> study_findings_attribute(const std::vector<StudyFinding>& findings);

}  // namespace dnnsweep
