#pragma once
// The command line's side of the option table (sweeps/config_options.hpp): the JSON echo of a
// config, the data options around it, and the CLI's spelling of errors.
#include <string>

#include <boost/program_options.hpp>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {

class JsonWriter;

// `config` as a JSON object keyed by option name (learning-rate resolved).
void write_config_json(JsonWriter& json, const TrainConfig& config);

// Where the data comes from: the options around the config rather than part of it.
struct DataOptions {
    std::string spec;  // --data
    std::string label_format_name;
    LabelFormat label_format = LabelFormat::Auto;
    double test_fraction = 0.0;
};
void add_data_options(boost::program_options::options_description& desc);
DataOptions data_options_from(const boost::program_options::variables_map& vm);

// A ConfigError's message for the command line: "field: why" becomes "--field: why" when field is
// one of our options, so the user sees the spelling they typed.
std::string cli_message(const ConfigError& e);

}  // namespace dnnsweep
