#pragma once
// Pruning: stopping a training that the seed experiments' recipe (the lecture's table) already calls
// hopeless ("look at the training set first"): still at chance after a few epochs, its loss hardly
// moving, and the diagnosis naming a cause that does not go away by itself (mse on softmax,
// vanishing gradients, dead ReLUs, unscaled inputs). Such a network does not recover, and every
// further epoch is wasted cluster time. A plateau with no such cause (a shallow sigmoid network at
// lr 0.1 sits at chance for its first epochs, then trains) is left alone, and so is a run whose
// only cause is too few updates (a full batch has made prune-after steps: too few to judge).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config.hpp"
#include "engine/diagnosis.hpp"
#include "engine/prune_policy.hpp"
#include "engine/trainer.hpp"

namespace dnnsweep {

struct PruneSettings {
    PruneMode mode = PruneMode::Chance;
    int after = 3;               // `prune-after`: the epoch at which the chance rule looks (>= 2)
    double min_loss_drop = 0.1;  // `prune-loss-drop`: the fraction of its epoch-1 training loss a
                                 // training must have shed by then to be spared
    int halving_min_epochs = 1;  // `halving-min-epochs`: the first rung's epochs (>= 1)
    int halving_eta = 3;         // `halving-eta`: each rung trains eta times longer, and promotes the
                                 // top 1/eta of the configurations that reached it (>= 2)
};

// Successive halving's rungs for a configuration of `epochs` epochs: min, min*eta, min*eta^2, ...
// while below `epochs`, then `epochs` itself (the last rung trains in full). {epochs} when the
// first rung would not be shorter.
std::vector<int> halving_rungs(int epochs, const PruneSettings& settings);

// The chance rule, applied when `now` is epoch `after` (`first` is epoch 1) of a run making
// `steps_per_epoch` optimizer steps per epoch. Hopeless when all of: training accuracy below
// chance.not_training_below(chance_factor) (the diagnosis' own not-training level, 1.5 / classes
// by default with balanced classes, engine/chance.hpp); the
// training loss above (1 - min_loss_drop) times epoch 1's; and the diagnosis of the run so far
// gives not_training with a named cause other than few_updates alone. Returns those causes
// (empty: keep training).
std::vector<Cause> hopeless_at_chance(const TrainConfig& config, const EpochMetrics& first, const EpochMetrics& now,
                                      std::int64_t steps_per_epoch, const Chance& chance,
                                      const DiagnosisThresholds& thresholds, const PruneSettings& settings);
// With balanced classes: chance 1/classes.
std::vector<Cause> hopeless_at_chance(const TrainConfig& config, const EpochMetrics& first, const EpochMetrics& now,
                                      std::int64_t steps_per_epoch, int classes, const DiagnosisThresholds& thresholds,
                                      const PruneSettings& settings);

}  // namespace dnnsweep
