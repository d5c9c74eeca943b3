#include "engine/config.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace dnnsweep {
namespace {

template <typename E, std::size_t N>
E parse_name(std::string_view field, std::string_view s, const std::array<std::pair<std::string_view, E>, N>& table) {
    for (const auto& [n, v] : table)
        if (n == s) return v;
    std::string choices;
    for (const auto& [n, v] : table) choices += (choices.empty() ? "" : ", ") + std::string(n);
    throw ConfigError("unknown " + std::string(field) + " '" + std::string(s) + "' (choose one of: " + choices + ")");
}

template <typename E, std::size_t N>
std::string_view name_of(E e, const std::array<std::pair<std::string_view, E>, N>& table) {
    for (const auto& [n, v] : table)
        if (v == e) return n;
    return "?";
}

constexpr std::array<std::pair<std::string_view, Loss>, 3> kLosses{
    {{"crossentropy", Loss::CrossEntropy}, {"mse", Loss::Mse}, {"categorical_crossentropy", Loss::CrossEntropy}}};
constexpr std::array<std::pair<std::string_view, Optimizer>, 4> kOptimizers{{{"sgd", Optimizer::Sgd},
                                                                             {"adagrad", Optimizer::Adagrad},
                                                                             {"rmsprop", Optimizer::Rmsprop},
                                                                             {"adam", Optimizer::Adam}}};
constexpr std::array<std::pair<std::string_view, Normalization>, 4> kNormalizations{
    {{"none", Normalization::None},
     {"minmax", Normalization::MinMax},
     {"zscore", Normalization::ZScore},
     {"batchnorm", Normalization::BatchNorm}}};
constexpr std::array<std::pair<std::string_view, Init>, 2> kInits{
    {{"glorot_uniform", Init::GlorotUniform}, {"he_uniform", Init::HeUniform}}};

}  // namespace

Loss parse_loss(std::string_view s) { return parse_name("loss", s, kLosses); }
Optimizer parse_optimizer(std::string_view s) { return parse_name("optimizer", s, kOptimizers); }
Normalization parse_normalization(std::string_view s) { return parse_name("normalization", s, kNormalizations); }
Init parse_init(std::string_view s) { return parse_name("init", s, kInits); }

std::string_view name(Loss l) { return name_of(l, kLosses); }
std::string_view name(Optimizer o) { return name_of(o, kOptimizers); }
std::string_view name(Normalization n) { return name_of(n, kNormalizations); }
std::string_view name(Init i) { return name_of(i, kInits); }

double default_learning_rate(Optimizer o) { return o == Optimizer::Sgd ? 0.01 : 0.001; }

void TrainConfig::validate() const {
    auto fail = [](const std::string& field, const std::string& why) { throw ConfigError(field + ": " + why); };
    if (layers < 0) fail("layers", "must be >= 0");
    if (width < 1) fail("width", "must be >= 1");
    if (maxout_pieces < 2) fail("maxout-pieces", "must be >= 2");
    if (learning_rate && !(*learning_rate > 0.0)) fail("learning-rate", "must be > 0");
    if (!(momentum >= 0.0 && momentum < 1.0)) fail("momentum", "must be in [0, 1)");
    if (batch_size < 0) fail("batch-size", "must be >= 1 (or 'full')");
    if (!(dropout >= 0.0 && dropout < 1.0)) fail("dropout", "must be in [0, 1)");
    // The dropout layer computes in float, where e.g. 0.99999999 is 1: every unit dropped.
    if (!(static_cast<float>(dropout) < 1.0f))
        fail("dropout", "must be below 1 as a 32-bit float (at most 0.99999994)");
    if (!(weight_decay >= 0.0)) fail("weight-decay", "must be >= 0");
    if (epochs < 1) fail("epochs", "must be >= 1");
    if (patience < 0) fail("patience", "must be >= 0");
    if (!(test_noise >= 0.0)) fail("test-noise", "must be >= 0");
    if (!(train_noise >= 0.0 && std::isfinite(train_noise))) fail("train-noise", "must be a finite number >= 0");
    if (threads < 1) fail("threads", "must be >= 1");
}

}  // namespace dnnsweep
