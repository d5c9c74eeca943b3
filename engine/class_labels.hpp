#pragma once
// Labels as files hold them (any integers, one-hot rows, strings) turned into class indices
// 0..K-1 with their names kept, and the checks every loader of a user's data shares.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/dataset.hpp"

namespace dnnsweep {

struct ClassLabels {
    std::vector<std::int32_t> y;
    int classes = 0;
    std::vector<std::string> names;  // empty when the values already were 0..classes-1
};

// Integer values of any range: classes in ascending value order, named by the values in decimal
// (no names when the values are exactly 0..K-1, every one present).
// `what` names the labels in errors ("PATH: labels 'y'").
ClassLabels classes_from_integers(const std::vector<std::int64_t>& values, const std::string& what);
// Strings: classes in sorted (byte) order, named by the strings.
ClassLabels classes_from_strings(const std::vector<std::string>& values, const std::string& what);
// A label array of `rows` x `cols` integers: cols == 1 gives class values, cols >= 2 one-hot rows
// (exactly one 1, the rest 0). `what` names the array ("PATH: labels 'y'") in errors, with the
// numpy-style index of the element at fault.
ClassLabels classes_from_array(const std::vector<std::int64_t>& values, std::size_t rows, std::size_t cols,
                               const std::string& what);
// The same for floating-point labels, which must be integral.
ClassLabels classes_from_reals(const std::vector<double>& values, std::size_t rows, std::size_t cols,
                               const std::string& what);

void set_labels(Dataset& d, ClassLabels labels);

// DataError "WHAT[row, col] is NaN" (or infinite) for the first non-finite element of rows x cols.
void check_finite(const float* x, std::size_t rows, std::size_t cols, const std::string& what);
// DataError when fewer than two classes occur in the labels: nothing to classify.
void check_several_classes(const Dataset& d);
// Renumbers `test`'s labels to `train`'s classes by name (class_name), and checks its feature count.
void align_test_set(Dataset& test, const Dataset& train);

}  // namespace dnnsweep
