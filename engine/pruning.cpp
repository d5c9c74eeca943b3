#include "engine/pruning.hpp"

#include <algorithm>
#include <cmath>

namespace dnnsweep {

std::vector<Cause> hopeless_at_chance(const TrainConfig& config, const EpochMetrics& first, const EpochMetrics& now,
                                      std::int64_t steps_per_epoch, int classes, const DiagnosisThresholds& thresholds,
                                      const PruneSettings& settings) {
    return hopeless_at_chance(config, first, now, steps_per_epoch, uniform_chance(classes), thresholds, settings);
}

std::vector<Cause> hopeless_at_chance(const TrainConfig& config, const EpochMetrics& first, const EpochMetrics& now,
                                      std::int64_t steps_per_epoch, const Chance& chance,
                                      const DiagnosisThresholds& thresholds, const PruneSettings& settings) {
    if (!policy(settings.mode).prunes_at_chance || chance.classes < 1 || first.epoch != 1 ||
        now.epoch != settings.after)
        return {};
    // A loss that is not finite is the trainer's business: it ends the run as diverged.
    if (!std::isfinite(first.train_loss) || !std::isfinite(now.train_loss)) return {};
    const bool at_chance = now.train_acc < chance.not_training_below(thresholds.chance_factor);
    const bool flat = now.train_loss > (1.0 - settings.min_loss_drop) * first.train_loss;
    if (!at_chance || !flat) return {};

    FoldOutcome so_far;
    so_far.train_acc = now.train_acc;
    so_far.val_acc = now.val_acc;
    so_far.epochs = now.epoch;
    so_far.steps = steps_per_epoch * now.epoch;
    so_far.last_health = now.health;
    Diagnosis d = diagnose(config, std::span<const FoldOutcome>(&so_far, 1), chance, thresholds);
    if (d.verdict != Verdict::NotTraining) return {};
    // `unknown` names nothing. `few_updates` alone says the run has made few optimizer steps so
    // far (a full batch: prune-after steps), too few to judge it by: such a run keeps climbing,
    // slowly (seed row 5: 0.27 after 20 epochs), and is left to train.
    std::erase(d.causes, Cause::Unknown);
    if (d.causes == std::vector<Cause>{Cause::FewUpdates}) return {};
    return d.causes;
}

std::vector<int> halving_rungs(int epochs, const PruneSettings& settings) {
    std::vector<int> rungs;
    for (long long r = settings.halving_min_epochs; r < epochs; r *= settings.halving_eta)
        rungs.push_back(static_cast<int>(r));
    rungs.push_back(epochs);
    return rungs;
}

}  // namespace dnnsweep
