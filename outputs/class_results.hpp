#pragma once
// The classes of a study in the results: their names and training rows (the `classes` table), the
// chance level the diagnosis used (root attributes `chance`, `chance_basis`), and per configuration
// the confusion matrix and per-class accuracy of its folds summed (`config_confusion`,
// `class_accuracy`). docs/hdf5-layout.md lists the fields.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/chance.hpp"
#include "engine/confusion.hpp"
#include "engine/hdf5/hdf5.hpp"
#include "outputs/results_store.hpp"

namespace dnnsweep {

// The name of each class: the data's own (info.class_names), or 0..classes-1 in decimal.
std::vector<std::string> class_labels(const RunInfo& info);

// The chance level recorded (info.chance), or 1/classes when none was (an older file, a test's
// RunInfo).
Chance run_chance(const RunInfo& info);

enum class PredictionPart { Validation, Test };

// The confusion matrix of a configuration's recorded folds summed (`units` holds only that
// configuration's units, as units_of() gives them). Empty when no fold recorded one.
ConfusionMatrix summed_confusion(std::span<const UnitResult> units, int classes, PredictionPart part);

namespace detail {

// `classes`: class, name, train_rows (train_rows 0 where the run did not count them).
h5::Table classes_table(const RunInfo& info);
// Reads `classes` and the chance attributes of a merged file into `info` when the file has them.
void read_class_info(const h5::File& f, RunInfo& info);
// Writes `classes`, `config_confusion`, `class_accuracy` and the chance attributes.
void write_class_results(const h5::File& f, const RunInfo& info, const std::vector<UnitResult>& units,
                         const std::vector<ConfigSummary>& configs);

// `config_confusion`: (config, split, true_class, predicted, count), non-zero cells of each
// configuration's summed matrices. `class_accuracy`: one row per (configuration, class).
h5::Table config_confusion_table(const std::vector<UnitResult>& units, const std::vector<ConfigSummary>& configs,
                                 int classes);
h5::Table class_accuracy_table(const std::vector<UnitResult>& units, const std::vector<ConfigSummary>& configs,
                               const std::vector<std::string>& names);

}  // namespace detail
}  // namespace dnnsweep
