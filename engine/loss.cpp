#include "engine/loss.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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
// is <= 0, so it cannot overflow). Every path uses this one value, so the loss is the same whether
// or not a gradient row is filled.
float exp_term(float z, double zmax) { return std::exp(static_cast<float>(static_cast<double>(z) - zmax)); }

// sum_j exp(z_j - zmax), summed in double. Every term is <= 1 and the max's own term is 1, so the sum
// is in [1, classes] for finite logits; a NaN or +Inf logit makes it NaN, which the caller detects.
// With `out`, the terms are also stored there (the gradient row, reused as scratch: no allocation).
double sum_exp(const float* z, int classes, double zmax, float* out) {
    double s = 0.0;
    for (int j = 0; j < classes; ++j) {
        const float e = exp_term(z[j], zmax);
        if (out != nullptr) out[j] = e;
        s += e;
    }
    return s;
}

// One sample of crossentropy: logsumexp(z) - z[y]; grad row (softmax - onehot) * inv_n.
double crossentropy_row(const float* z, int classes, std::int32_t y, double zmax, float* grad, double inv_n) {
    const double s = sum_exp(z, classes, zmax, grad);
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
double mse_row(const float* z, int classes, std::int32_t y, double zmax, float* grad, double inv_n) {
    const double inv_s = 1.0 / sum_exp(z, classes, zmax, grad);
    const double inv_c = 1.0 / classes;
    double sq = 0.0;
    double gp = 0.0;  // sum_j g_j p_j, without the 2/C factor
    for (int j = 0; j < classes; ++j) {
        // Without a gradient row holding the terms, recompute them (evaluation only).
        const double e = grad != nullptr ? grad[j] : exp_term(z[j], zmax);
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

LossResult evaluate_loss(Loss loss, const float* logits, const std::int32_t* labels, std::size_t n,
                         int classes, float* dlogits) {
    if (classes < 1) throw std::invalid_argument("evaluate_loss: classes must be >= 1, got " + std::to_string(classes));
    LossResult r;
    if (n == 0) return r;
    const double inv_n = 1.0 / static_cast<double>(n);
    const auto width = static_cast<std::size_t>(classes);
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
        const double l = loss == Loss::CrossEntropy ? crossentropy_row(z, classes, y, zmax, g, inv_n)
                                                    : mse_row(z, classes, y, zmax, g, inv_n);
        r.loss_sum += l;  // a non-finite sample makes the sum non-finite too: the batch loss is undefined
        if (!std::isfinite(l)) {
            r.finite = false;
            // No defined gradient for this sample: it contributes none, so the other rows stay usable.
            if (g != nullptr) std::fill_n(g, width, 0.0f);
            continue;  // and no defined prediction either: not counted as correct
        }
        if (m.index == y) ++r.correct;
    }
    return r;
}

}  // namespace dnnsweep
