#include "outputs/report_repairs.hpp"

#include <cmath>

#include "engine/text_format.hpp"
#include "outputs/html_escape.hpp"
#include "outputs/repairs.hpp"

namespace dnnsweep {
namespace {

std::size_t better_count(const std::vector<RepairOutcome>& repairs) {
    std::size_t n = 0;
    for (const RepairOutcome& r : repairs) n += r.better;
    return n;
}

Json side_json(const ConfigSummary& c) {
    return {{"config_id", c.config_id},
            {"verdict", std::string(name(c.verdict))},
            {"val_acc", std::isfinite(c.mean_val_acc) ? Json(c.mean_val_acc) : Json(nullptr)}};
}

// Failing configurations whose first cause has no one-key fix the report explains: an overfitting
// gap from validation inputs unlike the training inputs, with no noise setting to align (a user's
// own validation or test data), is not repaired.
std::vector<const ConfigSummary*> not_repaired(const std::vector<ConfigSummary>& configs) {
    std::vector<const ConfigSummary*> out;
    for (const ConfigSummary& c : configs)
        if (c.verdict == Verdict::Overfitting && !c.causes.empty() && c.causes.front() == Cause::InputShift &&
            !repair_fix(c))
            out.push_back(&c);
    return out;
}

std::string label_of(const ConfigSummary& c) { return c.section.empty() ? c.config_id : c.section; }

std::string why_not(const ConfigSummary& c) { return fix_for(Cause::InputShift, c.settings).advice; }

}  // namespace

void write_repairs_text(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs, std::ostream& out) {
    const std::vector<RepairOutcome> repairs = repair_outcomes(configs, spec_configs);
    if (repairs.empty()) return;
    out << "\nRepairs (each failing configuration with its first cause's fix, same folds; before -> after; "
           "\"then\": a second fix where the first reached no better verdict):\n";
    for (const RepairOutcome& r : repairs) out << "  " << repair_line(r) << '\n';
    const std::size_t better = better_count(repairs);
    out << "repair rate: " << better << " of " << repairs.size() << " repairs reached a better verdict ("
        << fixed(100.0 * static_cast<double>(better) / static_cast<double>(repairs.size()), 0) << "%)\n";
    for (const ConfigSummary* c : not_repaired(configs))
        out << "  not repaired: " << label_of(*c) << ": input_shift: " << why_not(*c) << '\n';
}

Json repairs_json(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs) {
    const std::vector<RepairOutcome> repairs = repair_outcomes(configs, spec_configs);
    Json list = Json::array();
    for (const RepairOutcome& r : repairs)
        list.push_back({{"parent_id", r.parent->config_id},
                        {"section", r.parent->section},
                        {"key", r.fix.key},
                        {"from", r.fix.from},
                        {"to", r.fix.to},
                        {"repaired_id", r.repaired->config_id},
                        {"before", side_json(*r.parent)},
                        {"after", side_json(*r.repaired)},
                        {"then", r.then ? Json{{"key", r.then->fix.key},
                                               {"from", r.then->fix.from},
                                               {"to", r.then->fix.to},
                                               {"repaired_id", r.then->repaired->config_id},
                                               {"after", side_json(*r.then->repaired)}}
                                        : Json(nullptr)},
                        {"better", r.better},
                        {"line", repair_line(r)}});
    const std::size_t better = better_count(repairs);
    return {{"tried", repairs.size()},
            {"better", better},
            {"rate",
             repairs.empty() ? Json(nullptr) : Json(static_cast<double>(better) / static_cast<double>(repairs.size()))},
            {"repairs", list},
            {"not_repaired", [&] {
                 Json none = Json::array();
                 for (const ConfigSummary* c : not_repaired(configs))
                     none.push_back({{"config_id", c->config_id},
                                     {"section", c->section},
                                     {"cause", "input_shift"},
                                     {"why", why_not(*c)}});
                 return none;
             }()}};
}

void write_repairs_html(std::ostream& h, const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs) {
    const std::vector<RepairOutcome> repairs = repair_outcomes(configs, spec_configs);
    if (repairs.empty()) return;
    const std::size_t better = better_count(repairs);
    h << "<h2>Repairs</h2>\n<p>Each failing configuration with its first cause's fix, on the same folds (before -> "
         "after). Repair rate: "
      << better << " of " << repairs.size() << " reached a better verdict.</p>\n<ul>\n";
    for (const RepairOutcome& r : repairs)
        h << "<li class=\"v-" << name(r.last().verdict) << "\">" << html_escape(repair_line(r)) << "</li>\n";
    h << "</ul>\n";
    const std::vector<const ConfigSummary*> left = not_repaired(configs);
    if (left.empty()) return;
    h << "<p>Not repaired (no one-key fix):</p>\n<ul>\n";
    for (const ConfigSummary* c : left)
        h << "<li>" << html_escape(label_of(*c) + ": input_shift: " + why_not(*c)) << "</li>\n";
    h << "</ul>\n";
}

}  // namespace dnnsweep
