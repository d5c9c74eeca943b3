#include "engine/optimizer.hpp"

#include <cmath>
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

// The whole update for one optimizer kind, one fused loop over the flat buffers. Kind, nesterov and
// decay are template arguments so the loop body has no branch (and no multiply by a zero decay) and
// gcc vectorizes it. The mask is 0/1 (normalised in the constructor): wd * mask is the decay.
template <Optimizer Kind, bool Nesterov, bool Decay, bool Plain = false>
inline __attribute__((always_inline)) void update(std::size_t n, float* __restrict w, const float* __restrict grad, const std::uint8_t* __restrict mask,
            float* __restrict s1, float* __restrict s2, const Coeffs c) {
    for (std::size_t i = 0; i < n; ++i) {
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
}

template <bool Decay>
inline __attribute__((always_inline)) void run(Optimizer kind, bool nesterov, std::size_t n, float* w, const float* grad, const std::uint8_t* mask,
         float* s1, float* s2, const Coeffs& c) {
    switch (kind) {
    case Optimizer::Sgd:
        if (s1 == nullptr) {
            update<Optimizer::Sgd, false, Decay, true>(n, w, grad, mask, s1, s2, c);
        } else if (nesterov) {
            update<Optimizer::Sgd, true, Decay>(n, w, grad, mask, s1, s2, c);
        } else {
            update<Optimizer::Sgd, false, Decay>(n, w, grad, mask, s1, s2, c);
        }
        break;
    case Optimizer::Adagrad:
        update<Optimizer::Adagrad, false, Decay>(n, w, grad, mask, s1, s2, c);
        break;
    case Optimizer::Rmsprop:
        update<Optimizer::Rmsprop, false, Decay>(n, w, grad, mask, s1, s2, c);
        break;
    case Optimizer::Adam:
        update<Optimizer::Adam, false, Decay>(n, w, grad, mask, s1, s2, c);
        break;
    }
}

// The one entry point of the update loops, cloned for AVX-512 (picked at load time on CPUs that
// have it): the engine is built for generic x86-64, where the loops get 4-wide SSE only.
__attribute__((target_clones("arch=x86-64-v4", "default")))
void run_update(bool decay, Optimizer kind, bool nesterov, std::size_t n, float* w, const float* grad,
                const std::uint8_t* mask, float* s1, float* s2, const Coeffs& c) {
    if (decay) {
        run<true>(kind, nesterov, n, w, grad, mask, s1, s2, c);
    } else {
        run<false>(kind, nesterov, n, w, grad, mask, s1, s2, c);
    }
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

void OptimizerState::step(std::span<float> params, std::span<const float> grads) {
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
    float* const s2 = slot2_.data();  // null unless adam
    run_update(s_.weight_decay != 0.0, s_.kind, s_.nesterov, n, params.data(), grads.data(), decay_mask_.data(), s1,
               s2, c);
}

}  // namespace dnnsweep
