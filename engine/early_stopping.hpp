#pragma once
// Early stopping: watches the monitored loss after every epoch, keeps a copy of the weights (and
// batchnorm statistics) of the best one, and says when `patience` epochs went by without a better.
#include <limits>

#include "engine/aligned_buffer.hpp"
#include "engine/network.hpp"

namespace dnnsweep {

class EarlyStopping {
public:
    explicit EarlyStopping(int patience) : patience_(patience) {}

    bool enabled() const { return patience_ > 0; }
    // After `epoch` measured `monitored`: copies the network when it is the best so far; true when
    // training should stop. Always false when disabled.
    bool should_stop(double monitored, int epoch, const Network& net);
    // The epoch whose weights were kept (0: none yet).
    int best_epoch() const { return best_epoch_; }
    // Puts the kept weights and statistics back into `net`.
    void restore(Network& net) const;

private:
    int patience_;
    int best_epoch_ = 0;
    int since_best_ = 0;
    double best_loss_ = std::numeric_limits<double>::infinity();
    AlignedBuffer best_params_, best_state_;
};

}  // namespace dnnsweep
