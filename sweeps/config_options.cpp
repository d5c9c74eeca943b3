#include "sweeps/config_options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <concepts>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

// Parses all of `s` as a T; from_chars rather than streams or lexical_cast because those accept
// "-1" for unsigned types (wrapping to 2^64-1) and leave out-of-range and trailing junk ambiguous.
template <typename T>
T parse_number(std::string_view s) {
    T v{};
    const char* const first = s.data();
    const char* const last = first + s.size();
    const auto [ptr, ec] = std::from_chars(first, last, v);
    // Built by appending: GCC 12 reports a false -Wrestrict on `"literal" + std::string&&`.
    std::string shown = "'";
    shown.append(s).append("'");
    if (ec == std::errc::result_out_of_range) throw ConfigError(shown + " is out of range");
    if (ec != std::errc{} || ptr != last) {
        if constexpr (std::floating_point<T>)
            throw ConfigError("expected a number, got " + shown);
        else if constexpr (std::unsigned_integral<T>)
            throw ConfigError("expected a non-negative integer, got " + shown);
        else
            throw ConfigError("expected an integer, got " + shown);
    }
    if constexpr (std::floating_point<T>)
        if (!std::isfinite(v)) throw ConfigError("expected a finite number, got " + shown);
    return v;
}

bool parse_bool(std::string_view s) {
    static constexpr std::array<std::string_view, 4> kTrue{"true", "1", "yes", "on"};
    static constexpr std::array<std::string_view, 4> kFalse{"false", "0", "no", "off"};
    if (std::ranges::find(kTrue, s) != kTrue.end()) return true;
    if (std::ranges::find(kFalse, s) != kFalse.end()) return false;
    throw ConfigError(std::string("expected true or false, got '").append(s).append("'"));
}

// "--batch-size full" is stored as 0, TrainConfig's spelling of full batch.
int parse_batch_size(std::string_view s) {
    if (s == "full") return 0;
    int v = 0;
    try {
        v = parse_number<int>(s);
    } catch (const ConfigError&) {
        throw ConfigError(std::string("expected a positive integer or 'full', got '").append(s).append("'"));
    }
    if (v < 1) throw ConfigError("must be >= 1 (or 'full' for the whole training set)");
    return v;
}

// The enum values, for listing choices in --help; their spellings come from the engine's name().
constexpr std::array kOptimizers{Optimizer::Sgd, Optimizer::Adagrad, Optimizer::Rmsprop, Optimizer::Adam};
constexpr std::array kNormalizations{Normalization::None, Normalization::MinMax, Normalization::ZScore,
                                     Normalization::BatchNorm};
constexpr std::array kInits{Init::GlorotUniform, Init::HeUniform};

template <typename Range>
std::string choices(const Range& all) {
    std::string out;
    for (const auto& e : all) out.append(out.empty() ? "" : "|").append(name(e));
    return out;
}

// The activations' values, from their table (engine/activation.cpp).
std::vector<Activation> all_activations() {
    std::vector<Activation> out;
    for (const ActivationInfo& a : activations()) out.push_back(a.value);
    return out;
}

std::string double_text(double d) { return to_text(OptionValue{d}); }

std::string learning_rate_help() {
    // Grouped by rate so the text stays one line however many optimizers share a default.
    std::vector<std::pair<double, std::string>> groups;
    for (const Optimizer o : kOptimizers) {
        const double rate = default_learning_rate(o);
        auto it = std::ranges::find_if(groups, [&](const auto& g) { return g.first == rate; });
        if (it == groups.end())
            groups.emplace_back(rate, std::string(name(o)));
        else
            it->second.append("/").append(name(o));
    }
    std::string text = "unset = optimizer's Keras default (";
    for (std::size_t i = 0; i < groups.size(); ++i)
        text.append(i ? ", " : "").append(groups[i].second).append(" ").append(double_text(groups[i].first));
    return text + ")";
}

std::vector<ConfigOption> make_table() {
    using C = TrainConfig;
    using V = OptionValue;
    using S = std::string_view;
    return {
        {.name = "layers",
         .value_name = "N",
         .help = "hidden dense layers",
         .get = [](const C& c) -> V { return std::int64_t{c.layers}; },
         .set = [](C& c, S s) { c.layers = parse_number<int>(s); }},
        {.name = "width",
         .value_name = "N",
         .help = "units per hidden layer",
         .get = [](const C& c) -> V { return std::int64_t{c.width}; },
         .set = [](C& c, S s) { c.width = parse_number<int>(s); }},
        {.name = "activation",
         .value_name = "NAME",
         .help = std::string("hidden activation: ") + choices(all_activations()),
         .get = [](const C& c) -> V { return std::string(name(c.activation)); },
         .set = [](C& c, S s) { c.activation = parse_activation(s); }},
        {.name = "maxout-pieces",
         .value_name = "K",
         .help = "linear pieces per maxout unit",
         .get = [](const C& c) -> V { return std::int64_t{c.maxout_pieces}; },
         .set = [](C& c, S s) { c.maxout_pieces = parse_number<int>(s); }},
        {.name = "leaky-relu-alpha",
         .value_name = "A",
         .help = "leaky_relu slope for x < 0",
         .get = [](const C& c) -> V { return c.leaky_relu_alpha; },
         .set = [](C& c, S s) { c.leaky_relu_alpha = parse_number<float>(s); }},
        {.name = "elu-alpha",
         .value_name = "A",
         .help = "elu: alpha * (exp(x) - 1) for x < 0",
         .get = [](const C& c) -> V { return c.elu_alpha; },
         .set = [](C& c, S s) { c.elu_alpha = parse_number<float>(s); }},
        {.name = "init",
         .value_name = "NAME",
         .help = std::string("weight initialisation: ") + choices(kInits),
         .get = [](const C& c) -> V { return std::string(name(c.init)); },
         .set = [](C& c, S s) { c.init = parse_init(s); }},
        {.name = "normalization",
         .value_name = "NAME",
         .help = std::string("input scaling or batchnorm layers: ") + choices(kNormalizations),
         .get = [](const C& c) -> V { return std::string(name(c.normalization)); },
         .set = [](C& c, S s) { c.normalization = parse_normalization(s); }},
        {.name = "dropout",
         .value_name = "P",
         .help = "fraction of hidden units dropped in training, [0, 1)",
         .get = [](const C& c) -> V { return c.dropout; },
         .set = [](C& c, S s) { c.dropout = parse_number<double>(s); }},
        {.name = "loss",
         .value_name = "NAME",
         .help = "crossentropy (alias categorical_crossentropy)|mse",
         .get = [](const C& c) -> V { return std::string(name(c.loss)); },
         .set = [](C& c, S s) { c.loss = parse_loss(s); }},
        {.name = "optimizer",
         .value_name = "NAME",
         .help = choices(kOptimizers),
         .get = [](const C& c) -> V { return std::string(name(c.optimizer)); },
         .set = [](C& c, S s) { c.optimizer = parse_optimizer(s); }},
        {.name = "learning-rate",
         .value_name = "RATE",
         .help = learning_rate_help(),
         .has_default = false,
         .get = [](const C& c) -> V { return c.effective_learning_rate(); },
         .set = [](C& c, S s) { c.learning_rate = parse_number<double>(s); }},
        {.name = "momentum",
         .value_name = "M",
         .help = "sgd momentum, [0, 1)",
         .get = [](const C& c) -> V { return c.momentum; },
         .set = [](C& c, S s) { c.momentum = parse_number<double>(s); }},
        {.name = "nesterov",
         .value_name = "BOOL",
         .help = "Nesterov momentum (sgd); bare --nesterov = true",
         .is_flag = true,
         .get = [](const C& c) -> V { return c.nesterov; },
         .set = [](C& c, S s) { c.nesterov = parse_bool(s); }},
        {.name = "batch-size",
         .value_name = "N|full",
         .help = "samples per step; full = the whole training set",
         .get = [](const C& c) -> V {
             return c.batch_size == 0 ? V{std::string("full")} : V{std::int64_t{c.batch_size}};
         },
         .set = [](C& c, S s) { c.batch_size = parse_batch_size(s); }},
        {.name = "weight-decay",
         .value_name = "L2",
         .help = "L2 penalty: loss += weight-decay/2 * sum(w^2)",
         .get = [](const C& c) -> V { return c.weight_decay; },
         .set = [](C& c, S s) { c.weight_decay = parse_number<double>(s); }},
        {.name = "epochs",
         .value_name = "N",
         .help = "training epochs (the most, with --patience)",
         .get = [](const C& c) -> V { return std::int64_t{c.epochs}; },
         .set = [](C& c, S s) { c.epochs = parse_number<int>(s); }},
        {.name = "patience",
         .value_name = "N",
         .help = "early stopping after N epochs without a lower val_loss; 0 = off",
         .get = [](const C& c) -> V { return std::int64_t{c.patience}; },
         .set = [](C& c, S s) { c.patience = parse_number<int>(s); }},
        {.name = "seed",
         .value_name = "N",
         .help = "seeds the split, initialisation, shuffling, dropout, noise",
         .get = [](const C& c) -> V { return c.seed; },
         .set = [](C& c, S s) { c.seed = parse_number<std::uint64_t>(s); }},
        {.name = "test-noise",
         .value_name = "STD",
         .help = "std of Gaussian noise added to the validation inputs",
         .get = [](const C& c) -> V { return c.test_noise; },
         .set = [](C& c, S s) { c.test_noise = parse_number<double>(s); }},
        {.name = "train-noise",
         .value_name = "STD",
         .help = "std of Gaussian noise added to training batches, fresh each epoch",
         .hashed_at_default = false,
         .get = [](const C& c) -> V { return c.train_noise; },
         .set = [](C& c, S s) { c.train_noise = parse_number<double>(s); }},
        {.name = "threads",
         .value_name = "N",
         .help = "CPU threads for training",
         .get = [](const C& c) -> V { return std::int64_t{c.threads}; },
         .set = [](C& c, S s) { c.threads = parse_number<int>(s); }},
    };
}

// The option's value only when the user gave it; defaults are displayed, never re-parsed.
const std::string* given(const po::variables_map& vm, const std::string& name) {
    const auto it = vm.find(name);
    if (it == vm.end() || it->second.defaulted()) return nullptr;
    return &it->second.as<std::string>();
}

}  // namespace

void add_string_option(po::options_description& desc, const std::string& name, const std::string& value_name,
                       const std::string& help, const std::string* default_text, bool is_flag) {
    auto* sem = po::value<std::string>()->value_name(value_name);
    if (default_text) sem->default_value(*default_text);
    if (is_flag) sem->implicit_value("true");
    desc.add_options()(name.c_str(), sem, help.c_str());
}

int parse_int(std::string_view s) { return parse_number<int>(s); }
std::uint64_t parse_uint64(std::string_view s) { return parse_number<std::uint64_t>(s); }
double parse_real(std::string_view s) { return parse_number<double>(s); }

std::string to_text(const OptionValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::same_as<T, std::string>) {
                return x;
            } else if constexpr (std::same_as<T, bool>) {
                return x ? "true" : "false";
            } else {
                std::array<char, 32> buf{};
                const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), x);  // shortest round-trip
                return std::string(buf.data(), res.ptr);
            }
        },
        v);
}

std::span<const ConfigOption> config_options() {
    static const std::vector<ConfigOption> table = make_table();
    return table;
}

bool identifies(const ConfigOption& opt, const TrainConfig& c) {
    return opt.hashed_at_default || to_text(opt.get(c)) != to_text(opt.get(TrainConfig{}));
}

const ConfigOption* find_config_option(std::string_view name) {
    const auto options = config_options();
    const auto it = std::ranges::find(options, name, &ConfigOption::name);
    return it == options.end() ? nullptr : &*it;
}

void set_config_option(TrainConfig& config, std::string_view name, std::string_view value) {
    const ConfigOption* opt = find_config_option(name);
    if (!opt) throw ConfigError(std::string(name) + ": not a hyperparameter");
    try {
        opt->set(config, value);
    } catch (const ConfigError& e) {
        throw ConfigError(opt->name + ": " + e.what());
    }
}

void add_config_options(po::options_description& desc) {
    const TrainConfig defaults;
    for (const ConfigOption& opt : config_options()) {
        const std::string text = to_text(opt.get(defaults));
        add_string_option(desc, opt.name, opt.value_name, opt.help, opt.has_default ? &text : nullptr, opt.is_flag);
    }
}

TrainConfig config_from(const po::variables_map& vm) {
    TrainConfig config;
    for (const ConfigOption& opt : config_options())
        if (const std::string* value = given(vm, opt.name)) set_config_option(config, opt.name, *value);
    config.validate();
    return config;
}

std::string describe_config(const TrainConfig& config) {
    std::string out;
    for (const ConfigOption& opt : config_options())
        out.append(out.empty() ? "" : " ").append(opt.name).append("=").append(to_text(opt.get(config)));
    return out;
}

}  // namespace dnnsweep
