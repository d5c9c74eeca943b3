#pragma once
// The `configs` table: one row per configuration, its folds summarised and diagnosed.
#include <string>
#include <vector>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/results_store.hpp"

namespace dnnsweep::detail {

// One summary per configuration with at least one finished unit (status ok, diverged, pruned or
// failed; `stopped` units were abandoned and count for nothing), in configuration order. Means and
// population stds (numpy's default, as scikit-learn's cv_results_) are over the folds that trained
// (ok, diverged, and pruned folds that ran at least one epoch); diagnose() sees every finished
// fold. Epochs planned per fold are the configuration's `epochs`. `units` must belong to `grid`.
std::vector<ConfigSummary> summarize(const std::vector<UnitResult>& units, const SweepSpec& spec, const Grid& grid,
                                     const Chance& chance);
// With balanced classes: chance 1/classes.
std::vector<ConfigSummary> summarize(const std::vector<UnitResult>& units, const SweepSpec& spec, const Grid& grid,
                                     int classes);

// Columns: config, config_id, section, one per option of the option table (config_options.hpp) typed by its
// value (a column whose rows differ in type is text), then the summary fields.
h5::Table configs_table(const std::vector<ConfigSummary>& configs);
// The inverse; settings start from a default TrainConfig and take every option column present.
std::vector<ConfigSummary> configs_from_table(const h5::Table& table);

}  // namespace dnnsweep::detail
