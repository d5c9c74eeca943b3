#include "engine/early_stopping.hpp"

#include <algorithm>

namespace dnnsweep {

bool EarlyStopping::should_stop(double monitored, int epoch, const Network& net) {
    if (!enabled()) return false;
    if (monitored < best_loss_) {
        best_loss_ = monitored;
        best_epoch_ = epoch;
        since_best_ = 0;
        best_params_ = AlignedBuffer(net.params().size());
        std::copy(net.params().begin(), net.params().end(), best_params_.data());
        best_state_ = AlignedBuffer(net.state().size());
        std::copy(net.state().begin(), net.state().end(), best_state_.data());
        return false;
    }
    return ++since_best_ >= patience_;
}

void EarlyStopping::restore(Network& net) const {
    std::copy(best_params_.span().begin(), best_params_.span().end(), net.params().begin());
    std::copy(best_state_.span().begin(), best_state_.span().end(), net.state().begin());
}

}  // namespace dnnsweep
