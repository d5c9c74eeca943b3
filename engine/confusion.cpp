#include "engine/confusion.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace dnnsweep {

ConfusionMatrix::ConfusionMatrix(int classes) : classes_(classes) {
    if (classes < 0) throw std::invalid_argument("confusion matrix: negative class count " + std::to_string(classes));
    counts_.assign(static_cast<std::size_t>(classes) * static_cast<std::size_t>(classes), 0);
}

ConfusionMatrix ConfusionMatrix::from_cells(int classes, std::span<const ConfusionCell> cells) {
    ConfusionMatrix m(classes);
    for (const ConfusionCell& c : cells) m.add(c.true_class, c.predicted, c.count);
    return m;
}

void ConfusionMatrix::add(int true_class, int predicted, std::int64_t count) {
    if (true_class < 0 || true_class >= classes_ || predicted < 0 || predicted >= classes_ || count < 0)
        throw std::invalid_argument("confusion matrix of " + std::to_string(classes_) + " classes: cell (" +
                                    std::to_string(true_class) + ", " + std::to_string(predicted) + ") count " +
                                    std::to_string(count) + " is out of range");
    counts_[static_cast<std::size_t>(true_class) * static_cast<std::size_t>(classes_) +
            static_cast<std::size_t>(predicted)] += count;
}

ConfusionMatrix& ConfusionMatrix::operator+=(const ConfusionMatrix& other) {
    if (other.empty()) return *this;
    if (empty()) return *this = other;
    if (other.classes_ != classes_)
        throw std::invalid_argument("confusion matrices of " + std::to_string(classes_) + " and " +
                                    std::to_string(other.classes_) + " classes cannot be added");
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    return *this;
}

std::int64_t ConfusionMatrix::at(int true_class, int predicted) const {
    if (true_class < 0 || true_class >= classes_ || predicted < 0 || predicted >= classes_)
        throw std::out_of_range("confusion matrix: no cell (" + std::to_string(true_class) + ", " +
                                std::to_string(predicted) + ")");
    return counts_[static_cast<std::size_t>(true_class) * static_cast<std::size_t>(classes_) +
                   static_cast<std::size_t>(predicted)];
}

std::int64_t ConfusionMatrix::rows_of(int true_class) const {
    std::int64_t n = 0;
    for (int p = 0; p < classes_; ++p) n += at(true_class, p);
    return n;
}

std::int64_t ConfusionMatrix::total() const { return std::accumulate(counts_.begin(), counts_.end(), std::int64_t{0}); }

std::int64_t ConfusionMatrix::correct() const {
    std::int64_t n = 0;
    for (int c = 0; c < classes_; ++c) n += at(c, c);
    return n;
}

double ConfusionMatrix::class_accuracy(int true_class) const {
    const std::int64_t n = rows_of(true_class);
    if (n == 0) return std::numeric_limits<double>::quiet_NaN();
    return static_cast<double>(at(true_class, true_class)) / static_cast<double>(n);
}

std::vector<ConfusionCell> ConfusionMatrix::cells() const {
    std::vector<ConfusionCell> out;
    for (int t = 0; t < classes_; ++t)
        for (int p = 0; p < classes_; ++p)
            if (const std::int64_t n = at(t, p); n != 0) out.push_back({t, p, n});
    return out;
}

}  // namespace dnnsweep
