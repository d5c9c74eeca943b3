#pragma once
// Verified repairs (`repair = true`, `dnnsweep repair`): each configuration of the spec's grid
// diagnosed not_training, underfitting or overfitting gets one repair, the configuration with its
// first cause's one-key fix applied (engine/cause_fix.hpp), trained in the same study (same folds,
// same split) once the whole grid is recorded. Two rounds at most: once every first-round repair
// is recorded, a repair that reached no better verdict than its first parent gets one repair of its
// own (a second fix on top of the first: dropout 0.7 plus the validation's noise underfits, and the
// second round lowers the dropout); second-round repairs are not repaired again. A repair already
// in the grid is not trained twice, and two parents with the same repair share it; the configs
// table's `repair_of` names the parents (docs/diagnosis.md, "Fixes and repairs").
//
// Derivation reads only the recorded results, so every rank, every resume and every merge derives
// the same repairs in the same order: repair configuration k is grid index spec_size() + k, the
// first round's before the second's.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/cause_fix.hpp"
#include "outputs/results_store.hpp"

namespace dnnsweep {

struct Repair {
    std::uint64_t parent = 0;  // the failing configuration: below spec_size() in round 1, a repair in round 2
    std::string parent_id;
    Fix fix;                  // fix.repaired is what the repair trains
    std::string repaired_id;  // config_id(fix.repaired)
    int round = 1;
};

// The fix a repair of `c` applies: its first cause's (overfitting without a cause:
// fix_for_overfitting; underfitting without a cause: fix_for_underfitting). None for other verdicts
// and for fixes without a key (`unknown`, `input_shift` with train-noise already equal to
// test-noise, overfitting with every regulariser on).
std::optional<Fix> repair_fix(const ConfigSummary& c);

// The repairs of the grid's configurations (rows with config < grid.spec_size()), in configuration order.
std::vector<Repair> derive_repairs(const std::vector<ConfigSummary>& configs, const Grid& grid);

// Round 2: the repairs of first-round repair configurations (`repaired`, rows with config >=
// grid.spec_size()) whose verdict is no better than their first parent's (in `parents`, the grid's
// summaries), in configuration order.
std::vector<Repair> derive_second_repairs(const std::vector<ConfigSummary>& repaired,
                                          const std::vector<ConfigSummary>& parents,
                                          const std::vector<Repair>& first_round, const Grid& grid);

// What a grid of spec configurations gains: the repaired configurations it does not hold yet, each
// once, in the order of their first parent, with that parent's section.
struct RepairConfigs {
    std::vector<TrainConfig> configs;
    std::vector<std::string> sections;
};
RepairConfigs new_repair_configs(const std::vector<Repair>& repairs, const Grid& grid);

// Whether every unit of the spec's grid has a record (any status but stopped) among `units`.
bool spec_grid_recorded(const std::vector<UnitResult>& units, const Grid& grid);

// A merge's repairs. `grid` holds the spec's configurations only. When every unit of the grid is
// recorded and the spec asks for repairs (or `units` already hold some), derives them from the
// grid's units, adds the new repair configurations to `grid`, and gives the units of repairs (those
// past the grid) their index in it by their config id; once every unit of those is recorded, the
// same again for the second round. Units of a repair no longer derived (a parent's verdict changed,
// --retry-failed) are dropped, with a warning on stderr. Returns both rounds' repairs (empty when
// none are derived).
std::vector<Repair> place_repairs(std::vector<UnitResult>& units, const SweepSpec& spec, Grid& grid,
                                  const Chance& chance, const std::string& out_path);

// Sets each summary's repair_of: the ids of the configurations it repairs, space-separated.
void link_repairs(std::vector<ConfigSummary>& configs, const std::vector<Repair>& repairs);

// Verdicts from worst to best: failed, not_training, underfitting = overfitting, good.
bool better_verdict(Verdict after, Verdict before);

// A repair as the report shows it: the parent, the fix, the configuration it trained, and where
// that reached no better verdict, the repair's own repair (the second round, or the repair's own
// line when the repair is a configuration of the grid).
struct RepairStep {
    Fix fix;
    const ConfigSummary* repaired = nullptr;
};
struct RepairOutcome {
    const ConfigSummary* parent = nullptr;
    const ConfigSummary* repaired = nullptr;
    Fix fix;
    std::optional<RepairStep> then;
    bool better = false;  // the last step reached a better verdict than the parent

    const ConfigSummary& last() const { return then ? *then->repaired : *repaired; }
};
// Every repair with results, from the `repair_of` links, in the parents' configuration order: one
// per configuration of the spec's grid (configurations below `spec_configs`; 0: not known, every
// parent), a second-round repair as its first round's `then`.
std::vector<RepairOutcome> repair_outcomes(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs);
// "mse: loss mse -> crossentropy: validation 0.13 -> 0.93, good" (the parent's section, else its
// id), with "; then dropout 0.7 -> 0: 0.64 -> 0.76, good" for a second step.
std::string repair_line(const RepairOutcome& r);

}  // namespace dnnsweep
