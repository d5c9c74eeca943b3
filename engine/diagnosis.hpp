#pragma once
// The seed experiments' recipe (the lecture's table), applied to one configuration's folds: look at
// the training set first (does it train at all, and if not, why), then at the gap to validation.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/cause.hpp"
#include "engine/chance.hpp"
#include "engine/config.hpp"
#include "engine/history_figures.hpp"
#include "engine/input_shift.hpp"
#include "engine/trainer.hpp"
#include "engine/unit_status.hpp"
#include "engine/verdict.hpp"

namespace dnnsweep {

// Every threshold the verdicts use, with documented defaults (docs/diagnosis.md).
struct DiagnosisThresholds {
    double chance_factor = 1.5;         // not_training: mean train acc < chance_factor x chance
                                        // (engine/chance.hpp: 1.5 / classes with balanced classes)
    double underfit_error = 0.10;       // underfitting: mean train error (bias) above this...
    double overfit_gap = 0.05;          // ...overfitting: variance (val error - train error) above this
    double vanishing_ratio = 1e-3;      // vanishing gradient: first/last layer grad norm below this
    double dead_relu = 0.5;             // dead ReLUs: fraction of dead hidden units above this
    double unscaled_input = 10.0;       // unscaled inputs: max |x| above this
    int few_updates = 10;               // too few updates: fewer optimizer steps per epoch than this
    double loss_spike = 0.5;            // unstable / lr too high: the training loss rose above its best by
                                        // more than this fraction of its first epoch's loss
    double flat_loss = 0.05;            // lr too low: the training loss fell by less than this fraction
    double exploding_gradient = 100.0;  // a layer's gradient norm grew more than this many times
    double saturated = 0.5;             // saturated: fraction of sigmoid/tanh outputs in the flat tails
    double still_improving = 0.002;     // still improving: validation accuracy gained per epoch at the end
    double input_shift = 0.5;           // input shift: the validation inputs' spread ratio beyond 1 + this
                                        // (or below 1 / (1 + this)), or their mean shift above this
    double heavy_dropout = 0.5;         // over-regularised: a configuration that does not fit its training
    double heavy_weight_decay = 1e-3;   // rows with dropout or weight decay at least this
};

// What one fold of a configuration produced.
struct FoldOutcome {
    // Ok or Diverged: trained. Pruned: stopped by pruning after `epochs` epochs (its figures are
    // that epoch's); epochs 0: never started, a sibling fold was pruned. Failed: threw (an error,
    // not a training outcome); Stopped (abandoned) counts as Failed: it has no outcome either.
    UnitStatus status = UnitStatus::Ok;
    bool pruned_at_chance = false;  // Pruned by the chance rule (engine/pruning.hpp): judged not to
                                    // train, whatever its siblings did (a unit paused by successive
                                    // halving is `pruned` only: ranked low, not judged)
    double train_acc = 0.0, val_acc = 0.0;
    int epochs = 0;
    int diverged_epoch = 0;
    std::int64_t steps = 0;  // optimizer steps over the whole run
    Health last_health;      // the last epoch's health figures
    HistoryFigures history;  // what the whole history shows (engine/history_figures.hpp)
    // The figures of the epoch with the lowest training loss (history.lowest_loss_epoch): an unstable
    // fold is judged by them (NaN: not known).
    double best_train_acc = HistoryFigures::kNaN, best_val_acc = HistoryFigures::kNaN;
    InputShift input_shift;  // the validation and test inputs against the training inputs (NaN: not measured)
    // Trained with noise as strong as the validation's: the training rows' accuracy with that noise
    // (TrainResult::noisy_train_acc), which the gap is measured from; NaN: the clean figure is used.
    double noisy_train_acc = HistoryFigures::kNaN;
};

struct Diagnosis {
    double bias = 0.0;      // mean training error over the folds that ran
    double variance = 0.0;  // mean (validation error - training error)
    Verdict verdict = Verdict::Good;
    std::string reason;         // one human-readable line: the verdict's evidence and fix
    std::vector<Cause> causes;  // not_training (and underfitting): likely causes, most
                                // likely first (engine/cause.hpp); not_training without one
                                // is {Cause::Unknown}
};

Diagnosis diagnose(const TrainConfig& config, std::span<const FoldOutcome> folds, const Chance& chance,
                   const DiagnosisThresholds& thresholds = {});
// With balanced classes: chance 1/classes.
Diagnosis diagnose(const TrainConfig& config, std::span<const FoldOutcome> folds, int classes,
                   const DiagnosisThresholds& thresholds = {});

}  // namespace dnnsweep
