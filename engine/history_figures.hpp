#pragma once
// What a fold's per-epoch history shows beyond its last epoch: how far the training loss fell,
// whether it jumped back up, whether units died in the first epoch, whether gradients grew, and
// whether validation was still rising at the end. Read from the recorded curves only (training
// and validation figures as recorded, health figures), so the same numbers come from a live
// training and from a results file.
#include <limits>
#include <span>

#include "engine/trainer.hpp"

namespace dnnsweep {

struct HistoryFigures {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    // 1 - lowest training loss / the first epoch's: the fraction of its start the loss lost
    // (NaN with fewer than two finite epochs).
    double loss_drop = kNaN;
    // The first epoch's dead fraction of hidden relu-like units (0 for other activations).
    double early_dead_relu = kNaN;
    // The largest rise of the training loss above its lowest value at an earlier epoch, as a
    // fraction of the first epoch's loss (0: it never rose; NaN with fewer than two finite epochs).
    double loss_spike = kNaN;
    int spike_epoch = 0;        // the epoch of that rise (0: none)
    int lowest_loss_epoch = 0;  // the epoch with the lowest finite training loss (0: none)
    // The largest gradient norm a dense layer reached / that layer's first-epoch norm, over the
    // layers and epochs (NaN without gradient figures).
    double grad_growth = kNaN;
    // Validation accuracy gained per epoch over the last (up to) 5 epochs, least squares (NaN with
    // fewer than two epochs with a validation figure).
    double val_slope = kNaN;
};

HistoryFigures read_history(std::span<const EpochMetrics> history);

}  // namespace dnnsweep
