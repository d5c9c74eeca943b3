#include "outputs/model_file.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <span>
#include <system_error>
#include <variant>

#include "engine/hdf5/arrays.hpp"
#include "outputs/results_store.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kThreads = "threads";  // per run, not part of a model

using Dims = std::vector<std::uint64_t>;

void write_floats(const h5::Group& g, const std::string& name, const Dims& dims, const std::vector<float>& v) {
    h5::write_array<float>(g, name, dims, std::span<const float>(v));
}

std::vector<float> read_floats(const h5::Group& g, const std::string& name, const Dims& dims) {
    h5::Array<float> a = h5::read_array<float>(g, name);
    if (a.dims != dims) {
        const auto text = [](const Dims& d) { return fmt::format("({})", fmt::join(d, ", ")); };
        throw ModelError(g.path() + "/" + name + ": shape " + text(a.dims) + ", expected " + text(dims));
    }
    return std::move(a.values);
}

h5::AttrValue attr_of(const OptionValue& v) {
    return std::visit(
        [](const auto& x) -> h5::AttrValue {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>)
                return std::int64_t{x ? 1 : 0};
            else if constexpr (std::is_same_v<T, float>)
                return static_cast<double>(x);
            else
                return x;
        },
        v);
}

std::string text_of(const h5::AttrValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::vector<std::string>>)
                return x.empty() ? std::string() : x.front();
            else if constexpr (std::is_same_v<T, std::string>)
                return x;
            else
                return to_text(OptionValue{x});
        },
        v);
}

void write_config(const h5::Group& g, const TrainConfig& config) {
    for (const ConfigOption& opt : config_options())
        if (opt.name != kThreads && identifies(opt, config)) g.set_attr(opt.name, attr_of(opt.get(config)));
}

TrainConfig read_config(const h5::Group& g) {
    TrainConfig config;
    for (const ConfigOption& opt : config_options()) {
        if (opt.name == kThreads) continue;
        if (!h5::has_attr(g, opt.name) && !opt.hashed_at_default) continue;  // at its default
        if (!h5::has_attr(g, opt.name)) throw ModelError("/config: no attribute '" + opt.name + "'");
        std::string text = text_of(h5::read_attr(g, opt.name));
        // A flag stored as 0/1 reads back in the words the option takes.
        if (std::holds_alternative<bool>(opt.get(config))) text = text == "0" ? "false" : text == "1" ? "true" : text;
        try {
            opt.set(config, text);
        } catch (const ConfigError& e) {
            throw ModelError("/config: " + opt.name + ": " + e.what());
        }
    }
    try {
        config.validate();
    } catch (const ConfigError& e) {
        throw ModelError(std::string("/config: ") + e.what());
    }
    return config;
}

struct Metric {
    const char* name;
    double ModelMetrics::*member;
};
constexpr Metric kMetrics[] = {
    {"train_acc", &ModelMetrics::train_acc},   {"train_loss", &ModelMetrics::train_loss},
    {"val_acc", &ModelMetrics::val_acc},       {"val_loss", &ModelMetrics::val_loss},
    {"test_acc", &ModelMetrics::test_acc},     {"test_loss", &ModelMetrics::test_loss},
    {"cv_val_acc", &ModelMetrics::cv_val_acc}, {"cv_val_acc_std", &ModelMetrics::cv_val_acc_std},
};

std::string layer_name(std::size_t i) { return fmt::format("{:03}", i); }

void write_layer(const h5::Group& layers, std::size_t i, const ModelLayer& l) {
    const h5::Group g = h5::create_group(layers, layer_name(i));
    g.set_attr("type", std::string(name(l.type)));
    g.set_attr("in", static_cast<std::int64_t>(l.in));
    g.set_attr("out", static_cast<std::int64_t>(l.out));
    switch (l.type) {
    case ModelLayerType::Dense:
        write_floats(g, "kernel", {l.in, l.out}, l.kernel);
        write_floats(g, "bias", {l.out}, l.bias);
        break;
    case ModelLayerType::BatchNorm:
        write_floats(g, "gamma", {l.out}, l.gamma);
        write_floats(g, "beta", {l.out}, l.beta);
        write_floats(g, "moving_mean", {l.out}, l.moving_mean);
        write_floats(g, "moving_variance", {l.out}, l.moving_variance);
        g.set_attr("epsilon", static_cast<double>(l.epsilon));
        break;
    case ModelLayerType::Activation:
        g.set_attr("activation", std::string(name(l.activation)));
        g.set_attr("alpha", static_cast<double>(l.alpha));
        break;
    case ModelLayerType::Maxout:
        g.set_attr("pieces", static_cast<std::int64_t>(l.pieces));
        break;
    case ModelLayerType::Dropout:
        g.set_attr("rate", static_cast<double>(l.rate));
        break;
    case ModelLayerType::Softmax:
        break;
    }
}

std::size_t size_attr(const h5::Object& g, const std::string& name) {
    const std::int64_t v = g.attr_int(name);
    if (v < 0) throw ModelError("attribute '" + name + "' is negative");
    return static_cast<std::size_t>(v);
}

ModelLayer read_layer(const h5::Group& g) {
    ModelLayer l;
    l.type = parse_model_layer_type(g.attr_string("type"));
    l.in = size_attr(g, "in");
    l.out = size_attr(g, "out");
    switch (l.type) {
    case ModelLayerType::Dense:
        l.kernel = read_floats(g, "kernel", {l.in, l.out});
        l.bias = read_floats(g, "bias", {l.out});
        break;
    case ModelLayerType::BatchNorm:
        l.gamma = read_floats(g, "gamma", {l.out});
        l.beta = read_floats(g, "beta", {l.out});
        l.moving_mean = read_floats(g, "moving_mean", {l.out});
        l.moving_variance = read_floats(g, "moving_variance", {l.out});
        l.epsilon = static_cast<float>(g.attr_double("epsilon"));
        break;
    case ModelLayerType::Activation:
        try {
            l.activation = parse_activation(g.attr_string("activation"));
        } catch (const ConfigError& e) {
            throw ModelError(g.path() + ": " + e.what());
        }
        l.alpha = static_cast<float>(g.attr_double("alpha"));
        break;
    case ModelLayerType::Maxout:
        l.pieces = size_attr(g, "pieces");
        break;
    case ModelLayerType::Dropout:
        l.rate = static_cast<float>(g.attr_double("rate"));
        break;
    case ModelLayerType::Softmax:
        break;
    }
    return l;
}

void write_contents(const h5::File& f, const Model& m) {
    const h5::Group root = h5::root(f);
    root.set_attr("format", std::string(kModelFormat));
    root.set_attr("format_version", kModelFormatVersion);
    root.set_attr("dnnsweep_version", m.version);
    root.set_attr("created_at",
                  std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    root.set_attr("origin", m.origin);
    root.set_attr("config_id", m.config_id);
    root.set_attr("features", static_cast<std::int64_t>(m.features));
    root.set_attr("classes", static_cast<std::int64_t>(m.classes));
    root.set_attr("class_names", m.class_names);
    root.set_attr("data_source", m.data_source);
    root.set_attr("data_fingerprint", m.data_fingerprint);
    root.set_attr("trained_rows", static_cast<std::int64_t>(m.trained_rows));
    root.set_attr("epochs", static_cast<std::int64_t>(m.epochs));
    root.set_attr("results_file", m.results_file);
    root.set_attr("results_spec_hash", m.results_spec_hash);
    root.set_attr("results_run_id", m.results_run_id);

    write_config(h5::create_group(root, "config"), m.config);
    const h5::Group metrics = h5::create_group(root, "metrics");
    for (const Metric& x : kMetrics) metrics.set_attr(x.name, m.metrics.*x.member);
    const h5::Group scaling = h5::create_group(root, "input_scaling");
    scaling.set_attr("normalization", std::string(name(m.config.normalization)));
    write_floats(scaling, "shift", {m.features}, m.input_shift);
    write_floats(scaling, "scale", {m.features}, m.input_scale);
    const h5::Group layers = h5::create_group(root, "layers");
    for (std::size_t i = 0; i < m.layers.size(); ++i) write_layer(layers, i, m.layers[i]);
}

Model read_contents(const h5::File& f) {
    const h5::Group root = h5::root(f);
    if (!h5::has_attr(root, "format") || root.attr_string("format") != kModelFormat)
        throw ModelError("not a dnnsweep model file (no format attribute '" + std::string(kModelFormat) + "')");
    const std::int64_t version = root.attr_int("format_version");
    if (version != kModelFormatVersion)
        throw ModelError("model format version " + std::to_string(version) + "; this dnnsweep reads version " +
                         std::to_string(kModelFormatVersion) + " (write it again with this version's refit or train)");
    Model m;
    m.version = root.attr_string("dnnsweep_version");
    m.origin = root.attr_string("origin");
    m.config_id = root.attr_string("config_id");
    m.features = size_attr(root, "features");
    m.classes = static_cast<int>(root.attr_int("classes"));
    m.class_names = root.attr_strings("class_names");
    if (m.class_names.size() != static_cast<std::size_t>(m.classes))
        throw ModelError(std::to_string(m.class_names.size()) + " class names for " + std::to_string(m.classes) +
                         " classes");
    m.data_source = root.attr_string("data_source");
    m.data_fingerprint = root.attr_string("data_fingerprint");
    m.trained_rows = size_attr(root, "trained_rows");
    m.epochs = static_cast<int>(root.attr_int("epochs"));
    m.results_file = root.attr_string("results_file");
    m.results_spec_hash = root.attr_string("results_spec_hash");
    m.results_run_id = root.attr_string("results_run_id");
    m.config = read_config(h5::open_group(root, "config"));
    const h5::Group metrics = h5::open_group(root, "metrics");
    for (const Metric& x : kMetrics) m.metrics.*x.member = metrics.attr_double(x.name);
    const h5::Group scaling = h5::open_group(root, "input_scaling");
    m.input_shift = read_floats(scaling, "shift", {m.features});
    m.input_scale = read_floats(scaling, "scale", {m.features});
    const h5::Group layers = h5::open_group(root, "layers");
    for (const std::string& name : h5::member_names(layers))
        m.layers.push_back(read_layer(h5::open_group(layers, name)));
    return m;
}

}  // namespace

void check_model_path(const std::string& path, bool overwrite, const std::string& option) {
    if (path.empty()) throw ConfigError(option + ": must not be empty");
    std::error_code ec;
    if (!overwrite && fs::exists(path, ec))
        throw ConfigError(option + ": " + path + " exists; give --force to replace it");
    if (fs::is_directory(path, ec)) throw ConfigError(option + ": " + path + " is a folder");
    const fs::path dir = fs::path(path).parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec))
        throw ConfigError(option + ": " + path + ": the folder " + dir.string() + " does not exist");
}

void write_model_file(const std::string& path, const Model& model, bool overwrite) {
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    std::error_code ec;
    fs::remove(tmp, ec);
    try {
        h5::File f = h5::File::create(tmp, h5::File::Format::V18);
        try {
            write_contents(f, model);
        } catch (const ModelError& e) {
            throw ModelError(path + ": " + e.what());
        }
        f.close("closing");
        if (!overwrite && fs::exists(path, ec)) throw ModelError(path + ": exists; give --force to replace it");
        fs::rename(tmp, path, ec);
        if (ec) throw ModelError(path + ": cannot write: " + ec.message());
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
}

Model read_model_file(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw ModelError(path + ": cannot open: No such file or directory");
    const h5::File f = h5::File::open(path, h5::File::Access::ReadOnly);
    try {
        return read_contents(f);
    } catch (const ModelError& e) {
        throw ModelError(path + ": " + e.what());
    }
}

}  // namespace dnnsweep
