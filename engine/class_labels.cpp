#include "engine/class_labels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "engine/text_format.hpp"

namespace dnnsweep {
namespace {

// A dataset with more classes than this is almost certainly a regression target or an id column.
constexpr std::size_t kMaxClasses = 1u << 20;

template <class T>
ClassLabels classes_by_sorted_values(const std::vector<T>& values, const auto& name_of, const std::string& what) {
    std::vector<T> distinct(values);
    std::ranges::sort(distinct);
    // std::unique, not std::ranges::unique: clang 14 (the fuzz build) rejects the latter's subrange.
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    if (distinct.size() > kMaxClasses)
        throw DataError(what + ": " + std::to_string(distinct.size()) + " distinct values, more than " +
                        std::to_string(kMaxClasses) + " classes (are these really class labels?)");
    ClassLabels out;
    out.classes = static_cast<int>(distinct.size());
    out.y.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        out.y[i] = static_cast<std::int32_t>(std::ranges::lower_bound(distinct, values[i]) - distinct.begin());
    out.names.reserve(distinct.size());
    for (const T& v : distinct) out.names.push_back(name_of(v));
    return out;
}

}  // namespace

ClassLabels classes_from_integers(const std::vector<std::int64_t>& values, const std::string& what) {
    if (values.empty()) return {};
    const auto [lo, hi] = std::ranges::minmax(values);
    // The common case, labels 0..K-1 with every class present: no names, no search per row.
    if (lo == 0 && hi < static_cast<std::int64_t>(kMaxClasses)) {
        std::vector<char> seen(static_cast<std::size_t>(hi) + 1, 0);
        for (const std::int64_t v : values) seen[static_cast<std::size_t>(v)] = 1;
        if (std::ranges::all_of(seen, [](char c) { return c != 0; })) {
            ClassLabels out;
            out.classes = static_cast<int>(hi) + 1;
            out.y.assign(values.begin(), values.end());
            return out;
        }
    }
    return classes_by_sorted_values(
        values, [](std::int64_t v) { return std::to_string(v); }, what);
}

ClassLabels classes_from_strings(const std::vector<std::string>& values, const std::string& what) {
    return classes_by_sorted_values(
        values, [](const std::string& s) { return s; }, what);
}

ClassLabels classes_from_array(const std::vector<std::int64_t>& values, std::size_t rows, std::size_t cols,
                               const std::string& what) {
    if (cols == 1) return classes_from_integers(values, what);
    ClassLabels out;
    out.classes = static_cast<int>(cols);
    out.y.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const std::int64_t* row = values.data() + r * cols;
        std::size_t one = cols;
        for (std::size_t c = 0; c < cols; ++c) {
            const auto at = [&] { return what + "[" + std::to_string(r) + ", " + std::to_string(c) + "]"; };
            if (row[c] != 0 && row[c] != 1)
                throw DataError(at() + " is " + std::to_string(row[c]) + ": one-hot labels (N x " +
                                std::to_string(cols) + ") hold only 0 and 1");
            if (row[c] == 1) {
                if (one != cols)
                    throw DataError(at() + " is a second 1 in the row (after column " + std::to_string(one) +
                                    "): one-hot labels have exactly one 1 per row");
                one = c;
            }
        }
        if (one == cols)
            throw DataError(what + "[" + std::to_string(r) + "] has no 1: one-hot labels have exactly one 1 per row");
        out.y[r] = static_cast<std::int32_t>(one);
    }
    return out;
}

ClassLabels classes_from_reals(const std::vector<double>& values, std::size_t rows, std::size_t cols,
                               const std::string& what) {
    std::vector<std::int64_t> ints(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9007199254740992.0) {
            const std::string index =
                cols == 1 ? std::to_string(i) : std::to_string(i / cols) + ", " + std::to_string(i % cols);
            throw DataError(what + "[" + index + "] is " + exact(v) +
                            ", not an integer: labels are classes (integers, strings or one-hot rows), not a "
                            "regression target");
        }
        ints[i] = static_cast<std::int64_t>(v);
    }
    return classes_from_array(ints, rows, cols, what);
}

void set_labels(Dataset& d, ClassLabels labels) {
    d.y = std::move(labels.y);
    d.classes = labels.classes;
    d.class_names = std::move(labels.names);
}

void check_finite(const float* x, std::size_t rows, std::size_t cols, const std::string& what) {
    const std::size_t n = rows * cols;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isfinite(x[i])) continue;
        const std::string problem = std::isnan(x[i]) ? "NaN" : "infinite (or beyond float32's range)";
        throw DataError(what + "[" + std::to_string(i / cols) + ", " + std::to_string(i % cols) + "] is " + problem +
                        ": features must be finite numbers (drop or fill the missing values first)");
    }
}

void check_several_classes(const Dataset& d) {
    if (d.y.empty()) return;
    const std::int32_t first = d.y.front();
    if (std::ranges::all_of(d.y, [&](std::int32_t y) { return y == first; }))
        throw DataError(d.source + ": every one of the " + std::to_string(d.y.size()) + " labels is class '" +
                        d.class_name(first) + "': a classifier needs at least two classes");
}

void align_test_set(Dataset& test, const Dataset& train) {
    if (test.features() != train.features())
        throw DataError(test.source + ": the test data has " + std::to_string(test.features()) +
                        " features, the training data (" + train.source + ") " + std::to_string(train.features()));
    std::unordered_map<std::string, std::int32_t> index;
    for (int c = 0; c < train.classes; ++c) index.emplace(train.class_name(c), c);
    std::vector<std::int32_t> to_train(static_cast<std::size_t>(test.classes), -1);
    std::vector<char> present(static_cast<std::size_t>(test.classes), 0);
    for (const std::int32_t y : test.y) present[static_cast<std::size_t>(y)] = 1;
    for (int c = 0; c < test.classes; ++c) {
        const auto it = index.find(test.class_name(c));
        if (it != index.end())
            to_train[static_cast<std::size_t>(c)] = it->second;
        else if (present[static_cast<std::size_t>(c)] != 0)
            throw DataError(test.source + ": the test data has class '" + test.class_name(c) +
                            "', which the training data (" + train.source + ") does not have");
    }
    for (std::int32_t& y : test.y) y = to_train[static_cast<std::size_t>(y)];
    test.classes = train.classes;
    test.class_names = train.class_names;
}

}  // namespace dnnsweep
