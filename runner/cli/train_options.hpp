#pragma once
// The command line's side of the option table (sweeps/config_options.hpp): the JSON echo of a
// config and the data options around it.
#include <string>

#include <boost/program_options.hpp>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "outputs/json.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {

// `config` as a JSON object keyed by option name (learning-rate resolved).
Json config_json(const TrainConfig& config);

// Where the data comes from: the options around the config rather than part of it.
struct DataOptions {
    std::string spec;  // --data
    std::string label_format_name;
    LabelFormat label_format = LabelFormat::Auto;
    double test_fraction = 0.0;
};
void add_data_options(boost::program_options::options_description& desc);
DataOptions data_options_from(const boost::program_options::variables_map& vm);

}  // namespace dnnsweep
