#pragma once
// Output losses over logits (the last dense layer, before softmax). Both return the batch mean and
// write d(mean loss)/d(logits), so the network's backward pass starts from the logits.
#include <cstddef>
#include <cstdint>

#include "engine/config.hpp"

namespace dnnsweep {

struct LossResult {
    double loss_sum = 0.0;    // sum over the batch of per-sample losses (divide by n for the mean)
    std::size_t correct = 0;  // argmax(logits) == label; ties go to the lowest class index
    bool finite = true;       // false when any per-sample loss is NaN or Inf
};

// crossentropy: -log softmax(z)[y], computed as logsumexp(z) - z[y] with the max subtracted
// (never from clipped probabilities). mse: mean over classes of (softmax(z) - onehot(y))^2, as Keras.
// dlogits (n x classes, may be null for evaluation) receives the gradient of the batch mean loss.
// predicted (n, may be null) receives each row's predicted class (the argmax counted in `correct`),
// or -1 for a row whose loss is not finite (no defined prediction).
LossResult evaluate_loss(Loss loss, const float* logits, const std::int32_t* labels, std::size_t n, int classes,
                         float* dlogits, std::int32_t* predicted = nullptr);

}  // namespace dnnsweep
