#include "runner/cli/train_options.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

double fraction(const po::variables_map& vm, const char* name) {
    double v = 0.0;
    try {
        v = parse_real(vm[name].as<std::string>());
    } catch (const ConfigError& e) {
        throw ConfigError(std::string(name) + ": " + e.what());
    }
    if (!(v >= 0.0 && v < 1.0)) throw ConfigError(std::string(name) + ": must be in [0, 1)");
    return v;
}

const std::string* given(const po::variables_map& vm, const char* name) {
    const auto it = vm.find(name);
    return it == vm.end() || it->second.defaulted() ? nullptr : &it->second.as<std::string>();
}

}  // namespace

Json config_json(const TrainConfig& config) {
    Json json = Json::object();
    for (const ConfigOption& opt : config_options()) json[opt.name] = json_value(opt.get(config));
    return json;
}

void add_data_options(po::options_description& desc) {
    const std::string data = "mnist", label_format = "auto", validation = "0.2", features = "X", labels = "y";
    add_string_option(desc, "data", "SPEC",
                      "mnist | IDX folder | IMAGES,LABELS | HDF5 file | X.npy,y.npy | CSV or text file (see below)",
                      &data, false);
    add_string_option(desc, "label-format", "FMT", "text files: auto|onehot|index", &label_format, false);
    add_string_option(desc, "features", "PATH", "HDF5: the features' dataset", &features, false);
    add_string_option(desc, "labels", "PATH", "HDF5: the labels' dataset", &labels, false);
    add_string_option(desc, "header", "BOOL", "CSV: whether the first row is a header (unset = detected)", nullptr,
                      false);
    add_string_option(desc, "label-column", "COL",
                      "CSV: the label column, by header name or index from 1 (unset = last)", nullptr, false);
    add_string_option(desc, "feature-columns", "COLS", "CSV: the feature columns, comma-separated (unset = the rest)",
                      nullptr, false);
    add_string_option(desc, "validation-fraction", "F", "share of the data held out for validation, [0, 1)",
                      &validation, false);
    add_string_option(desc, "test-fraction", "F",
                      "share of each class held out as a test set, [0, 1) (with --validation-fraction)", nullptr,
                      false);
    add_string_option(desc, "test-data", "FILE", "a separate test set, in any --data form", nullptr, false);
}

DataOptions data_options_from(const po::variables_map& vm) {
    DataOptions d;
    d.spec = vm["data"].as<std::string>();
    d.label_format_name = vm["label-format"].as<std::string>();
    try {
        d.load.label_format = parse_label_format(d.label_format_name);
    } catch (const std::exception& e) {
        throw ConfigError(std::string("label-format: ") + e.what());
    }
    d.load.features = vm["features"].as<std::string>();
    d.load.labels = vm["labels"].as<std::string>();
    if (const std::string* h = given(vm, "header")) {
        if (*h != "true" && *h != "false") throw ConfigError("header: must be true or false, got '" + *h + "'");
        d.load.header = *h == "true";
    }
    if (const std::string* c = given(vm, "label-column")) d.load.label_column = *c;
    if (const std::string* cols = given(vm, "feature-columns")) {
        std::size_t pos = 0;
        for (;;) {
            const std::size_t comma = cols->find(',', pos);
            std::string name = cols->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            name.erase(0, name.find_first_not_of(' '));
            name.erase(name.find_last_not_of(' ') + 1);
            if (name.empty()) throw ConfigError("feature-columns: empty name in the list '" + *cols + "'");
            d.load.feature_columns.push_back(name);
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    }
    d.validation_fraction = fraction(vm, "validation-fraction");
    const bool validation_given = given(vm, "validation-fraction") != nullptr;
    if (given(vm, "test-fraction") != nullptr) {
        // Before the sweep's vocabulary, `train --test-fraction` was the validation share: alone it
        // may be an old script's, which would now hold out a test set instead.
        if (!validation_given)
            throw ConfigError(
                "test-fraction: holds out a test set now, as in sweep specs; for the validation share (its old "
                "meaning here) use --validation-fraction, and give both to have a test set too");
        d.test_fraction = fraction(vm, "test-fraction");
    }
    if (const std::string* t = given(vm, "test-data")) d.test_data = *t;
    if (d.test_fraction > 0.0 && !d.test_data.empty())
        throw ConfigError("test-data: a separate test set replaces --test-fraction; give one of them");
    if (d.spec.empty()) throw ConfigError("data: must not be empty");
    return d;
}

void add_save_model_options(po::options_description& desc) {
    add_string_option(desc, "save-model", "FILE", "write the trained model to FILE (HDF5, docs/model-format.md)",
                      nullptr, false);
    desc.add_options()("force", po::bool_switch(), "replace an existing --save-model file");
}

SaveModelOptions save_model_options_from(const po::variables_map& vm) {
    SaveModelOptions m;
    if (vm.count("save-model")) {
        m.path = vm["save-model"].as<std::string>();
        if (m.path.empty()) throw ConfigError("save-model: must not be empty");
    }
    m.force = vm["force"].as<bool>();
    return m;
}

}  // namespace dnnsweep
