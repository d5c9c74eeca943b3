#include "engine/loss.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace dnnsweep {
namespace {

struct RowMax {
    float value;
    int index;  // first index holding the maximum: ties go to the lowest class
};

RowMax row_max(const float* z, int classes) {
    RowMax m{z[0], 0};
    for (int j = 1; j < classes; ++j) {
        if (z[j] > m.value) m = {z[j], j};
    }
    return m;
}

// exp(z_j - zmax) in float (faster than double exp, and the gradient is float anyway; the argument
// is <= 0, so it cannot overflow): the libm path, for rows holding a NaN or infinite logit.
float exp_term(float z, double zmax) { return std::exp(static_cast<float>(static_cast<double>(z) - zmax)); }

// 16 floats in one register (GCC vector extension), passed by reference only: by value its ABI
// would differ between the clones below.
typedef float Vec __attribute__((vector_size(16 * sizeof(float))));
typedef std::int32_t IVec __attribute__((vector_size(16 * sizeof(std::int32_t))));

// x = exp(x), x <= 0: Cephes' expf (range reduction by ln 2, degree-6 polynomial, about 1 ulp),
// vectorized. Arguments below -87.3, where the result leaves the normal range, give 0.
inline __attribute__((always_inline)) void exp_nonpositive(Vec& x) {
    const Vec underflow = x < -87.3f ? Vec{} + 1.0f : Vec{};
    x = x < -87.3f ? Vec{} - 87.3f : x;
    // n = round(x / ln 2) by the 1.5 * 2^23 trick: the low bits of t hold n.
    constexpr float kMagic = 12582912.0f;
    const Vec t = x * 1.44269504088896341f + kMagic;
    const Vec n = t - kMagic;
    IVec bits;
    std::memcpy(&bits, &t, sizeof bits);
    const Vec r = x - n * 0.693359375f - n * -2.12194440e-4f;
    Vec p = Vec{} + 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const IVec scale_bits = ((bits - 0x4B400000) + 127) << 23;  // 2^n: n + the bias, in the exponent field
    Vec scale;
    std::memcpy(&scale, &scale_bits, sizeof scale);
    x = p * scale;
    x = underflow != 0.0f ? Vec{} : x;
}

// x[i] = exp(x[i]) over a whole batch of shifted logits at once: glibc's expf is a call per
// element, and the loss is a large part of a small network's step.
__attribute__((target_clones("arch=x86-64-v4", "default"))) void exp_all(float* x, std::size_t count) {
    std::size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        Vec v;
        std::memcpy(&v, x + i, sizeof v);
        exp_nonpositive(v);
        std::memcpy(x + i, &v, sizeof v);
    }
    if (i < count) {
        float buf[16] = {};
        std::copy(x + i, x + count, buf);
        Vec v;
        std::memcpy(&v, buf, sizeof v);
        exp_nonpositive(v);
        std::memcpy(buf, &v, sizeof v);
        std::copy_n(buf, count - i, x + i);
    }
}

bool all_finite(const float* z, int classes) {
    float sum = 0.0f;  // 0 unless some logit is NaN or infinite
    for (int j = 0; j < classes; ++j) sum += z[j] * 0.0f;
    return sum == 0.0f;
}

// The sum in double of a row's terms exp(z_j - zmax), which exp_all computed for finite rows;
// a row with a NaN or infinite logit gets them from libm, which propagates NaN (the caller
// detects it). Every term is <= 1 and the max's own term is 1, so the sum is in [1, classes] for
// finite logits.
double sum_exp(const float* z, int classes, double zmax, float* terms) {
    if (!all_finite(z, classes))
        for (int j = 0; j < classes; ++j) terms[j] = exp_term(z[j], zmax);
    double s = 0.0;
    for (int j = 0; j < classes; ++j) s += terms[j];
    return s;
}

// One sample of crossentropy: logsumexp(z) - z[y]; grad row (softmax - onehot) * inv_n. `terms`
// is the gradient row, or scratch when there is none.
double crossentropy_row(const float* z, int classes, std::int32_t y, double zmax, float* terms, float* grad,
                        double inv_n) {
    const double s = sum_exp(z, classes, zmax, terms);
    const double loss = std::log(s) - (static_cast<double>(z[y]) - zmax);
    if (grad != nullptr && std::isfinite(loss)) {
        const double k = inv_n / s;
        for (int j = 0; j < classes; ++j) grad[j] = static_cast<float>(static_cast<double>(grad[j]) * k);
        grad[y] -= static_cast<float>(inv_n);
    }
    return loss;
}

// One sample of Keras' mse on softmax outputs: L = (1/C) sum_j (p_j - t_j)^2. With
// g_j = dL/dp_j = (2/C)(p_j - t_j), the softmax Jacobian gives dL/dz_k = p_k (g_k - sum_j g_j p_j).
double mse_row(const float* z, int classes, std::int32_t y, double zmax, float* terms, float* grad, double inv_n) {
    const double inv_s = 1.0 / sum_exp(z, classes, zmax, terms);
    const double inv_c = 1.0 / classes;
    double sq = 0.0;
    double gp = 0.0;  // sum_j g_j p_j, without the 2/C factor
    for (int j = 0; j < classes; ++j) {
        const double e = terms[j];
        const double p = e * inv_s;
        const double d = p - (j == y ? 1.0 : 0.0);
        sq += d * d;
        gp += d * p;
        if (grad != nullptr) grad[j] = static_cast<float>(p);
    }
    const double loss = sq * inv_c;
    if (grad != nullptr && std::isfinite(loss)) {
        const double k = 2.0 * inv_c * inv_n;
        for (int j = 0; j < classes; ++j) {
            const double p = grad[j];
            const double d = p - (j == y ? 1.0 : 0.0);
            grad[j] = static_cast<float>(k * p * (d - gp));
        }
    }
    return loss;
}

}  // namespace

LossResult evaluate_loss(Loss loss, const float* logits, const std::int32_t* labels, std::size_t n, int classes,
                         float* dlogits, std::int32_t* predicted) {
    if (classes < 1) throw std::invalid_argument("evaluate_loss: classes must be >= 1, got " + std::to_string(classes));
    LossResult r;
    if (n == 0) return r;
    const double inv_n = 1.0 / static_cast<double>(n);
    const auto width = static_cast<std::size_t>(classes);
    // The exp terms go into the gradient rows, or without them here (grown once per thread).
    thread_local std::vector<float> scratch;
    if (dlogits == nullptr && scratch.size() < n * width) scratch.resize(n * width);
    float* const all_terms = dlogits != nullptr ? dlogits : scratch.data();
    // z - zmax for every row, then one vectorized exp over the batch.
    for (std::size_t i = 0; i < n; ++i) {
        const float* z = logits + i * width;
        const float zmax = row_max(z, classes).value;
        for (std::size_t j = 0; j < width; ++j) all_terms[i * width + j] = z[j] - zmax;
    }
    exp_all(all_terms, n * width);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t y = labels[i];
        if (y < 0 || y >= classes) {
            throw std::invalid_argument("evaluate_loss: label " + std::to_string(y) + " of sample " +
                                        std::to_string(i) + " is outside [0, " + std::to_string(classes) + ")");
        }
        const float* z = logits + i * width;
        float* g = dlogits != nullptr ? dlogits + i * width : nullptr;
        const RowMax m = row_max(z, classes);
        const double zmax = m.value;
        float* const terms = all_terms + i * width;
        const double l = loss == Loss::CrossEntropy ? crossentropy_row(z, classes, y, zmax, terms, g, inv_n)
                                                    : mse_row(z, classes, y, zmax, terms, g, inv_n);
        r.loss_sum += l;  // a non-finite sample makes the sum non-finite too: the batch loss is undefined
        if (!std::isfinite(l)) {
            r.finite = false;
            // No defined gradient for this sample: it contributes none, so the other rows stay usable.
            if (g != nullptr) std::fill_n(g, width, 0.0f);
            if (predicted != nullptr) predicted[i] = -1;
            continue;  // and no defined prediction either: not counted as correct
        }
        if (predicted != nullptr) predicted[i] = m.index;
        if (m.index == y) ++r.correct;
    }
    return r;
}

}  // namespace dnnsweep
