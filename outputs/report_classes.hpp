#pragma once
// The report's class section: the chance level, each class's name and training rows, and for the
// top configurations their per-class accuracy and confusion matrix, folds summed (text, JSON, CSV
// exports, HTML).
#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/json.hpp"
#include "outputs/plot_plan.hpp"
#include "outputs/report.hpp"

namespace dnnsweep {

// Text: how many confusion matrices the text report prints (one per top configuration, at most
// this many) and the most classes a printed matrix may have (wider ones are left to JSON and CSV).
inline constexpr std::size_t kTextConfusionMatrices = 3;
inline constexpr int kTextConfusionMaxClasses = 20;

// "chance 0.10 (1/10 classes)" or "chance 0.90 (the majority class's share: neg, 900 of 1000
// training rows)".
std::string chance_text(const RunInfo& info);

// The section after the diagnosis: a blank line, then "Classes: ..." (nothing when the class
// count is unknown).
void write_classes_text(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t top,
                        std::ostream& out);
// {names, train_rows, chance, chance_basis, top: [{rank, config, config_id, validation, test}]};
// validation/test: {per_class: [{class, name, rows, accuracy}], confusion: rows of counts} or null.
Json classes_json(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t top);
// The CSV exports' class_accuracy.csv and confusion.csv tables, every configuration in leaderboard
// order, with `rank` and the class names beside the indices.
std::vector<std::pair<std::string, h5::Table>> class_csv_tables(const ReportSource& src,
                                                                const std::vector<std::size_t>& order);
// The plot plan's confusion-matrix figure of the best configuration (validation, folds summed;
// rows normalised, counts written in), its axes labelled with the class names; nothing when it
// has no matrix or more than kTextConfusionMaxClasses classes.
void add_confusion_figure(Json& figs, std::vector<Figure>& figures, const ReportSource& src,
                          const std::vector<std::size_t>& order, const std::vector<std::string>& varied);
// The HTML page's "Classes" section.
std::string classes_html(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t top);

}  // namespace dnnsweep
