#include "engine/preprocess.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/huge_pages.hpp"
#include "engine/rng.hpp"
#include "engine/text_format.hpp"

namespace dnnsweep {
namespace {

// 1/spread as a float scale, or 1 when the feature is constant on the training rows (or so nearly
// constant that the reciprocal would not fit a float): such a feature carries no information and
// must not be blown up.
float inverse_or_one(double spread) {
    if (!(spread > 0.0)) return 1.0f;
    const double inv = 1.0 / spread;
    return inv < static_cast<double>(std::numeric_limits<float>::max()) ? static_cast<float>(inv) : 1.0f;
}

}  // namespace

Split holdout_split(std::size_t n, double test_fraction, std::uint64_t seed) {
    if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
        throw ConfigError("test-fraction: must be in [0, 1), got " + exact(test_fraction));
    }
    if (n > std::numeric_limits<std::uint32_t>::max()) {
        throw std::invalid_argument("holdout_split: " + std::to_string(n) +
                                    " rows is more than 32-bit row indices hold");
    }
    Rng rng(seed, Stream::Split);
    const std::vector<std::uint32_t> order = permutation(n, rng);
    const auto n_test = static_cast<std::size_t>(std::llround(static_cast<double>(n) * test_fraction));
    if (test_fraction > 0.0 && (n_test == 0 || n_test >= n)) {
        throw ConfigError("test-fraction: " + exact(test_fraction) + " of " + std::to_string(n) +
                          " rows leaves an empty " + (n_test == 0 ? "test" : "training") +
                          " part; use a fraction that holds out at least one row and keeps one, or 0 for no test part");
    }
    const auto cut = order.begin() + static_cast<std::ptrdiff_t>(n - n_test);
    return Split{std::vector<std::uint32_t>(order.begin(), cut), std::vector<std::uint32_t>(cut, order.end())};
}

Dataset gather(const Dataset& data, const std::vector<std::uint32_t>& rows) {
    const std::size_t cols = data.features();
    Dataset out;
    out.y.resize(rows.size());
    out.classes = data.classes;
    out.source = data.source;
    // Rows appended to reserved storage: a sized Matrix would write its zeros first, a third pass
    // over tens of MB per sweep unit.
    out.x.rows = rows.size();
    out.x.cols = cols;
    out.x.data.reserve(rows.size() * cols);
    advise_huge_pages(out.x.data.data(), rows.size() * cols * sizeof(float));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::size_t r = rows[i];
        if (r >= data.size() || r >= data.y.size()) {
            throw std::out_of_range("gather: row " + std::to_string(r) + " is outside the " +
                                    std::to_string(data.size()) + " rows of " + data.source);
        }
        out.x.data.insert(out.x.data.end(), data.x.row(r), data.x.row(r) + cols);
        out.y[i] = data.y[r];
    }
    return out;
}

InputScaler InputScaler::fit(const Matrix& train_x, Normalization n) {
    InputScaler s;
    if (n == Normalization::None || n == Normalization::BatchNorm) return s;  // identity: empty vectors
    if (train_x.rows == 0) {
        throw std::invalid_argument(std::string("InputScaler::fit: no training rows to fit ") + std::string(name(n)) +
                                    " scaling on");
    }
    const std::size_t cols = train_x.cols;
    s.shift.resize(cols);
    s.scale.resize(cols);
    if (n == Normalization::MinMax) {
        std::vector<float> lo(train_x.row(0), train_x.row(0) + cols);
        std::vector<float> hi = lo;
        for (std::size_t i = 1; i < train_x.rows; ++i) {
            const float* x = train_x.row(i);
            for (std::size_t j = 0; j < cols; ++j) {
                lo[j] = std::min(lo[j], x[j]);
                hi[j] = std::max(hi[j], x[j]);
            }
        }
        for (std::size_t j = 0; j < cols; ++j) {
            s.shift[j] = lo[j];  // a constant feature then maps to 0
            s.scale[j] = inverse_or_one(static_cast<double>(hi[j]) - static_cast<double>(lo[j]));
        }
        return s;
    }
    // ZScore: two passes in double (mean, then squared deviations) to avoid cancellation.
    const auto count = static_cast<double>(train_x.rows);
    std::vector<double> acc(cols, 0.0);
    for (std::size_t i = 0; i < train_x.rows; ++i) {
        const float* x = train_x.row(i);
        for (std::size_t j = 0; j < cols; ++j) acc[j] += x[j];
    }
    std::vector<double> mean(cols);
    for (std::size_t j = 0; j < cols; ++j) mean[j] = acc[j] / count;
    std::fill(acc.begin(), acc.end(), 0.0);
    for (std::size_t i = 0; i < train_x.rows; ++i) {
        const float* x = train_x.row(i);
        for (std::size_t j = 0; j < cols; ++j) {
            const double d = x[j] - mean[j];
            acc[j] += d * d;
        }
    }
    for (std::size_t j = 0; j < cols; ++j) {
        s.shift[j] = static_cast<float>(mean[j]);
        s.scale[j] = inverse_or_one(std::sqrt(acc[j] / count));  // population std
    }
    return s;
}

void InputScaler::apply(Matrix& x) const {
    if (shift.empty() && scale.empty()) return;  // identity scaler
    if (shift.size() != x.cols || scale.size() != x.cols) {
        throw std::invalid_argument("InputScaler::apply: scaler was fit on " + std::to_string(shift.size()) +
                                    " features but the data has " + std::to_string(x.cols));
    }
    const float* const sh = shift.data();
    const float* const sc = scale.data();
    for (std::size_t i = 0; i < x.rows; ++i) {
        float* const r = x.row(i);
        for (std::size_t j = 0; j < x.cols; ++j) r[j] = (r[j] - sh[j]) * sc[j];
    }
}

void add_gaussian_noise(Matrix& x, double stddev, std::uint64_t seed) {
    if (!(stddev >= 0.0 && std::isfinite(stddev))) {
        throw ConfigError("test-noise: must be a finite number >= 0, got " + exact(stddev));
    }
    if (stddev == 0.0) return;
    Rng rng(seed, Stream::Noise);
    for (std::size_t r = 0; r < x.rows; ++r) {  // row(): a view refuses the write, never skips it
        float* row = x.row(r);
        for (std::size_t c = 0; c < x.cols; ++c) row[c] += static_cast<float>(rng.normal() * stddev);
    }
}

float max_abs(const Matrix& x) {
    // Sixteen running maxima and sums in lanes, so the loop vectorizes (a test and early return per
    // element did not: 3.6 ms per MNIST unit). The sums show a NaN, which a max would drop; a
    // health figure must show it.
    constexpr std::size_t kLanes = 16;
    std::array<float, kLanes> m{}, sum{};
    const float* const e = x.elements();  // owned or viewed alike
    const std::size_t n = x.rows * x.cols;
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (std::size_t k = 0; k < kLanes; ++k) {
            const float a = std::fabs(e[i + k]);
            m[k] = m[k] > a ? m[k] : a;
            sum[k] += a;
        }
    }
    for (; i < n; ++i) {
        const float a = std::fabs(e[i]);
        m[0] = m[0] > a ? m[0] : a;
        sum[0] += a;
    }
    float largest = 0.0f;
    bool nan = false;
    for (std::size_t k = 0; k < kLanes; ++k) {
        largest = largest > m[k] ? largest : m[k];
        nan = nan || std::isnan(sum[k]);
    }
    return nan ? std::numeric_limits<float>::quiet_NaN() : largest;
}

}  // namespace dnnsweep
