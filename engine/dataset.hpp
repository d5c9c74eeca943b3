#pragma once
// Datasets the engine trains on, and their loaders. Every loader error is a DataError whose
// message names the file and the line (text) or byte offset (IDX) at fault.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/matrix.hpp"
#include "engine/user_error.hpp"

namespace dnnsweep {

// One line always: a message quoting the data (a header name, an NPY header, a field) shows its
// control characters escaped (\n, \t, \xNN).
class DataError : public UserError {
public:
    explicit DataError(const std::string& message) : UserError(one_line(message)) {}
    explicit DataError(const char* message) : DataError(std::string(message)) {}

private:
    static std::string one_line(const std::string& message);
};

struct Dataset {
    Matrix x;                     // one sample per row, features as read (no scaling); may be a view
                                  // of rows shared with other processes (Matrix::view)
    std::vector<std::int32_t> y;  // class index per sample, in [0, classes)
    int classes = 0;
    // The name of class i as the data gave it (a string label, or the original integer value of a
    // label remapped to 0..classes-1); empty when the labels were already 0..classes-1.
    std::vector<std::string> class_names;
    std::string source;  // what was loaded, for messages and results

    // class_names[i], or i spelled in decimal when the data had no names.
    std::string class_name(int i) const {
        return class_names.empty() ? std::to_string(i) : class_names.at(static_cast<std::size_t>(i));
    }

    std::size_t size() const { return x.rows; }
    std::size_t features() const { return x.cols; }
};

enum class LabelFormat { Auto, OneHot, Index };
LabelFormat parse_label_format(const std::string& s);  // "auto" | "onehot" | "index"

// Standard MNIST IDX pair: images idx3-ubyte (uint8, magic 0x00000803), labels idx1-ubyte
// (uint8, magic 0x00000801). Pixels are stored as floats 0..255 (scaling is a hyperparameter).
Dataset load_idx(const std::string& images_path, const std::string& labels_path);
// The same from the files' bytes already in memory; the names stand for the paths in messages.
Dataset load_idx_from_buffers(std::string_view images, std::string_view labels, const std::string& images_name,
                              const std::string& labels_name);

// Text: one sample per line, fields separated by whitespace and/or commas; the features, then
// either a one-hot label (the last `classes` columns) or one integer class column. Blank lines and
// lines starting with '#' are skipped. With Auto, a trailing 0/1 block with exactly one 1 on every
// row is one-hot; otherwise a single non-negative integer last column is the label.
Dataset load_text(const std::string& path, LabelFormat format);
// The same from the file's text already in memory; `name` stands for the path in messages.
Dataset load_text_from_string(std::string_view text, const std::string& name, LabelFormat format);
// The same text read without labels: every field of a row is a feature.
Dataset load_text_features_from_string(std::string_view text, const std::string& name);

// How to read a user's data file: the options of `--data` besides the path (spec keys of the same
// names). Each applies to its format only.
struct LoadOptions {
    LabelFormat label_format = LabelFormat::Auto;  // text without a header: `label-format`
    std::string features = "X", labels = "y";      // HDF5: `features`, `labels` (dataset paths)
    std::optional<bool> header;                    // CSV: `header`; nullopt = detected
    std::string label_column;                      // CSV: `label-column`, a header name or an index
                                                   // from 1 (-1 = the last); empty = the last
    std::vector<std::string> feature_columns;      // CSV: `feature-columns` (names or indices);
                                                   // empty = every column but the label
    // false: the rows have no labels (`dnnsweep predict` on new data): every column of a CSV or
    // text file is a feature, an HDF5 file needs no labels dataset, a lone FEATURES.npy is the
    // data. The Dataset then has no labels and no classes.
    bool labelled = true;
    bool csv_keys_given() const { return header.has_value() || !label_column.empty() || !feature_columns.empty(); }
};

// HDF5 (h5py's datasets): features N x F (or N x d1 x d2 ..., flattened) of floats or integers,
// labels N (integers, integral floats or strings) or N x K (one-hot), at the paths `options` names.
Dataset load_hdf5(const std::string& path, const LoadOptions& options);
// The features of load_hdf5 again, converted by HDF5 straight into `dst` (rows x cols floats,
// checked finite): how the sweep fills its shared window without a second copy.
void read_hdf5_features_into(const std::string& path, const LoadOptions& options, float* dst, std::size_t rows,
                             std::size_t cols);

// CSV with an optional header row (RFC 4180 quoting; comma, or tab when the first line has tabs
// and no comma): one sample per row, a label column and numeric feature columns.
Dataset load_csv(const std::string& path, const LoadOptions& options);
Dataset load_csv_from_string(std::string_view text, const std::string& name, const LoadOptions& options);
// Whether a text file is CSV rather than the headerless text format: the CSV keys were given, the
// name ends in .csv or .tsv and a header is found, or a field of its first two rows is not a number.
bool looks_like_csv(std::string_view text, const std::string& name, const LoadOptions& options);

// NumPy .npy (format 1.0-3.0): little-endian (or byte-sized) integers and floats, C order; labels
// may also be strings ('U' or 'S').
struct NpyHeader {
    char kind = 0;                   // 'f', 'i', 'u', 'b', 'U', 'S'
    std::size_t item_bytes = 0;      // bytes per element (for 'U', 4 per character)
    std::vector<std::size_t> shape;  // empty for a scalar
    std::size_t data_offset = 0;     // where the elements start
    std::size_t elements() const;
};
// Parses and checks the header of `bytes` (the file's start) and that the data that follows is
// complete; every error a DataError naming `name` and the byte offset.
NpyHeader parse_npy_header(std::string_view bytes, const std::string& name);
Dataset load_npy(const std::string& features_path, const std::string& labels_path);
// One FEATURES.npy without labels (LoadOptions::labelled false).
Dataset load_npy_features(const std::string& path);
Dataset load_npy_from_buffers(std::string_view features, std::string_view labels, const std::string& features_name,
                              const std::string& labels_name);
// The features of load_npy again, converted straight into `dst` (rows x cols floats, checked finite).
void read_npy_features_into(const std::string& path, float* dst, std::size_t rows, std::size_t cols);

// What `--data` accepts: "mnist" (the built-in digits, from $DNNSWEEP_DATA_DIR or the folder the
// set-up fills), a folder holding train-images-idx3-ubyte + train-labels-idx1-ubyte, an IDX images
// file (labels file found by name: images -> labels, idx3 -> idx1), "IMAGES,LABELS", an HDF5 file
// (by its signature), "FEATURES.npy,LABELS.npy", a CSV file (looks_like_csv), or a text file. The
// HDF5, CSV and NumPy forms must hold at least two classes. With `options.labelled` false: the same
// forms without labels (a lone FEATURES.npy among them; IDX files are always read with theirs).
Dataset load_dataset(const std::string& spec, LabelFormat format = LabelFormat::Auto);
Dataset load_dataset(const std::string& spec, const LoadOptions& options);
// A separate test set (`test-data`), in any of those forms: its feature count must be the training
// data's and its classes among the training data's; its labels are renumbered to the training
// data's classes (by name), and it takes the training data's class names.
Dataset load_test_dataset(const std::string& spec, const LoadOptions& options, const Dataset& train);
// Fills `dst` (rows x cols) with the features of `spec` straight from its file, where the format
// allows it (HDF5, NumPy); false (nothing read) for the others.
bool read_features_into(const std::string& spec, const LoadOptions& options, float* dst, std::size_t rows,
                        std::size_t cols);
// Whether read_features_into can read `spec`'s features (it is an HDF5 file or a NumPy pair).
bool features_readable_into(const std::string& spec);

// The folder `--data mnist` reads.
std::string builtin_mnist_dir();

}  // namespace dnnsweep
