#pragma once
// The chance level: the accuracy a model reaches without learning anything. With balanced classes
// that is 1/classes; where one class dominates, a model that always answers it scores that class's
// share (0.9 on a 90/10 dataset), and 1/classes would call such a model trained. The diagnosis'
// not-training rule and the chance pruning rule both judge against this level.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/dataset.hpp"
#include "engine/folds.hpp"

namespace dnnsweep {

struct Chance {
    int classes = 0;
    double level = 0.0;     // 1/classes, or the majority class's share of the training rows
    bool majority = false;  // level is the majority's share (imbalanced classes)

    // The training accuracy below which a model is at chance. Balanced: chance_factor x level
    // (1.5 / classes by default). With a majority class: level + (chance_factor - 1) / (classes - 1)
    // x (1 - level): the same share of the way from chance to a perfect score as chance_factor x
    // 1/classes is with balanced classes, so it equals that at level 1/classes and stays below 1.
    double not_training_below(double chance_factor) const;
    // "uniform" or "majority": how the level was chosen (the results' `chance_basis`).
    std::string_view basis() const { return majority ? "majority" : "uniform"; }
};

// 1/classes.
Chance uniform_chance(int classes);

// From the training rows per class: the majority class's share where classes are imbalanced,
// i.e. where that share reaches chance_factor / classes (a model answering only the majority class
// would pass the 1/classes rule); otherwise 1/classes, so near-balanced data such as MNIST (largest
// class 11% of 10) keeps the 1/classes level. No rows: 1/classes.
Chance chance_of(std::span<const std::uint64_t> rows_per_class, double chance_factor);

// Rows per class of a study's training pool (every row but the held-out test set), as
// engine/folds.hpp splits it.
std::vector<std::uint64_t> training_rows_per_class(const Dataset& data, const StudySplit& split);

}  // namespace dnnsweep
