#pragma once
// Datasets the engine trains on, and their loaders. Every loader error is a DataError whose
// message names the file and the line (text) or byte offset (IDX) at fault.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/matrix.hpp"
#include "engine/user_error.hpp"

namespace dnnsweep {

class DataError : public UserError {
public:
    using UserError::UserError;
};

struct Dataset {
    Matrix x;                     // one sample per row, features as read (no scaling); may be a view
                                  // of rows shared with other processes (Matrix::view)
    std::vector<std::int32_t> y;  // class index per sample, in [0, classes)
    int classes = 0;
    std::string source;  // what was loaded, for messages and results

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

// What `--data` accepts: "mnist" (the built-in digits, from $DNNSWEEP_DATA_DIR or the folder the
// set-up fills), a folder holding train-images-idx3-ubyte + train-labels-idx1-ubyte, an IDX images
// file (labels file found by name: images -> labels, idx3 -> idx1), "IMAGES,LABELS", or a text file.
Dataset load_dataset(const std::string& spec, LabelFormat format = LabelFormat::Auto);

// The folder `--data mnist` reads.
std::string builtin_mnist_dir();

}  // namespace dnnsweep
