#pragma once
// Which settings matter, with interactions: a functional-ANOVA decomposition of the configurations'
// mean validation accuracy over the grid of the varied settings (Hooker 2007; the decomposition
// fANOVA computes on a random forest's prediction, here computed on the measured grid itself).
//
// With y(x) the accuracy of the configuration with levels x, f0 the mean of y, the main effect of
// setting i is f_i(a) = mean(y | x_i = a) - f0 and the pairwise interaction of i and j is
// f_ij(a, b) = mean(y | x_i = a, x_j = b) - f_i(a) - f_j(b) - f0. A term's importance is its variance
// over the configurations as a fraction of the variance of y. On a full grid (every combination of
// the levels present once, every accuracy finite) the levels are independent and uniformly weighted,
// so this is the exact decomposition: the fractions of all terms, higher orders included, sum to 1.
// On an incomplete grid (a `sample` of it, a partial sweep, configurations that never trained) the
// means are over the configurations present, weighted by their count: an approximation that treats
// the missing cells as missing at random; `exact` is false and the report says so.
#include <cstddef>
#include <string>
#include <vector>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/results_store.hpp"
#include "outputs/setting_levels.hpp"

namespace dnnsweep {

struct ImportanceTerm {
    std::string a, b;       // the setting(s): b empty for a main effect
    double variance = 0.0;  // of the term over the configurations
    double fraction = 0.0;  // variance / the accuracy's variance (0 when that is 0)
    std::string name() const { return b.empty() ? a : a + " x " + b; }
};

struct Importance {
    bool exact = false;                 // full grid: the decomposition is exact
    std::size_t configs_used = 0;       // configurations with a finite mean validation accuracy
    std::size_t grid_cells = 0;         // combinations of the varied settings' levels
    double mean = 0.0;                  // f0
    double variance = 0.0;              // of the accuracy over the configurations used
    std::vector<ImportanceTerm> terms;  // main effects and pairs, largest fraction first
    double higher_order = 0.0;          // 1 - the terms' fractions: three-way and higher (and, off a full grid, bias)

    // The heat map: the two settings with the largest total share (main effect plus their pairs),
    // their levels, and the mean accuracy of each (row, column) cell (NaN where none was measured).
    std::string row_option, col_option;
    std::vector<std::string> row_values, col_values;
    std::vector<std::vector<double>> cell_mean;
};

// Empty terms when fewer than two configurations have an accuracy or nothing is varied.
Importance importance(const std::vector<ConfigSummary>& configs, const std::vector<SettingLevels>& levels);

// The terms as a table: term, a, b, variance, fraction (the report's CSV and the results' `importance`
// dataset).
h5::Table importance_table(const Importance& imp);

// Writes the `importance` dataset (importance_table, with attributes exact, mean, variance,
// higher_order, configs_used, grid_cells) into an open results file; nothing when there are no terms.
void write_importance_dataset(const h5::File& file, const std::vector<ConfigSummary>& configs);

}  // namespace dnnsweep
