#include "engine/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace dnnsweep {
namespace {

// One step's constants, in float for the hot loop. The 1 - beta terms are computed in double:
// 1.0f - 0.999f is off by 1e-5 relative, float(1.0 - 0.999) is not.
struct Coeffs {
    float lr = 0;        // adam: the bias-corrected lr_t
    float momentum = 0;  // sgd
    float a = 0;         // rmsprop rho, adam beta1
    float a_c = 0;       // 1 - a
    float b = 0;         // adam beta2
    float b_c = 0;       // 1 - b
    float eps = 0;
    float wd = 0;
};

// The sum of squares the update loop can return: kLanes float accumulators in one vector (a
// single float is a dependent add per element, and gcc 12 does not vectorize an array of 16
// scalar accumulators: that ran at one element per cycle), summed in double every kBlock elements
// so the 475k-weight layers of the seed table do not lose precision. The vector type is generic:
// one zmm register in the AVX-512 clone, four xmm in the default one, the same lanes in both.
constexpr std::size_t kLanes = 16, kBlock = 4096;
using Lanes = float __attribute__((vector_size(kLanes * sizeof(float))));

// The update of parameter i. Kind, nesterov and decay are template arguments so the body has no
// branch (and no multiply by a zero decay) and gcc vectorizes it. The mask is 0/1 (normalised in
// the constructor): wd * mask is the decay.
template <Optimizer Kind, bool Nesterov, bool Decay, bool Plain>
inline __attribute__((always_inline)) void update_one(std::size_t i, float* __restrict w, const float* __restrict grad,
                                                      const std::uint8_t* __restrict mask, float* __restrict s1,
                                                      float* __restrict s2, const Coeffs& c) {
    float g = grad[i];
    if constexpr (Decay) g += c.wd * static_cast<float>(mask[i]) * w[i];
    if constexpr (Kind == Optimizer::Sgd && Plain) {
        // Momentum 0: v = 0 * v - lr * g = -(lr * g) (up to the sign of a zero), so the
        // velocity buffer, two of the five memory streams of a step larger than the caches,
        // is skipped.
        w[i] += -(c.lr * g);
    } else if constexpr (Kind == Optimizer::Sgd) {
        const float v = c.momentum * s1[i] - c.lr * g;
        s1[i] = v;
        if constexpr (Nesterov) {
            w[i] += c.momentum * v - c.lr * g;
        } else {
            w[i] += v;
        }
    } else if constexpr (Kind == Optimizer::Adagrad) {
        const float acc = s1[i] + g * g;
        s1[i] = acc;
        w[i] -= c.lr * g / (std::sqrt(acc) + c.eps);
    } else if constexpr (Kind == Optimizer::Rmsprop) {
        const float acc = c.a * s1[i] + c.a_c * g * g;
        s1[i] = acc;
        w[i] -= c.lr * g / (std::sqrt(acc) + c.eps);
    } else {
        const float m = c.a * s1[i] + c.a_c * g;
        const float v = c.b * s2[i] + c.b_c * g * g;
        s1[i] = m;
        s2[i] = v;
        w[i] -= c.lr * m / (std::sqrt(v) + c.eps);
    }
}

// The whole update for one optimizer kind, one pass over the flat buffers. With SumSquares it also
// returns the sum of squares of the gradients as given (before weight decay; else 0), so a caller
// that wants their norm need not read them again. The updates are element-wise: the blocking does
// not change them.
template <Optimizer Kind, bool Nesterov, bool Decay, bool SumSquares, bool Plain = false>
inline __attribute__((always_inline)) double update(std::size_t n, float* __restrict w, const float* __restrict grad,
                                                    const std::uint8_t* __restrict mask, float* __restrict s1,
                                                    float* __restrict s2, const Coeffs c) {
    double total = 0.0;
    for (std::size_t b = 0; b < n; b += kBlock) {
        const std::size_t end = std::min(n, b + kBlock);
        Lanes acc = {};
        std::size_t i = b;
        for (; i + kLanes <= end; i += kLanes) {
            if constexpr (SumSquares) {
                Lanes g;
                std::memcpy(&g, grad + i, sizeof g);
                acc += g * g;
            }
            // Without the pragma gcc 12 unrolls these 16 updates next to the vector sum and leaves
            // them scalar (3x slower than the update alone); with it they are vectorized. Clang
            // (the fuzz build) vectorizes without it, and with it warns when it cannot.
#if !defined(__clang__)
#pragma omp simd
#endif
            for (std::size_t k = 0; k < kLanes; ++k)
                update_one<Kind, Nesterov, Decay, Plain>(i + k, w, grad, mask, s1, s2, c);
        }
        for (; i < end; ++i) {
            if constexpr (SumSquares) acc[0] += grad[i] * grad[i];
            update_one<Kind, Nesterov, Decay, Plain>(i, w, grad, mask, s1, s2, c);
        }
        if constexpr (SumSquares)
            for (std::size_t k = 0; k < kLanes; ++k) total += acc[k];
    }
    return total;
}

template <bool Decay, bool SumSquares>
inline __attribute__((always_inline)) double run(Optimizer kind, bool nesterov, std::size_t n, float* w,
                                                 const float* grad, const std::uint8_t* mask, float* s1, float* s2,
                                                 const Coeffs& c) {
    switch (kind) {
    case Optimizer::Sgd:
        if (s1 == nullptr) return update<Optimizer::Sgd, false, Decay, SumSquares, true>(n, w, grad, mask, s1, s2, c);
        if (nesterov) return update<Optimizer::Sgd, true, Decay, SumSquares>(n, w, grad, mask, s1, s2, c);
        return update<Optimizer::Sgd, false, Decay, SumSquares>(n, w, grad, mask, s1, s2, c);
    case Optimizer::Adagrad:
        return update<Optimizer::Adagrad, false, Decay, SumSquares>(n, w, grad, mask, s1, s2, c);
    case Optimizer::Rmsprop:
        return update<Optimizer::Rmsprop, false, Decay, SumSquares>(n, w, grad, mask, s1, s2, c);
    case Optimizer::Adam:
        return update<Optimizer::Adam, false, Decay, SumSquares>(n, w, grad, mask, s1, s2, c);
    }
    return 0.0;
}

// The one entry point of the update loops, cloned for AVX-512 (picked at load time on CPUs that
// have it): the engine is built for generic x86-64, where the loops get 4-wide SSE only.
__attribute__((target_clones("arch=x86-64-v4", "default"))) double run_update(
    bool decay, bool sum_squares, Optimizer kind, bool nesterov, std::size_t n, float* w, const float* grad,
    const std::uint8_t* mask, float* s1, float* s2, const Coeffs& c) {
    if (sum_squares) {
        return decay ? run<true, true>(kind, nesterov, n, w, grad, mask, s1, s2, c)
                     : run<false, true>(kind, nesterov, n, w, grad, mask, s1, s2, c);
    }
    return decay ? run<true, false>(kind, nesterov, n, w, grad, mask, s1, s2, c)
                 : run<false, false>(kind, nesterov, n, w, grad, mask, s1, s2, c);
}

void require(bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("optimizer settings: " + what);
}

}  // namespace

OptimizerSettings OptimizerSettings::from(const TrainConfig& c) {
    OptimizerSettings s;  // Keras defaults for everything the configuration does not set
    s.kind = c.optimizer;
    s.learning_rate = c.effective_learning_rate();
    s.momentum = c.momentum;
    s.nesterov = c.nesterov;
    s.weight_decay = c.weight_decay;
    return s;
}

OptimizerState::OptimizerState(const OptimizerSettings& s, std::vector<std::uint8_t> decay_mask)
    : s_(s), decay_mask_(std::move(decay_mask)) {
    require(s_.learning_rate > 0.0 && std::isfinite(s_.learning_rate), "learning rate must be a finite number > 0");
    require(s_.momentum >= 0.0 && s_.momentum < 1.0, "momentum must be in [0, 1)");
    require(s_.beta1 >= 0.0 && s_.beta1 < 1.0, "beta1 must be in [0, 1)");
    require(s_.beta2 >= 0.0 && s_.beta2 < 1.0, "beta2 must be in [0, 1)");
    require(s_.rho >= 0.0 && s_.rho < 1.0, "rho must be in [0, 1)");
    require(s_.epsilon >= 0.0, "epsilon must be >= 0");
    require(s_.initial_accumulator >= 0.0, "initial accumulator must be >= 0");
    require(s_.weight_decay >= 0.0 && std::isfinite(s_.weight_decay), "weight decay must be a finite number >= 0");
    // The hot loop multiplies by the mask, so any nonzero entry must mean exactly 1.
    for (auto& b : decay_mask_) b = b != 0 ? 1 : 0;

    const std::size_t n = decay_mask_.size();
    switch (s_.kind) {
    case Optimizer::Sgd:
        // Without momentum (nesterov or not) the velocity is just -lr * g: no buffer.
        if (s_.momentum != 0.0) slot1_.assign(n, 0.0f);
        break;
    case Optimizer::Rmsprop:
        slot1_.assign(n, 0.0f);
        break;
    case Optimizer::Adagrad:
        slot1_.assign(n, static_cast<float>(s_.initial_accumulator));
        break;
    case Optimizer::Adam:
        slot1_.assign(n, 0.0f);
        slot2_.assign(n, 0.0f);
        break;
    }
}

void OptimizerState::step(std::span<float> params, std::span<const float> grads) { do_step(params, grads, false); }

double OptimizerState::step_and_sum_squares(std::span<float> params, std::span<const float> grads) {
    return do_step(params, grads, true);
}

double OptimizerState::do_step(std::span<float> params, std::span<const float> grads, bool sum_squares) {
    const std::size_t n = decay_mask_.size();
    if (params.size() != n || grads.size() != n) {
        throw std::invalid_argument("OptimizerState::step: " + std::to_string(params.size()) + " parameters and " +
                                    std::to_string(grads.size()) + " gradients, but the optimizer was built for " +
                                    std::to_string(n) + " (decay mask size); build it from the same network");
    }
    ++t_;
    Coeffs c;
    c.lr = static_cast<float>(s_.learning_rate);
    c.momentum = static_cast<float>(s_.momentum);
    c.eps = static_cast<float>(s_.epsilon);
    c.wd = static_cast<float>(s_.weight_decay);
    if (s_.kind == Optimizer::Rmsprop) {
        c.a = static_cast<float>(s_.rho);
        c.a_c = static_cast<float>(1.0 - s_.rho);
    } else if (s_.kind == Optimizer::Adam) {
        // Bias correction folded into the step size, in double (b^t underflows gracefully for large t).
        const auto t = static_cast<double>(t_);
        c.lr = static_cast<float>(s_.learning_rate * std::sqrt(1.0 - std::pow(s_.beta2, t)) /
                                  (1.0 - std::pow(s_.beta1, t)));
        c.a = static_cast<float>(s_.beta1);
        c.a_c = static_cast<float>(1.0 - s_.beta1);
        c.b = static_cast<float>(s_.beta2);
        c.b_c = static_cast<float>(1.0 - s_.beta2);
    }
    float* const s1 = slot1_.empty() ? nullptr : slot1_.data();  // null: sgd without momentum
    float* const s2 = slot2_.data();                             // null unless adam
    return run_update(s_.weight_decay != 0.0, sum_squares, s_.kind, s_.nesterov, n, params.data(), grads.data(),
                      decay_mask_.data(), s1, s2, c);
}

}  // namespace dnnsweep
