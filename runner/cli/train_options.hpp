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

// Where the data comes from and how it is split: the options around the config rather than part
// of it, spelled and meant as the sweep spec's keys of the same names.
struct DataOptions {
    std::string spec;  // --data
    std::string label_format_name;
    LoadOptions load;                  // --label-format, --features, --labels, --header, --label-column, ...
    double validation_fraction = 0.2;  // --validation-fraction: [0, 1), 0 = no validation part
    double test_fraction = 0.0;        // --test-fraction: a held-out test set (with --validation-fraction)
    std::string test_data;             // --test-data: a separate test set
    bool has_test_set() const { return test_fraction > 0.0 || !test_data.empty(); }
};
void add_data_options(boost::program_options::options_description& desc);
DataOptions data_options_from(const boost::program_options::variables_map& vm);

// --save-model FILE [--force]: the trained model as a model file (docs/model-format.md).
struct SaveModelOptions {
    std::string path;  // empty: no model saved
    bool force = false;
};
void add_save_model_options(boost::program_options::options_description& desc);
SaveModelOptions save_model_options_from(const boost::program_options::variables_map& vm);

}  // namespace dnnsweep
