#pragma once
// Optimizers over the network's one flat parameter buffer: a single fused loop per step updates
// every parameter, with the optimizer state (moments, accumulators) in buffers of the same size.
// Update rules are Keras' (TF2) ones, so the seed table's settings mean what they meant there.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/config.hpp"

namespace dnnsweep {

struct OptimizerSettings {
    Optimizer kind = Optimizer::Adam;
    double learning_rate = 1e-3;
    double momentum = 0.0;             // sgd
    bool nesterov = false;             // sgd
    double beta1 = 0.9;                // adam
    double beta2 = 0.999;              // adam
    double rho = 0.9;                  // rmsprop
    double epsilon = 1e-7;             // adam, adagrad, rmsprop
    double initial_accumulator = 0.1;  // adagrad
    double weight_decay = 0.0;         // L2: grad += weight_decay * w where decay_mask is 1

    static OptimizerSettings from(const TrainConfig& c);
};

class OptimizerState {
public:
    // decay_mask[i] is 1 for parameters that get L2 weight decay (dense weights), 0 otherwise
    // (biases, batchnorm scale/shift). Its size is the parameter count.
    OptimizerState(const OptimizerSettings& s, std::vector<std::uint8_t> decay_mask);

    // One update of params from grads (both the flat buffers, same size). grads is not modified.
    //  sgd:     v = momentum*v - lr*g;  w += v  (nesterov: w += momentum*v - lr*g)
    //  adagrad: a += g^2;               w -= lr*g / (sqrt(a) + eps)
    //  rmsprop: a = rho*a + (1-rho)g^2; w -= lr*g / (sqrt(a) + eps)
    //  adam:    m = b1*m + (1-b1)g; v = b2*v + (1-b2)g^2; t += 1;
    //           lr_t = lr*sqrt(1-b2^t)/(1-b1^t); w -= lr_t*m / (sqrt(v) + eps)
    // where g includes weight_decay * w for decayed parameters.
    void step(std::span<float> params, std::span<const float> grads);
    // The same update, bit for bit, also returning the sum of squares of grads (as given, before
    // weight decay), from the same pass over them: for the gradient norms, without a second read.
    // Summed in float lanes, in double across blocks of 4096, so the last digits depend on the order.
    double step_and_sum_squares(std::span<float> params, std::span<const float> grads);

    const OptimizerSettings& settings() const { return s_; }
    std::int64_t steps() const { return t_; }

private:
    double do_step(std::span<float> params, std::span<const float> grads, bool sum_squares);

    OptimizerSettings s_;
    std::vector<std::uint8_t> decay_mask_;
    std::vector<float> slot1_;  // sgd velocity, adagrad/rmsprop accumulator, adam m
    std::vector<float> slot2_;  // adam v
    std::int64_t t_ = 0;
};

}  // namespace dnnsweep
