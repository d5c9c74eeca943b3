#pragma once
// Confusion matrices: how many rows of each true class a model predicted as each class. A trained
// unit records one for its validation part (and one for the held-out test set), from the same
// inference passes that measure its accuracies; the report sums a configuration's folds.
#include <cstdint>
#include <span>
#include <vector>

namespace dnnsweep {

// One non-zero cell, as the results files store it (docs/hdf5-layout.md, `confusion`).
struct ConfusionCell {
    std::int32_t true_class = 0;
    std::int32_t predicted = 0;
    std::int64_t count = 0;
    bool operator==(const ConfusionCell&) const = default;
};

class ConfusionMatrix {
public:
    ConfusionMatrix() = default;  // no classes: nothing was measured
    explicit ConfusionMatrix(int classes);
    // The matrix of `classes` classes holding `cells` (added up where a cell repeats). Throws
    // std::invalid_argument for a cell outside [0, classes) or with a negative count.
    static ConfusionMatrix from_cells(int classes, std::span<const ConfusionCell> cells);

    int classes() const { return classes_; }
    bool empty() const { return classes_ == 0; }
    void add(int true_class, int predicted, std::int64_t count = 1);
    ConfusionMatrix& operator+=(const ConfusionMatrix& other);  // same classes, or either empty

    std::int64_t at(int true_class, int predicted) const;
    std::int64_t rows_of(int true_class) const;  // rows whose true class it is
    std::int64_t total() const;
    std::int64_t correct() const;  // the diagonal
    // The share of class `true_class`'s rows predicted right (its recall); NaN when it has none.
    double class_accuracy(int true_class) const;
    // Non-zero cells, true class then predicted class ascending.
    std::vector<ConfusionCell> cells() const;

private:
    int classes_ = 0;
    std::vector<std::int64_t> counts_;  // classes x classes, row = true class
};

}  // namespace dnnsweep
