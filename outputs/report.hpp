#pragma once
// What `dnnsweep report` computes from a results file: which file(s) it read and whether the sweep
// is complete, the leaderboard order, the influence of each hyperparameter, the verdict summary,
// and the per-configuration learning-curve bands and gradient norms the plots draw. Formatting
// (text, JSON, plot input) lives in runner/cli/report_command.cpp; the CSV and HTML files in
// outputs/report_files.hpp.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/diagnosis.hpp"
#include "outputs/results_store.hpp"
#include "outputs/saved_models.hpp"

namespace dnnsweep {

// The results a report covers. A finished sweep is its merged file; a sweep still running has only
// its shards (`results.h5.parts/`, and possibly the merged file of an earlier, resumed run): they
// are read in SWMR mode, deduplicated as the merge does, and the `configs` summary is recomputed
// from them, so a running sweep can be reported without waiting for its merge.
struct ReportSource {
    Results results;                  // configs in configuration order
    std::uint64_t configs_total = 0;  // configurations in the grid
    std::uint64_t spec_configs = 0;   // those of the spec, without the repairs (outputs/spec_grid_configs.hpp)
    std::uint64_t units_total = 0;    // configs_total x folds
    std::uint64_t units_done = 0;     // units recorded with a status other than `stopped`
    int folds_per_config = 1;
    DiagnosisThresholds thresholds;  // the spec's, for the bias/variance map's lines
    bool merged_read = false;        // the merged file existed and was read
    std::size_t shards_read = 0;     // shards that added at least one unit the merged file lacked
    bool partial = false;            // the sweep has not finished: units missing, or never merged
    std::vector<SavedModel> models;  // model files refit from this study, beside the results file
};

// Reads `path` (the --out of the sweep) and/or the shards next to it. Throws ResultsError naming the
// file for a missing results file without shards, an unreadable file, or a shard of another spec.
ReportSource load_report_source(const std::string& path);

// Options (from the option table, `threads` excluded) whose value differs between configurations,
// in the table's order: the only ones worth showing.
std::vector<std::string> varied_options(const std::vector<ConfigSummary>& configs);
// "name=value ..." of the given options, or "(the only configuration)" when there are none.
std::string settings_text(const TrainConfig& config, const std::vector<std::string>& options);

// Folds of the configuration recorded with a status other than `stopped`: done, failed or pruned.
// A configuration is complete when this reaches the folds per configuration.
int folds_recorded(const ConfigSummary& c);

// Training seconds per recorded fold: the cost that breaks leaderboard ties (a configuration with
// fewer folds done is not cheaper for it).
double cost_per_fold(const ConfigSummary& c);

// What pruning did, over the units recorded: the epoch figures are the `configs` table's, summed.
struct PruningSummary {
    std::int64_t units = 0;                 // units recorded `pruned`
    std::int64_t not_started = 0;           // of them, never started (a sibling fold was pruned)
    std::int64_t configs = 0;               // configurations with a pruned unit
    std::int64_t pruned_planned = 0;        // the pruned units' planned epochs
    std::int64_t saved = 0;                 // of those, not trained: what pruning saved
    std::int64_t trained = 0, planned = 0;  // every recorded unit: epochs run, epochs planned
};
PruningSummary pruning_summary(const Results& results);

// One configuration's units: the slice of `units` (in unit order, as load_report_source() gives
// them, so a configuration's folds are consecutive) found by binary search. The per-configuration
// functions below take it, so a report of many configurations never scans every unit for each.
std::span<const UnitResult> units_of(const std::vector<UnitResult>& units, std::uint64_t config);

// One configuration's pruned folds, from its units.
struct PrunedFolds {
    int folds = 0;                       // recorded `pruned`
    int not_started = 0;                 // of them, with 0 epochs
    int min_epochs = 0, max_epochs = 0;  // epochs run by those that started (0 when none did)
};
PrunedFolds pruned_folds(std::span<const UnitResult> units, std::uint64_t config);
// "pruned after 3 epochs", "pruned after 2 to 4 epochs", "pruned before it started" (empty when
// no fold was pruned).
std::string pruned_text(const PrunedFolds& p);
// The same for configuration `config` of units in unit order (see units_of).
std::string pruned_text(const std::vector<UnitResult>& units, std::uint64_t config);
// "Pruning: ..." sentence of the report and status (empty when nothing was pruned).
std::string pruning_text(const PruningSummary& p, std::uint64_t units_recorded);

// Indices into `configs`, best first: higher mean validation accuracy, NaN (nothing trained) last;
// exact ties go to the cheaper configuration (cost_per_fold), then to the lower index.
std::vector<std::size_t> leaderboard_order(const std::vector<ConfigSummary>& configs);

struct ValueInfluence {
    std::string value;               // option text, as the option parser reads it back
    int configs = 0;                 // configurations with this value and a validation accuracy
    double mean = 0.0, best = 0.0;   // of their mean validation accuracies
    std::vector<double> accuracies;  // each configuration's mean validation accuracy (box plots)
};
struct OptionInfluence {
    std::string option;
    std::vector<ValueInfluence> values;  // in order of first appearance (the spec's list order)
    double spread = 0.0;                 // best value's mean - worst value's mean
};
// One entry per varied option, most influential (largest spread) first; ties keep the table's order.
std::vector<OptionInfluence> influence(const std::vector<ConfigSummary>& configs);

// Configurations per verdict, every verdict listed (in Verdict order), zeros included.
std::vector<std::pair<std::string, int>> verdict_counts(const std::vector<ConfigSummary>& configs);

// The configurations a user must act on (not_training, overfitting, failed), in leaderboard order.
std::vector<std::size_t> needs_action(const std::vector<ConfigSummary>& configs, const std::vector<std::size_t>& order);
// The inverse of a leaderboard order: rank_of[config index] = its position (0-based).
std::vector<std::size_t> ranks_of(const std::vector<std::size_t>& order);
bool is_not_training(const ConfigSummary& c);
bool has_vanishing_gradient(const ConfigSummary& c);  // `vanishing_gradient` among its causes

// One metric per epoch over a configuration's folds: mean, min and max over the folds that reached
// that epoch with a finite value (NaN where none did).
struct Band {
    std::vector<double> mean, min, max;
};
struct LearningCurves {
    std::vector<int> epochs;  // 1..longest fold
    Band train_acc, val_acc, train_loss, val_loss;
    int folds = 0;  // folds with at least one epoch
};
LearningCurves learning_curves(std::span<const UnitResult> units, std::uint64_t config);

// Gradient L2 norm of each dense layer (0 = input side) per epoch, mean over the folds.
struct LayerNorms {
    int layer = 0;
    std::vector<int> epochs;
    std::vector<double> norm;
};
std::vector<LayerNorms> gradient_norms(std::span<const UnitResult> units, std::uint64_t config);

}  // namespace dnnsweep
