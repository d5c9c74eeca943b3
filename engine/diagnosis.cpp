#include "engine/diagnosis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

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
    double grad_ratio = nan;       // median over folds of first/last dense layer grad norm
    double dead_relu = nan;        // mean over folds
    double max_abs_input = nan;    // largest over folds
    double steps_per_epoch = nan;  // mean over folds
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
    // `not_training_acc`: the accuracy below which a fold is at chance (chance-factor / classes).
    explicit EvidenceBuilder(double not_training_acc) : not_training_acc_(not_training_acc) {}

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
        train_acc_.add(f.train_acc);
        bias_.add(1.0 - f.train_acc);
        variance_.add((1.0 - f.val_acc) - (1.0 - f.train_acc));
        val_error_.add(1.0 - f.val_acc);
        if (f.status == UnitStatus::Diverged) add_diverged(f.diverged_epoch);
        add_health(f.last_health);
        if (f.epochs > 0) steps_.add(static_cast<double>(f.steps) / f.epochs);
    }

    Evidence finish() {
        e_.train_acc = train_acc_.value();
        e_.bias = bias_.value();
        e_.variance = variance_.value();
        e_.val_error = val_error_.value();
        e_.dead_relu = dead_.value();
        e_.steps_per_epoch = steps_.value();
        e_.pruned_chance_acc = pruned_acc_.value();
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

    void add_health(const Health& h) {
        if (h.grad_norm.size() >= 2) {
            const double first = h.grad_norm.front(), last = h.grad_norm.back();
            // A zero last-layer norm means nothing moved at all: no ratio to read.
            if (std::isfinite(first) && std::isfinite(last) && last > 0.0) ratios_.push_back(first / last);
        }
        dead_.add(h.dead_relu);
        if (std::isfinite(h.max_abs_input))
            e_.max_abs_input =
                std::isnan(e_.max_abs_input) ? h.max_abs_input : std::max(e_.max_abs_input, h.max_abs_input);
    }

    double not_training_acc_;
    Evidence e_;
    Mean train_acc_, bias_, variance_, val_error_, dead_, steps_, pruned_acc_;
    std::vector<double> ratios_;
};

Evidence gather_evidence(std::span<const FoldOutcome> folds, double not_training_acc) {
    EvidenceBuilder b(not_training_acc);
    for (const FoldOutcome& f : folds) b.add(f);
    return b.finish();
}

struct FoundCause {
    Cause cause;
    std::string text;  // the evidence and the fix, for the reason line
};

// Every cause that applies, in the fixed order that ranks them (docs/diagnosis.md): an observed
// blow-up first (the other figures of a diverged run are computed on garbage); then settings known
// to stop a classifier on their own, root causes before the symptoms they produce (unscaled inputs
// saturate and kill units); then the measured symptoms; last too few updates, which makes training
// slow rather than stuck.
std::vector<FoundCause> find_causes(const TrainConfig& config, const Evidence& e, const DiagnosisThresholds& t) {
    std::vector<FoundCause> causes;
    if (e.diverged > 0) {
        const std::string when =
            e.first_diverged_epoch > 0 ? " at epoch " + std::to_string(e.first_diverged_epoch) : std::string();
        causes.push_back({Cause::Diverged, "the loss became NaN/Inf" + when + " (in " + fraction_of(e.diverged, e.ran) +
                                               "); lower the learning rate (now " +
                                               significant(config.effective_learning_rate(), 6) + ")"});
    }
    if (config.loss == Loss::Mse) {
        causes.push_back({Cause::MseSoftmax, "mse loss on softmax outputs barely moves the weights; use crossentropy"});
    }
    if (config.normalization == Normalization::None && e.max_abs_input > t.unscaled_input) {
        causes.push_back(
            {Cause::UnscaledInputs, "inputs reach |x| = " + significant(e.max_abs_input, 6) +
                                        " with normalization none, which saturates or blows up the first layer; "
                                        "use normalization minmax or zscore"});
    }
    if (e.grad_ratio < t.vanishing_ratio) {  // false for NaN: no gradient figures, no claim
        causes.push_back({Cause::VanishingGradient,
                          "the gradient vanishes toward the input (first/last layer gradient norm ratio " +
                              scientific(e.grad_ratio, 1) + ", below " + scientific(t.vanishing_ratio, 1) + ", over " +
                              std::to_string(config.layers) + " " + std::string(name(config.activation)) +
                              " layers); use relu, fewer layers, or an adaptive optimizer such as adam"});
    }
    if (family(config.activation) == ActivationFamily::ReluLike && e.dead_relu > t.dead_relu) {
        causes.push_back({Cause::DeadRelu, fixed(100.0 * e.dead_relu, 0) + "% of the hidden " +
                                               std::string(name(config.activation)) +
                                               " units never activate (dead); lower the learning rate, use he_uniform "
                                               "init or leaky_relu"});
    }
    if (e.steps_per_epoch < t.few_updates) {
        const std::string batch =
            config.batch_size == 0 ? "full batch" : "batch size " + std::to_string(config.batch_size);
        const std::string steps =
            significant(e.steps_per_epoch, 6) + (e.steps_per_epoch == 1.0 ? " optimizer step" : " optimizer steps");
        causes.push_back(
            {Cause::FewUpdates, "only " + steps + " per epoch (" + batch +
                                    ") is too few updates to learn from; use a smaller batch (e.g. 100) or "
                                    "many more epochs"});
    }
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
std::string not_training_evidence(const Evidence& e, double chance) {
    if (e.diverged > 0) return "training diverged";
    if (e.pruned_at_chance > 0)
        return "pruned at chance after " + epochs_text(e.pruned_min_epochs, e.pruned_max_epochs) +
               " (training accuracy " + fixed(e.pruned_chance_acc, 2) + ", chance " + fixed(chance, 2) + ", in " +
               fraction_of(e.pruned_at_chance, e.folds) + not_started_text(e) + ")";
    return "training accuracy " + fixed(e.train_acc, 2) + " is at chance (" + fixed(chance, 2) + ")";
}

Diagnosis not_training(const TrainConfig& config, const std::vector<FoundCause>& causes, const Evidence& e,
                       double chance) {
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

// Step 2 of the recipe, for a configuration that trains: the verdict from bias and variance.
Diagnosis from_bias_variance(const TrainConfig& config, const std::vector<FoundCause>& causes, const Evidence& e,
                             const DiagnosisThresholds& t) {
    const std::string errors = "training error " + fixed(e.bias, 2) + ", validation error " + fixed(e.val_error, 2) +
                               " (gap " + fixed(e.variance, 2) + ")";
    // Hazards worth a word even when the model trains (seed row 9: unscaled inputs can train with a
    // stable softmax, and still diverge with another optimizer or learning rate).
    const std::string noise_note = config.test_noise > 0.0 ? "; the validation inputs carry Gaussian noise (std " +
                                                                 significant(config.test_noise, 6) +
                                                                 "), so part of the gap is a train/validation mismatch"
                                                           : "";
    const auto unscaled = std::ranges::find(causes, Cause::UnscaledInputs, &FoundCause::cause);
    const std::string unscaled_note = unscaled != causes.end() ? "; note: " + unscaled->text : "";

    Diagnosis d;
    if (e.variance > t.overfit_gap) {
        d.verdict = Verdict::Overfitting;
        d.reason = errors + ": overfitting; try dropout, weight decay, early stopping or more data" + noise_note;
        if (e.bias > t.underfit_error) d.reason += "; the training error is high too, so fix training first";
        d.reason += unscaled_note;
    } else if (e.bias > t.underfit_error) {
        // High bias without a large gap: still a training problem (recipe step 1), so the same causes apply.
        d.verdict = Verdict::Underfitting;
        d.causes = ids(causes);
        d.reason = errors + ": underfitting; " +
                   (causes.empty() ? "train longer, use a larger network, or a faster optimizer such as adam"
                                   : explain(causes));
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
    if (classes < 1) throw std::invalid_argument("diagnose: need at least one class, got " + std::to_string(classes));
    check_thresholds(thresholds);
    const double chance = 1.0 / classes;
    const Evidence e = gather_evidence(folds, thresholds.chance_factor * chance);
    if (e.ran == 0 && e.not_started == 0) return all_failed(e);
    const std::vector<FoundCause> causes = find_causes(config, e, thresholds);
    if (e.ran == 0) return never_started(causes, e);
    Diagnosis d = at_chance(e, thresholds.chance_factor * chance) ? not_training(config, causes, e, chance)
                                                                  : from_bias_variance(config, causes, e, thresholds);
    d.bias = e.bias;
    d.variance = e.variance;
    return d;
}

}  // namespace dnnsweep
