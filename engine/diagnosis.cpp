#include "engine/diagnosis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/cause_fix.hpp"
#include "engine/text_format.hpp"

namespace dnnsweep {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string fraction_of(std::size_t part, std::size_t whole) {
    if (part == whole) return whole == 1 ? "the only fold" : "all " + std::to_string(whole) + " folds";
    return std::to_string(part) + " of " + std::to_string(whole) + " folds";
}

void check_thresholds(const DiagnosisThresholds& t) {
    // Named like the spec keys, so a bad sweep file points at its own line.
    const auto bad = [](const char* key, double v, const char* range) {
        throw ConfigError(std::string(key) + ": must be " + range + ", got " + exact(v));
    };
    if (!(t.chance_factor > 0.0 && std::isfinite(t.chance_factor))) bad("chance-factor", t.chance_factor, "> 0");
    if (!(t.underfit_error >= 0.0 && t.underfit_error <= 1.0)) bad("underfit-error", t.underfit_error, "in [0, 1]");
    if (!(t.overfit_gap >= 0.0 && t.overfit_gap <= 1.0)) bad("overfit-gap", t.overfit_gap, "in [0, 1]");
    if (!(t.vanishing_ratio >= 0.0 && std::isfinite(t.vanishing_ratio)))
        bad("vanishing-ratio", t.vanishing_ratio, ">= 0");
    if (!(t.dead_relu >= 0.0 && t.dead_relu <= 1.0)) bad("dead-relu", t.dead_relu, "in [0, 1]");
    if (!(t.unscaled_input >= 0.0)) bad("unscaled-input", t.unscaled_input, ">= 0");
    if (t.few_updates < 0) bad("few-updates", t.few_updates, ">= 0");
    if (!(t.loss_spike >= 0.0 && std::isfinite(t.loss_spike))) bad("loss-spike", t.loss_spike, ">= 0");
    if (!(t.flat_loss >= 0.0 && t.flat_loss <= 1.0)) bad("flat-loss", t.flat_loss, "in [0, 1]");
    if (!(t.exploding_gradient >= 0.0)) bad("exploding-gradient", t.exploding_gradient, ">= 0");
    if (!(t.saturated >= 0.0 && t.saturated <= 1.0)) bad("saturated", t.saturated, "in [0, 1]");
    if (!(t.still_improving >= 0.0 && std::isfinite(t.still_improving)))
        bad("still-improving", t.still_improving, ">= 0");
    if (!(t.input_shift >= 0.0 && std::isfinite(t.input_shift))) bad("input-shift", t.input_shift, ">= 0");
    if (!(t.heavy_dropout >= 0.0 && t.heavy_dropout <= 1.0)) bad("heavy-dropout", t.heavy_dropout, "in [0, 1]");
    if (!(t.heavy_weight_decay >= 0.0 && std::isfinite(t.heavy_weight_decay)))
        bad("heavy-weight-decay", t.heavy_weight_decay, ">= 0");
}

// Mean of the finite values (NaN when there are none): a fold without a validation part, or a
// figure a diverged run could not compute, must not turn the whole mean into NaN.
struct Mean {
    double sum = 0.0;
    std::size_t n = 0;
    void add(double v) {
        if (std::isfinite(v)) {
            sum += v;
            ++n;
        }
    }
    double value() const { return n > 0 ? sum / static_cast<double>(n) : nan; }
};

// What the folds that ran show, pooled: the figures the verdict and the causes are read from.
struct Evidence {
    std::size_t folds = 0, ran = 0, diverged = 0;
    std::size_t failed = 0;
    std::size_t pruned = 0;            // pruned folds that ran (at least one epoch)
    std::size_t not_started = 0;       // pruned folds never started (a sibling was pruned)
    std::size_t pruned_at_chance = 0;  // pruned folds whose training accuracy was below the chance level
    double pruned_chance_acc = nan;    // their mean training accuracy
    int pruned_min_epochs = 0, pruned_max_epochs = 0;
    int first_diverged_epoch = 0;
    double train_acc = nan, bias = nan, variance = nan, val_error = nan;
    // Folds trained as noisy as validated (FoldOutcome::noisy_train_acc): their mean noisy training
    // accuracy, from which `variance` is measured (NaN: no such fold, the clean figure is used).
    double noisy_train_acc = nan;
    double grad_ratio = nan;       // median over folds of first/last dense layer grad norm
    double dead_relu = nan;        // mean over folds
    double max_abs_input = nan;    // largest over folds
    double steps_per_epoch = nan;  // mean over folds
    double saturated = nan;        // mean over folds
    // From the folds' histories (engine/history_figures.hpp):
    double loss_drop = nan;                     // mean over folds
    double early_dead_relu = nan;               // mean over folds
    double grad_growth = nan;                   // largest over folds
    double val_slope = nan;                     // mean over folds
    std::size_t spiked = 0;                     // folds whose loss rose more than loss-spike above its best
    double loss_spike = nan;                    // the largest such rise
    int spike_epoch = 0, spike_best_epoch = 0;  // its epoch, and the lowest-loss epoch judged instead
    // The inputs against the training inputs (engine/input_shift.hpp), means over folds:
    double val_spread_ratio = nan, val_mean_shift = nan, test_spread_ratio = nan, test_mean_shift = nan;
};

// Whether a fold has a training outcome to read (possibly pruned before it started).
bool has_outcome(UnitStatus s) {
    switch (s) {
    case UnitStatus::Ok:
    case UnitStatus::Diverged:
    case UnitStatus::Pruned:
        return true;
    case UnitStatus::Failed:
    case UnitStatus::Stopped:
        return false;
    }
    return false;
}

// Pools the folds into an Evidence, one fold at a time.
class EvidenceBuilder {
public:
    // `not_training_acc`: the accuracy below which a fold is at chance (Chance::not_training_below).
    // `loss_spike`: the rise that makes a fold unstable, judged by its lowest-loss epoch, unless
    // `restores_best` (early stopping already keeps the best epoch's weights and figures).
    EvidenceBuilder(double not_training_acc, double loss_spike, bool restores_best)
        : not_training_acc_(not_training_acc), loss_spike_(loss_spike), restores_best_(restores_best) {}

    void add(const FoldOutcome& f) {
        ++e_.folds;
        if (!has_outcome(f.status)) {  // an error, not a training outcome: it says nothing about the model
            ++e_.failed;
            return;
        }
        const bool pruned = f.status == UnitStatus::Pruned;
        if (pruned && f.epochs <= 0) {  // never trained: no figures, only its sibling's verdict
            ++e_.not_started;
            return;
        }
        ++e_.ran;
        if (pruned) add_pruned(f);
        const bool spiked = f.status != UnitStatus::Diverged && f.history.loss_spike > loss_spike_;
        const bool by_best = spiked && !restores_best_ && std::isfinite(f.best_train_acc);
        const double train_acc = by_best ? f.best_train_acc : f.train_acc;
        const double val_acc = by_best ? f.best_val_acc : f.val_acc;
        train_acc_.add(train_acc);
        bias_.add(1.0 - train_acc);
        // Trained as noisy as validated: the gap is measured from the training rows with that noise
        // (like with like); the fit (bias) stays the clean rows'. An unstable fold judged by its
        // lowest-loss epoch has no noisy figure for that epoch, so keeps the clean one.
        const bool noisy = !by_best && std::isfinite(f.noisy_train_acc);
        variance_.add((1.0 - val_acc) - (1.0 - (noisy ? f.noisy_train_acc : train_acc)));
        if (noisy) noisy_train_acc_.add(f.noisy_train_acc);
        val_error_.add(1.0 - val_acc);
        if (f.status == UnitStatus::Diverged) add_diverged(f.diverged_epoch);
        if (spiked) add_spike(f.history);
        add_health(f.last_health);
        add_history(f.history);
        val_spread_.add(f.input_shift.val_spread_ratio);
        val_shift_.add(f.input_shift.val_mean_shift);
        test_spread_.add(f.input_shift.test_spread_ratio);
        test_shift_.add(f.input_shift.test_mean_shift);
        // A diverged fold stopped inside an epoch: its steps per epoch say nothing about the batch.
        if (f.epochs > 0 && f.status != UnitStatus::Diverged) steps_.add(static_cast<double>(f.steps) / f.epochs);
    }

    Evidence finish() {
        e_.train_acc = train_acc_.value();
        e_.bias = bias_.value();
        e_.variance = variance_.value();
        e_.val_error = val_error_.value();
        e_.noisy_train_acc = noisy_train_acc_.value();
        e_.dead_relu = dead_.value();
        e_.steps_per_epoch = steps_.value();
        e_.pruned_chance_acc = pruned_acc_.value();
        e_.saturated = saturated_.value();
        e_.loss_drop = loss_drop_.value();
        e_.early_dead_relu = early_dead_.value();
        e_.val_slope = val_slope_.value();
        e_.val_spread_ratio = val_spread_.value();
        e_.val_mean_shift = val_shift_.value();
        e_.test_spread_ratio = test_spread_.value();
        e_.test_mean_shift = test_shift_.value();
        if (!ratios_.empty()) {
            // Median: one fold with an odd last epoch should not decide the whole configuration.
            const auto mid = ratios_.begin() + static_cast<std::ptrdiff_t>(ratios_.size() / 2);
            std::nth_element(ratios_.begin(), mid, ratios_.end());
            e_.grad_ratio = *mid;
        }
        return e_;
    }

private:
    void add_pruned(const FoldOutcome& f) {
        ++e_.pruned;
        e_.pruned_min_epochs = e_.pruned == 1 ? f.epochs : std::min(e_.pruned_min_epochs, f.epochs);
        e_.pruned_max_epochs = std::max(e_.pruned_max_epochs, f.epochs);
        if (f.pruned_at_chance && f.train_acc < not_training_acc_) {  // false for NaN: no figure, no claim
            ++e_.pruned_at_chance;
            pruned_acc_.add(f.train_acc);
        }
    }

    void add_diverged(int epoch) {
        ++e_.diverged;
        if (epoch > 0 && (e_.first_diverged_epoch == 0 || epoch < e_.first_diverged_epoch))
            e_.first_diverged_epoch = epoch;
    }

    void add_spike(const HistoryFigures& h) {
        ++e_.spiked;
        if (std::isnan(e_.loss_spike) || h.loss_spike > e_.loss_spike) {
            e_.loss_spike = h.loss_spike;
            e_.spike_epoch = h.spike_epoch;
            e_.spike_best_epoch = h.lowest_loss_epoch;
        }
    }

    void add_history(const HistoryFigures& h) {
        loss_drop_.add(h.loss_drop);
        early_dead_.add(h.early_dead_relu);
        val_slope_.add(h.val_slope);
        if (std::isfinite(h.grad_growth))
            e_.grad_growth = std::isnan(e_.grad_growth) ? h.grad_growth : std::max(e_.grad_growth, h.grad_growth);
    }

    void add_health(const Health& h) {
        if (h.grad_norm.size() >= 2) {
            const double first = h.grad_norm.front(), last = h.grad_norm.back();
            // A zero last-layer norm means nothing moved at all: no ratio to read.
            if (std::isfinite(first) && std::isfinite(last) && last > 0.0) ratios_.push_back(first / last);
        }
        dead_.add(h.dead_relu);
        saturated_.add(h.saturated);
        if (std::isfinite(h.max_abs_input))
            e_.max_abs_input =
                std::isnan(e_.max_abs_input) ? h.max_abs_input : std::max(e_.max_abs_input, h.max_abs_input);
    }

    double not_training_acc_;
    double loss_spike_;
    bool restores_best_;
    Evidence e_;
    Mean train_acc_, bias_, variance_, val_error_, noisy_train_acc_, dead_, steps_, pruned_acc_, saturated_, loss_drop_,
        early_dead_, val_slope_, val_spread_, val_shift_, test_spread_, test_shift_;
    std::vector<double> ratios_;
};

Evidence gather_evidence(std::span<const FoldOutcome> folds, double not_training_acc, double loss_spike,
                         bool restores_best) {
    EvidenceBuilder b(not_training_acc, loss_spike, restores_best);
    for (const FoldOutcome& f : folds) b.add(f);
    return b.finish();
}

struct FoundCause {
    Cause cause;
    std::string text;  // the evidence and the fix, for the reason line
};

// Every cause that applies, in the fixed order that ranks them (docs/diagnosis.md): settings that
// explain the symptoms after them first (unscaled inputs saturate, kill units and blow up a
// training); then an observed blow-up (the other figures of a diverged run are computed on
// garbage); then a rate too high, which explains dead units and a zero gradient; then the measured
// symptoms; instability; a rate too low (only when nothing above explains the flat loss); last
// slowness, which makes training slow rather than stuck. Each text ends with its cause's fix
// (engine/cause_fix.hpp), which never repeats a value the configuration has.
std::vector<FoundCause> find_causes(const TrainConfig& config, const Evidence& e, const DiagnosisThresholds& t,
                                    double chance_acc) {
    std::vector<FoundCause> causes;
    const auto add = [&](Cause cause, const std::string& evidence) {
        causes.push_back({cause, evidence + "; " + fix_for(cause, config).text()});
    };
    if (config.loss == Loss::Mse) add(Cause::MseSoftmax, "mse loss on softmax outputs barely moves the weights");
    if (config.normalization == Normalization::None && e.max_abs_input > t.unscaled_input)
        add(Cause::UnscaledInputs, "inputs reach |x| = " + significant(e.max_abs_input, 6) +
                                       " with normalization none, which saturates or blows up the first layer");
    if (e.diverged > 0) {
        const std::string when =
            e.first_diverged_epoch > 0 ? " at epoch " + std::to_string(e.first_diverged_epoch) : std::string();
        add(Cause::Diverged, "the loss became NaN/Inf" + when + " (in " + fraction_of(e.diverged, e.ran) + ")");
    }
    if (e.grad_growth > t.exploding_gradient)
        add(Cause::ExplodingGradient, "a layer's gradient norm grew " + significant(e.grad_growth, 3) +
                                          " times its first epoch's (above " + significant(t.exploding_gradient, 6) +
                                          ")");
    const bool relu_like = family(config.activation) == ActivationFamily::ReluLike;
    const bool learned = e.train_acc >= chance_acc;  // false for NaN: no figures, no claim it learned
    if (relu_like && e.early_dead_relu > t.dead_relu)
        add(Cause::LrTooHigh, fixed(100.0 * e.early_dead_relu, 0) + "% of the hidden " +
                                  std::string(name(config.activation)) +
                                  " units died in the first epoch: the first steps were far too large");
    else if (e.spiked > 0 && !learned && std::isfinite(e.train_acc))
        add(Cause::LrTooHigh, "the training loss jumped at epoch " + std::to_string(e.spike_epoch) +
                                  ", rising above its best by " + fixed(e.loss_spike, 2) +
                                  " x its first epoch's loss, and never left chance");
    if (e.grad_ratio < t.vanishing_ratio)  // false for NaN: no gradient figures, no claim
        add(Cause::VanishingGradient, "the gradient vanishes toward the input (first/last layer gradient norm ratio " +
                                          scientific(e.grad_ratio, 1) + ", below " + scientific(t.vanishing_ratio, 1) +
                                          ", over " + std::to_string(config.layers) + " " +
                                          std::string(name(config.activation)) + " layers)");
    if (relu_like && e.dead_relu > t.dead_relu)
        add(Cause::DeadRelu, fixed(100.0 * e.dead_relu, 0) + "% of the hidden " + std::string(name(config.activation)) +
                                 " units never activate (dead)");
    const ActivationFamily fam = family(config.activation);
    if ((fam == ActivationFamily::Sigmoid || fam == ActivationFamily::Tanh) && e.saturated > t.saturated)
        add(Cause::Saturated, fixed(100.0 * e.saturated, 0) + "% of the hidden " +
                                  std::string(name(config.activation)) + " outputs sit in the flat tails (saturated)");
    if (e.spiked > 0 && learned)
        add(Cause::Unstable, "the training loss jumped at epoch " + std::to_string(e.spike_epoch) +
                                 ", rising above its best by " + fixed(e.loss_spike, 2) +
                                 " x its first epoch's loss (in " + fraction_of(e.spiked, e.ran) +
                                 "; judged by the best epoch, " + std::to_string(e.spike_best_epoch) + ")");
    // The training rows not fitted under heavy regularisation: the regulariser holds the fit back
    // (the bias/variance recipe: high bias, less regularisation). It explains a flat loss (weight
    // decay that pins the weights at zero) and slowness, so it comes before both.
    const bool heavy_dropout = config.dropout > 0.0 && config.dropout >= t.heavy_dropout;
    const bool heavy_decay = config.weight_decay > 0.0 && config.weight_decay >= t.heavy_weight_decay;
    if (e.bias > t.underfit_error && (heavy_dropout || heavy_decay)) {
        const std::string what = heavy_dropout ? "dropout " + significant(config.dropout, 6) +
                                                     " (at least heavy-dropout " + significant(t.heavy_dropout, 6) + ")"
                                               : "weight decay " + significant(config.weight_decay, 6) +
                                                     " (at least heavy-weight-decay " +
                                                     significant(t.heavy_weight_decay, 6) + ")";
        const std::string noise = config.train_noise > 0.0
                                      ? " with train-noise " + significant(config.train_noise, 6) + " regularising too"
                                      : std::string();
        add(Cause::OverRegularised, "training error " + fixed(e.bias, 2) + " under " + what + noise +
                                        ": the regularisation holds the fit back");
    }
    // A loss that barely moved, with enough updates and nothing above to explain it: the rate.
    if (causes.empty() && e.loss_drop < t.flat_loss && !(e.steps_per_epoch < t.few_updates))
        add(Cause::LrTooLow, "the training loss fell by only " + significant(100.0 * e.loss_drop, 2) +
                                 "% of its first epoch's value with healthy gradients");
    if (e.steps_per_epoch < t.few_updates) {
        const std::string batch =
            config.batch_size == 0 ? "full batch" : "batch size " + std::to_string(config.batch_size);
        const std::string steps =
            significant(e.steps_per_epoch, 6) + (e.steps_per_epoch == 1.0 ? " optimizer step" : " optimizer steps");
        add(Cause::FewUpdates, "only " + steps + " per epoch (" + batch + ") is too few updates to learn from");
    }
    if (e.val_slope > t.still_improving)
        add(Cause::StillImproving, "validation accuracy was still rising by " + fixed(100.0 * e.val_slope, 2) +
                                       " points per epoch at the end");
    return causes;
}

// "3 epochs", "1 epoch", "2 to 5 epochs".
std::string epochs_text(int lo, int hi) {
    if (lo == hi) return std::to_string(lo) + (lo == 1 ? " epoch" : " epochs");
    return std::to_string(lo) + " to " + std::to_string(hi) + " epochs";
}

// "; 2 not started" when pruned folds were never started.
std::string not_started_text(const Evidence& e) {
    return e.not_started > 0 ? "; " + std::to_string(e.not_started) + " not started" : std::string();
}

// "cause text" plus the other causes' names, so the line stays one line.
std::string explain(const std::vector<FoundCause>& causes) {
    std::string s = causes.front().text;
    if (causes.size() > 1) {
        s += " (also: ";
        for (std::size_t i = 1; i < causes.size(); ++i) s.append(i > 1 ? ", " : "").append(name(causes[i].cause));
        s += ")";
    }
    return s;
}

std::vector<Cause> ids(const std::vector<FoundCause>& causes) {
    std::vector<Cause> out;
    for (const FoundCause& c : causes) out.push_back(c.cause);
    return out;
}

// " [1 of 3 folds failed and are not counted]" when some failed.
std::string failed_note(const Evidence& e) {
    return e.failed > 0 ? " [" + fraction_of(e.failed, e.folds) + " failed and are not counted]" : "";
}

// Pruned folds the verdict does not already explain: their figures are those of the epoch they
// were stopped at, or with early stopping of their best epoch by then, whose weights the trainer
// restores (a rule that ranks trainings, as successive halving would, stops folds that do train,
// only less well than others).
std::string pruned_note(const TrainConfig& config, const Evidence& e) {
    if (e.pruned == 0) return "";
    return " [" + fraction_of(e.pruned, e.folds) + " pruned after " +
           epochs_text(e.pruned_min_epochs, e.pruned_max_epochs) + ", with the figures of " +
           (config.patience > 0 ? "the best epoch by then (patience)" : "that epoch") + not_started_text(e) + "]";
}

// Only folds that pruning never started: a sibling fold was pruned at chance, and its record is not
// among these (a sweep still running). The settings' causes are all there is to read.
Diagnosis never_started(const std::vector<FoundCause>& causes, const Evidence& e) {
    Diagnosis d;
    d.verdict = Verdict::NotTraining;
    d.bias = d.variance = nan;
    d.causes = causes.empty() ? std::vector<Cause>{Cause::Unknown} : ids(causes);
    d.reason = "pruned: " + fraction_of(e.not_started, e.folds) + (e.not_started == 1 ? " was" : " were") +
               " not started because a sibling fold was pruned at chance (not recorded yet)" +
               (causes.empty() ? std::string() : ": " + explain(causes)) + failed_note(e);
    return d;
}

// Every fold failed (or there were none): no training outcome to read.
Diagnosis all_failed(const Evidence& e) {
    Diagnosis d;
    d.verdict = Verdict::Failed;
    d.bias = d.variance = nan;
    d.reason = e.folds == 0 ? "no folds to diagnose"
                            : "all " + std::to_string(e.folds) +
                                  " folds failed with an error, so there is no training outcome to read; see "
                                  "the folds' errors";
    return d;
}

// Step 1 of the recipe: does the training set train at all? A NaN mean (no figures) is not
// evidence. A fold pruned at chance is a training that did not start to learn, whatever its
// siblings did.
bool at_chance(const Evidence& e, double chance_acc) {
    return e.train_acc < chance_acc || e.diverged > 0 || e.pruned_at_chance > 0;
}

// What shows the configuration does not train. A diverged fold's accuracy is that of NaN outputs:
// say "diverged", not "at chance".
std::string not_training_evidence(const Evidence& e, const Chance& chance) {
    if (e.diverged > 0) return "training diverged";
    const std::string level = fixed(chance.level, 2) + (chance.majority ? ", the majority class's share" : "");
    if (e.pruned_at_chance > 0)
        return "pruned at chance after " + epochs_text(e.pruned_min_epochs, e.pruned_max_epochs) +
               " (training accuracy " + fixed(e.pruned_chance_acc, 2) + ", chance " + level + ", in " +
               fraction_of(e.pruned_at_chance, e.folds) + not_started_text(e) + ")";
    return "training accuracy " + fixed(e.train_acc, 2) + " is at chance (" + level + ")";
}

Diagnosis not_training(const TrainConfig& config, const std::vector<FoundCause>& causes, const Evidence& e,
                       const Chance& chance) {
    Diagnosis d;
    d.verdict = Verdict::NotTraining;
    const std::string evidence = not_training_evidence(e, chance);
    if (causes.empty()) {
        d.causes = {Cause::Unknown};
        d.reason = evidence +
                   ": no cause stands out in the settings or health figures; lower the learning rate if the "
                   "loss jumps, raise it (or use adam) if it barely moves, and check the labels";
    } else {
        d.causes = ids(causes);
        d.reason = evidence + ": " + explain(causes);
    }
    // A fold pruned at chance is the evidence itself, unless a divergence came first.
    if (e.pruned_at_chance == 0 || e.diverged > 0) d.reason += pruned_note(config, e);
    d.reason += failed_note(e);
    return d;
}

// The remedies for overfitting the configuration does not use yet, most direct first.
std::string regularisation_left(const TrainConfig& config) {
    std::vector<std::string> left;
    if (config.dropout == 0.0) left.emplace_back("dropout");
    if (config.weight_decay == 0.0) left.emplace_back("weight decay");
    if (config.patience == 0) left.emplace_back("early stopping");
    if (left.empty()) return "more data (dropout, weight decay and early stopping are on)";
    std::string s;
    for (const std::string& r : left) s += (s.empty() ? "" : ", ") + r;
    return s + " or more data";
}

// Whether a part's inputs lie unlike the training inputs: spread by more than 1 + input-shift
// times theirs (or less than 1 / (1 + input-shift)), or means shifted by more than input-shift
// training stds. False for NaN figures (not measured: no claim).
bool shifted(double spread_ratio, double mean_shift, const DiagnosisThresholds& t) {
    return spread_ratio > 1.0 + t.input_shift || spread_ratio < 1.0 / (1.0 + t.input_shift) ||
           mean_shift > t.input_shift;
}

std::string shift_figures(double spread_ratio, double mean_shift) {
    return "their per-feature spread is " + fixed(spread_ratio, 2) + " x the training inputs' and their means lie " +
           fixed(mean_shift, 2) + " training stds away";
}

// The causes of an overfitting gap, root first: validation inputs unlike the training inputs (the
// gap is measured to come from the data, and no regulariser removes it), then unscaled inputs (a
// setting: seed row 9's gap closes once the inputs are scaled). Without either the verdict has none.
std::vector<FoundCause> overfitting_causes(const TrainConfig& config, const std::vector<FoundCause>& causes,
                                           const Evidence& e, const DiagnosisThresholds& t) {
    std::vector<FoundCause> out;
    if (shifted(e.val_spread_ratio, e.val_mean_shift, t)) {
        std::string evidence =
            "the gap comes from validation inputs unlike the training inputs, not from memorising: " +
            shift_figures(e.val_spread_ratio, e.val_mean_shift);
        if (config.test_noise > 0.0)
            evidence +=
                " (test-noise " + significant(config.test_noise, 6) + " adds Gaussian noise to them" +
                (config.train_noise > 0.0 ? ", train-noise " + significant(config.train_noise, 6) + " to training"
                                          : std::string()) +
                ")";
        out.push_back({Cause::InputShift, evidence + "; " + fix_for(Cause::InputShift, config).text()});
    }
    const auto unscaled = std::ranges::find(causes, Cause::UnscaledInputs, &FoundCause::cause);
    if (unscaled != causes.end()) out.push_back(*unscaled);
    return out;
}

// Step 2 of the recipe, for a configuration that trains: the verdict from bias and variance.
Diagnosis from_bias_variance(const TrainConfig& config, const std::vector<FoundCause>& causes, const Evidence& e,
                             const DiagnosisThresholds& t) {
    // Trained as noisy as validated, the gap is measured from the training rows with the validation's
    // noise (Evidence::noisy_train_acc): the reason gives both training errors.
    const bool noisy_gap = std::isfinite(e.noisy_train_acc);
    const double noisy_error = 1.0 - e.noisy_train_acc;
    const std::string errors =
        "training error " + fixed(e.bias, 2) +
        (noisy_gap ? " (" + fixed(noisy_error, 2) + " with the validation's noise)" : std::string()) +
        ", validation error " + fixed(e.val_error, 2) + " (gap " + fixed(e.variance, 2) +
        (noisy_gap ? " from the noisy training rows)" : ")");
    // Hazards worth a word even when the model trains (seed row 9: unscaled inputs can train with a
    // stable softmax, and still diverge with another optimizer or learning rate).
    const bool val_shifted = shifted(e.val_spread_ratio, e.val_mean_shift, t);
    std::string noise_note;
    if (config.test_noise > 0.0 && !val_shifted) {
        noise_note = "; the validation inputs carry Gaussian noise (std " + significant(config.test_noise, 6) + ")";
        if (noisy_gap)  // what the noise costs the model on rows it fitted: lost information, not memorising
            noise_note += " as the training inputs did: the " + fixed(std::max(0.0, noisy_error - e.bias), 2) +
                          " it adds to the training error is information it destroys, not memorising";
        else if (config.train_noise >= config.test_noise)  // a file written before the noisy figure
            noise_note +=
                ", and the training figures come from clean inputs, so part of the gap is what the noise hides";
        else
            noise_note += ", so part of the gap is a train/validation mismatch";
    }
    const auto note_of = [&](Cause c) {
        const auto found = std::ranges::find(causes, c, &FoundCause::cause);
        return found != causes.end() ? "; note: " + found->text : std::string();
    };
    const std::string unscaled_note = note_of(Cause::UnscaledInputs) + note_of(Cause::Unstable);

    Diagnosis d;
    if (e.variance > t.overfit_gap) {
        d.verdict = Verdict::Overfitting;
        const std::vector<FoundCause> gap_causes = overfitting_causes(config, causes, e, t);
        if (gap_causes.empty()) {
            d.reason = errors + ": overfitting; try " + regularisation_left(config) + noise_note;
        } else {
            // The root cause's fix first, as its repair trains; regularisation for what gap remains.
            d.causes = ids(gap_causes);
            d.reason = errors + ": overfitting; " + explain(gap_causes) + "; for the gap left, try " +
                       regularisation_left(config);
        }
        if (e.bias > t.underfit_error) d.reason += "; the training error is high too, so fix training first";
        d.reason += note_of(Cause::Unstable);
    } else if (val_shifted && e.bias <= t.underfit_error) {
        d.verdict = Verdict::Good;
        d.reason = errors + ": good fit; note: the validation inputs lie unlike the training inputs (" +
                   shift_figures(e.val_spread_ratio, e.val_mean_shift) + ")" + unscaled_note;
    } else if (e.bias > t.underfit_error) {
        // High bias without a large gap: still a training problem (recipe step 1), so the same causes apply.
        d.verdict = Verdict::Underfitting;
        d.causes = ids(causes);
        d.reason = errors + ": underfitting; " +
                   (causes.empty() ? "train longer, or " + fix_for_underfitting(config).text() : explain(causes));
    } else {
        d.verdict = Verdict::Good;
        d.reason = errors + ": good fit" + noise_note + unscaled_note;
    }
    d.reason += pruned_note(config, e) + failed_note(e);
    return d;
}

}  // namespace

Diagnosis diagnose(const TrainConfig& config, std::span<const FoldOutcome> folds, int classes,
                   const DiagnosisThresholds& thresholds) {
    return diagnose(config, folds, uniform_chance(classes), thresholds);
}

Diagnosis diagnose(const TrainConfig& config, std::span<const FoldOutcome> folds, const Chance& chance,
                   const DiagnosisThresholds& thresholds) {
    if (chance.classes < 1)
        throw std::invalid_argument("diagnose: need at least one class, got " + std::to_string(chance.classes));
    check_thresholds(thresholds);
    const double not_training_acc = chance.not_training_below(thresholds.chance_factor);
    const Evidence e = gather_evidence(folds, not_training_acc, thresholds.loss_spike, config.patience > 0);
    if (e.ran == 0 && e.not_started == 0) return all_failed(e);
    const std::vector<FoundCause> causes = find_causes(config, e, thresholds, not_training_acc);
    if (e.ran == 0) return never_started(causes, e);
    Diagnosis d = at_chance(e, not_training_acc) ? not_training(config, causes, e, chance)
                                                 : from_bias_variance(config, causes, e, thresholds);
    // A separate test set (`test-data`) unlike the training data: the folds' figures do not carry over to it.
    if (shifted(e.test_spread_ratio, e.test_mean_shift, thresholds) &&
        !shifted(e.val_spread_ratio, e.val_mean_shift, thresholds))
        d.reason += "; note: the test inputs lie unlike the training inputs (" +
                    shift_figures(e.test_spread_ratio, e.test_mean_shift) +
                    "), so test accuracy measures other data than the folds";
    d.bias = e.bias;
    d.variance = e.variance;
    return d;
}

}  // namespace dnnsweep
