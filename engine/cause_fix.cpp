#include "engine/cause_fix.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "engine/diagnosis.hpp"
#include "engine/text_format.hpp"

namespace dnnsweep {

namespace {

// One candidate change; `set` applies it to a copy of the configuration.
Fix change(const TrainConfig& config, std::string key, std::string from, std::string to, std::string advice,
           const std::function<void(TrainConfig&)>& set) {
    Fix f;
    f.key = std::move(key);
    f.from = std::move(from);
    f.to = std::move(to);
    f.advice = std::move(advice);
    f.repaired = config;
    set(f.repaired);
    return f;
}

Fix advice_only(const TrainConfig& config, std::string advice) {
    Fix f;
    f.advice = std::move(advice);
    f.repaired = config;
    return f;
}

std::string lr_text(double lr) { return significant(lr, 6); }

Fix scale_learning_rate(const TrainConfig& c, double to, std::string advice) {
    return change(c, "learning-rate", lr_text(c.effective_learning_rate()), lr_text(to), std::move(advice),
                  [to](TrainConfig& r) { r.learning_rate = to; });
}

// A tenth: the step between the rates people try (1, 0.1, 0.01, ...).
Fix lower_learning_rate(const TrainConfig& c) {
    return scale_learning_rate(c, c.effective_learning_rate() / 10.0, "lower the learning rate");
}

// At least the optimizer's usual default (Keras'), and at least ten times the rate now: a rate
// that barely moves the loss is usually orders of magnitude too low.
Fix raise_learning_rate(const TrainConfig& c) {
    const double to = std::max(c.effective_learning_rate() * 10.0, default_learning_rate(c.optimizer));
    return scale_learning_rate(c, to, "raise the learning rate");
}

Fix use_activation(const TrainConfig& c, Activation a, std::string advice) {
    return change(c, "activation", std::string(name(c.activation)), std::string(name(a)), std::move(advice),
                  [a](TrainConfig& r) { r.activation = a; });
}

Fix use_init(const TrainConfig& c, Init i, std::string advice) {
    return change(c, "init", std::string(name(c.init)), std::string(name(i)), std::move(advice),
                  [i](TrainConfig& r) { r.init = i; });
}

Fix use_adam(const TrainConfig& c) {
    // The rate set for the old optimizer means nothing to adam: its default goes with it.
    return change(c, "optimizer", std::string(name(c.optimizer)), "adam", "use an adaptive optimizer",
                  [](TrainConfig& r) {
                      r.optimizer = Optimizer::Adam;
                      r.learning_rate.reset();
                  });
}

Fix scale_epochs(const TrainConfig& c, int factor, std::string advice) {
    return change(c, "epochs", std::to_string(c.epochs), std::to_string(c.epochs * factor), std::move(advice),
                  [factor](TrainConfig& r) { r.epochs *= factor; });
}

std::string batch_text(int batch) { return batch == 0 ? "full" : std::to_string(batch); }

Fix vanishing(const TrainConfig& c) {
    if (family(c.activation) != ActivationFamily::ReluLike)
        return use_activation(c, Activation::Relu, "use relu, whose gradient does not shrink");
    if (c.optimizer == Optimizer::Sgd) return use_adam(c);
    if (c.init != Init::HeUniform) return use_init(c, Init::HeUniform, "use he_uniform init");
    if (c.layers > 1)
        return change(c, "layers", std::to_string(c.layers), std::to_string(std::max(1, c.layers / 2)),
                      "use fewer layers", [](TrainConfig& r) { r.layers = std::max(1, r.layers / 2); });
    return advice_only(c, "check the learning rate and the labels");
}

Fix dead(const TrainConfig& c) {
    if (c.activation == Activation::Relu)
        return use_activation(c, Activation::LeakyRelu, "use leaky_relu, whose units cannot die");
    if (c.init != Init::HeUniform) return use_init(c, Init::HeUniform, "use he_uniform init");
    return lower_learning_rate(c);
}

Fix saturated(const TrainConfig& c) {
    if (c.normalization == Normalization::None)
        return change(c, "normalization", "none", "zscore", "scale the inputs",
                      [](TrainConfig& r) { r.normalization = Normalization::ZScore; });
    if (family(c.activation) != ActivationFamily::ReluLike)
        return use_activation(c, Activation::Relu, "use relu, which does not saturate");
    return advice_only(c, "lower the learning rate");
}

// The heavier regulariser, each measured against its default threshold (dropout 0.5, weight decay
// 1e-3): dropout is halved, or with noise on the training inputs, which regularises too and matches
// the validation's noise (training with noise is a regulariser of its own: Bishop, 1995), removed;
// weight decay goes to a tenth.
Fix less_regularisation(const TrainConfig& c) {
    const DiagnosisThresholds defaults;
    const bool dropout_heavier =
        c.dropout > 0.0 && c.dropout / defaults.heavy_dropout >= c.weight_decay / defaults.heavy_weight_decay;
    if (dropout_heavier && c.train_noise > 0.0)
        return change(c, "dropout", significant(c.dropout, 6), "0", "leave regularising to the training noise",
                      [](TrainConfig& r) { r.dropout = 0.0; });
    if (dropout_heavier)
        return change(c, "dropout", significant(c.dropout, 6), significant(c.dropout / 2.0, 6), "lower the dropout",
                      [](TrainConfig& r) { r.dropout /= 2.0; });
    if (c.weight_decay > 0.0)
        return change(c, "weight-decay", significant(c.weight_decay, 6), significant(c.weight_decay / 10.0, 6),
                      "lower the weight decay", [](TrainConfig& r) { r.weight_decay /= 10.0; });
    return advice_only(c, "regularise less");
}

Fix few_updates(const TrainConfig& c) {
    if (c.batch_size == 0 || c.batch_size > 100)
        return change(c, "batch-size", batch_text(c.batch_size), "100", "use a smaller batch",
                      [](TrainConfig& r) { r.batch_size = 100; });
    return scale_epochs(c, 5, "train many more epochs");
}

}  // namespace

std::string Fix::change() const { return applies() ? key + " " + from + " -> " + to : std::string(); }

std::string Fix::text() const { return applies() ? advice + " (" + change() + ")" : advice; }

Fix fix_for(Cause cause, const TrainConfig& c) {
    switch (cause) {
    case Cause::MseSoftmax:
        if (c.loss == Loss::CrossEntropy) return advice_only(c, "use crossentropy");
        return change(c, "loss", std::string(name(c.loss)), "crossentropy", "use crossentropy",
                      [](TrainConfig& r) { r.loss = Loss::CrossEntropy; });
    case Cause::UnscaledInputs:
        if (c.normalization != Normalization::None) return advice_only(c, "scale the inputs");
        return change(c, "normalization", "none", "minmax", "scale the inputs",
                      [](TrainConfig& r) { r.normalization = Normalization::MinMax; });
    case Cause::Diverged:
    case Cause::ExplodingGradient:
    case Cause::LrTooHigh:
        return lower_learning_rate(c);
    case Cause::VanishingGradient:
        return vanishing(c);
    case Cause::DeadRelu:
        return dead(c);
    case Cause::Saturated:
        return saturated(c);
    case Cause::Unstable:
        // A third: the run learned, so the rate is near its edge, not orders of magnitude off.
        return scale_learning_rate(c, c.effective_learning_rate() / 3.0, "lower the learning rate");
    case Cause::LrTooLow:
        return raise_learning_rate(c);
    case Cause::OverRegularised:
        return less_regularisation(c);
    case Cause::FewUpdates:
        return few_updates(c);
    case Cause::StillImproving:
        return scale_epochs(c, 2, "train longer");
    case Cause::InputShift:
        // Noise on one side only is the shift a key can remove: train with the validation's noise.
        if (c.train_noise != c.test_noise)
            return change(c, "train-noise", significant(c.train_noise, 6), significant(c.test_noise, 6),
                          "train on inputs like them", [](TrainConfig& r) { r.train_noise = r.test_noise; });
        return advice_only(c,
                           "no one-key fix: the validation data differ from the training data; draw both from one "
                           "source and scale them alike");
    case Cause::Unknown:
        return advice_only(c,
                           "lower the learning rate if the loss jumps, raise it (or use adam) if it barely moves, "
                           "and check the labels");
    }
    return advice_only(c, "");
}

Fix fix_for_overfitting(const TrainConfig& c) {
    if (c.dropout == 0.0)
        return change(c, "dropout", "0", "0.5", "add dropout", [](TrainConfig& r) { r.dropout = 0.5; });
    if (c.weight_decay == 0.0)
        return change(c, "weight-decay", "0", "0.0001", "add weight decay",
                      [](TrainConfig& r) { r.weight_decay = 1e-4; });
    if (c.patience == 0) return change(c, "patience", "0", "5", "stop early", [](TrainConfig& r) { r.patience = 5; });
    return advice_only(c, "more data");
}

Fix fix_for_underfitting(const TrainConfig& c) {
    if (c.optimizer != Optimizer::Adam) return use_adam(c);
    return change(c, "width", std::to_string(c.width), std::to_string(c.width * 2), "use a larger network",
                  [](TrainConfig& r) { r.width *= 2; });
}

}  // namespace dnnsweep
