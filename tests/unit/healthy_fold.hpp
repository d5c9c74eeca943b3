#pragma once
// A healthy fold for the diagnosis tests: 20 epochs of 80 steps, gradients alive through a
// 3-layer net, inputs scaled. Tests change what their case is about.
#include "engine/diagnosis.hpp"

namespace dnnsweep::test_support {

inline FoldOutcome healthy_fold(double train_acc, double val_acc) {
    FoldOutcome f;
    f.train_acc = train_acc;
    f.val_acc = val_acc;
    f.epochs = 20;
    f.steps = 20 * 80;
    f.last_health.grad_norm = {0.05, 0.08, 0.1, 0.4};
    f.last_health.max_abs_input = 1.0;
    return f;
}

}  // namespace dnnsweep::test_support
