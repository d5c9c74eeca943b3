#include "engine/input_shift.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace dnnsweep {
namespace {

// Per-feature mean and sample std (n - 1), accumulated in double around a first-row offset so a
// feature far from zero (raw readings in the thousands) keeps its small spread.
struct FeatureStats {
    std::vector<double> mean, std;
};

FeatureStats feature_stats(const Matrix& x) {
    const std::size_t n = x.rows, d = x.cols;
    FeatureStats s{std::vector<double>(d, 0.0), std::vector<double>(d, 0.0)};
    std::vector<double> sum(d, 0.0), sq(d, 0.0);
    const float* const first = x.row(0);
    for (std::size_t i = 0; i < n; ++i) {
        const float* r = x.row(i);
        for (std::size_t j = 0; j < d; ++j) {
            const double v = static_cast<double>(r[j]) - first[j];
            sum[j] += v;
            sq[j] += v * v;
        }
    }
    const auto rows = static_cast<double>(n);
    for (std::size_t j = 0; j < d; ++j) {
        const double m = sum[j] / rows;
        s.mean[j] = first[j] + m;
        s.std[j] = std::sqrt(std::max(0.0, (sq[j] - rows * m * m) / (rows - 1.0)));
    }
    return s;
}

// The two figures of `part` against the training statistics (denominator: the training stds' sum).
void compare(const Matrix& part, const FeatureStats& train, double train_spread, double& spread_ratio,
             double& mean_shift) {
    if (part.rows < InputShift::kMinRows || !(train_spread > 0.0)) return;
    const FeatureStats p = feature_stats(part);
    double spread = 0.0, shift = 0.0;
    for (std::size_t j = 0; j < p.std.size(); ++j) {
        if (!(train.std[j] > 0.0)) continue;  // constant in training: left out (see the header)
        spread += p.std[j];
        shift += std::fabs(p.mean[j] - train.mean[j]);
    }
    spread_ratio = spread / train_spread;
    mean_shift = shift / train_spread;
}

}  // namespace

InputShift measure_input_shift(const Matrix& train, const Matrix& val, const Matrix& test, double train_noise) {
    if ((val.rows != 0 && val.cols != train.cols) || (test.rows != 0 && test.cols != train.cols))
        throw std::invalid_argument("measure_input_shift: the parts differ in feature count (" +
                                    std::to_string(train.cols) + " training)");
    InputShift s;
    if (train.rows < InputShift::kMinRows) return s;
    const FeatureStats t = feature_stats(train);
    double spread = 0.0;
    for (const double sd : t.std)
        if (sd > 0.0) spread += std::sqrt(sd * sd + train_noise * train_noise);
    compare(val, t, spread, s.val_spread_ratio, s.val_mean_shift);
    compare(test, t, spread, s.test_spread_ratio, s.test_mean_shift);
    return s;
}

}  // namespace dnnsweep
