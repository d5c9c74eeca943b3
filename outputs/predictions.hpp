#pragma once
// What `dnnsweep predict` writes: every row's class probabilities and predicted class, with its
// label where the data has one, as CSV or HDF5 (by the path's extension; layout in
// docs/model-format.md). Written to a temporary name, then renamed.
#include <cstdint>
#include <string>
#include <vector>

namespace dnnsweep {

struct Predictions {
    std::vector<std::string> class_names;  // the model's
    std::vector<float> probabilities;      // rows x classes
    std::vector<std::int32_t> predicted;   // class index per row
    std::vector<std::int32_t> labels;      // class index per row (the model's numbering); empty: unlabelled
    std::string model_path, data_source;
    std::size_t rows() const { return predicted.size(); }
    std::size_t classes() const { return class_names.size(); }
};

// classes x classes, row = true class, column = predicted class.
std::vector<std::int64_t> confusion_matrix(const Predictions& p);
// Correct predictions over labelled rows (NaN without labels).
double accuracy(const Predictions& p);

enum class PredictionFormat { Csv, Hdf5 };
// By extension: .csv, or .h5/.hdf5; ConfigError naming `option` otherwise.
PredictionFormat prediction_format(const std::string& path, const std::string& option);
void write_predictions(const std::string& path, const Predictions& p, bool overwrite);

}  // namespace dnnsweep
