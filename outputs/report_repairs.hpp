#pragma once
// The report's repairs (outputs/repairs.hpp): each repair with results as before -> after (and its
// second round where the first reached no better verdict), and the repair rate (failing
// configurations whose repair reached a better verdict, in one round or two / those with results).
// `spec_configs`: the spec's configurations (ReportSource::spec_configs; 0: not known).
#include <cstdint>
#include <ostream>
#include <vector>

#include "outputs/json.hpp"
#include "outputs/results_store.hpp"

namespace dnnsweep {

// "Repairs (...):", one line each, then the rate, then the failing configurations left unrepaired
// because their input_shift has no one-key fix, and why; nothing in a study without repairs.
void write_repairs_text(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs, std::ostream& out);

// {"tried": n, "better": k, "rate": k / n or null, "repairs": [{"parent_id", "section", "key", "from",
// "to", "repaired_id", "before": {"verdict", "val_acc"}, "after": {...}, "then": null or {"key", "from", "to",
// "repaired_id", "after": {...}}, "better", "line"}],
// "not_repaired": [{"config_id", "section", "cause", "why"}]}
Json repairs_json(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs);

// The HTML page's "Repairs" section (a list, the rate, the configurations not repaired and why);
// nothing without repairs.
void write_repairs_html(std::ostream& h, const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs);

}  // namespace dnnsweep
