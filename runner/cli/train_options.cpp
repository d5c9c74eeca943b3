#include "runner/cli/train_options.hpp"

namespace dnnsweep {
namespace po = boost::program_options;

Json config_json(const TrainConfig& config) {
    Json json = Json::object();
    for (const ConfigOption& opt : config_options()) json[opt.name] = json_value(opt.get(config));
    return json;
}

void add_data_options(po::options_description& desc) {
    const std::string data = "mnist", label_format = "auto", test_fraction = "0.2";
    add_string_option(desc, "data", "SPEC", "mnist | IDX folder | IMAGES,LABELS | text file (see below)", &data, false);
    add_string_option(desc, "label-format", "FMT", "text files: auto|onehot|index", &label_format, false);
    add_string_option(desc, "test-fraction", "F", "share of the data held out for validation, [0, 1)", &test_fraction,
                      false);
}

DataOptions data_options_from(const po::variables_map& vm) {
    DataOptions d;
    d.spec = vm["data"].as<std::string>();
    d.label_format_name = vm["label-format"].as<std::string>();
    try {
        d.label_format = parse_label_format(d.label_format_name);
    } catch (const std::exception& e) {
        throw ConfigError(std::string("label-format: ") + e.what());
    }
    try {
        d.test_fraction = parse_real(vm["test-fraction"].as<std::string>());
    } catch (const ConfigError& e) {
        throw ConfigError(std::string("test-fraction: ") + e.what());
    }
    if (!(d.test_fraction >= 0.0 && d.test_fraction < 1.0)) throw ConfigError("test-fraction: must be in [0, 1)");
    if (d.spec.empty()) throw ConfigError("data: must not be empty");
    return d;
}

}  // namespace dnnsweep
