#pragma once
// The importance decomposition (outputs/importance.hpp) in the report's text and JSON.
#include <ostream>

#include "outputs/importance.hpp"
#include "outputs/json.hpp"

namespace dnnsweep {

// "Importance with interactions" section: the largest terms (at most ten, those of 0.5% or more),
// the rest summed, the higher-order share, and whether the decomposition is exact.
void write_importance_text(const Importance& imp, std::ostream& out);

// {exact, configs_used, grid_cells, mean, variance, higher_order, terms: [{term, a, b, variance,
// fraction}], heatmap: {rows, cols, row_values, col_values, mean} or null}.
Json importance_json(const Importance& imp);

}  // namespace dnnsweep
