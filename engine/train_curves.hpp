#pragma once
// What the per-epoch training figures are: the running figures of the epoch's batches (free) or an
// inference pass over the training part (exact), and the user-facing names of the two.
#include <string_view>
#include <vector>

namespace dnnsweep {

// Which epochs' training figures (train_loss, train_acc, dead_relu, saturated) come from an
// inference pass over the whole training part; the others are running figures of the epoch's own
// batches, free while training. Always by the pass: the first and last epochs, the kept epoch with early
// stopping, every epoch of early stopping without a validation part, and a diverging epoch; so the
// final figures, and what the diagnosis and early stopping read, are the same either way.
struct TrainCurves {
    bool exact_every_epoch = false;  // `train-curves = exact`: the pass after every epoch
    std::vector<int> exact_epochs;   // also these (the chance rule's epochs 1 and prune-after)
};

// "running" -> false, "exact" -> true; ConfigError naming both otherwise.
bool parse_train_curves(std::string_view s);
std::string_view train_curves_name(bool exact_every_epoch);

}  // namespace dnnsweep
