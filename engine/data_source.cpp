// What `--data` names: load_dataset, the built-in digits' folder and the label-format option
// (engine/dataset.hpp).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "engine/class_labels.hpp"
#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/hdf5/array.hpp"
#include "engine/idx_format.hpp"
#include "engine/read_file.hpp"
#include "engine/share_dir.hpp"

namespace dnnsweep {

std::string DataError::one_line(const std::string& message) {
    std::string out;
    out.reserve(message.size());
    for (const char c : message) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}
namespace {

namespace fs = std::filesystem;
using namespace idx;

// The labels file next to an IDX images file, by MNIST's naming: images -> labels, idx3 -> idx1.
std::string labels_path_for(const std::string& images_path) {
    const fs::path p(images_path);
    std::string name = p.filename().string();
    const auto replace_all = [&](std::string_view from, std::string_view to) {
        for (std::size_t at = name.find(from); at != std::string::npos; at = name.find(from, at + to.size()))
            name.replace(at, from.size(), to);
    };
    replace_all("images", "labels");
    replace_all("idx3", "idx1");
    return (p.parent_path() / name).string();
}

std::uint32_t leading_magic(const std::string& path) {
    const std::string b = read_file_head(path, 4);
    if (b.size() != 4) return 0;
    const auto u = [&](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(b[i])}; };
    return u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
}

Dataset load_idx_folder(const std::string& dir, const std::string& what) {
    const std::string images = (fs::path(dir) / kImagesName).string();
    const std::string labels = (fs::path(dir) / kLabelsName).string();
    std::string missing;
    for (const std::string& f : {images, labels})
        if (!is_file(f)) missing += (missing.empty() ? "" : ", ") + f;
    if (!missing.empty())
        throw DataError(what + ": missing " + missing + " (a data folder holds " + kImagesName + " and " + kLabelsName +
                        ")");
    return load_idx(images, labels);
}

void drop_labels(Dataset& d) {
    d.y.clear();
    d.y.shrink_to_fit();
    d.classes = 0;
    d.class_names.clear();
}

bool has_extension(const std::string& path, std::initializer_list<std::string_view> extensions) {
    const std::string ext = fs::path(path).extension().string();
    return std::ranges::any_of(extensions, [&](std::string_view e) { return ext == e; });
}

// The two paths of "FEATURES.npy,LABELS.npy", when `spec` has that form.
std::optional<std::pair<std::string, std::string>> npy_pair(const std::string& spec) {
    const std::size_t comma = spec.find(',');
    if (comma == std::string::npos || spec.find(',', comma + 1) != std::string::npos) return std::nullopt;
    std::pair<std::string, std::string> p{spec.substr(0, comma), spec.substr(comma + 1)};
    if (!has_extension(p.first, {".npy"}) && !read_file_head(p.first, 6).starts_with("\x93NUMPY")) return std::nullopt;
    return p;
}

// A file in one of the formats that hold a user's own data; nullopt for IDX and folders.
// `counted_classes`: the format counts the classes that occur (HDF5, CSV, NumPy), where text files
// keep their own rule (the largest label + 1).
std::optional<Dataset> load_user_format(const std::string& spec, const LoadOptions& options, bool& counted_classes) {
    counted_classes = true;
    if (const auto npy = npy_pair(spec); npy && !is_file(spec)) {
        for (const std::string& f : {npy->first, npy->second})
            if (!is_file(f)) throw DataError("--data '" + spec + "': " + f + ": no such file");
        Dataset d = load_npy(npy->first, npy->second);
        if (!options.labelled) drop_labels(d);
        return d;
    }
    if (!is_file(spec)) return std::nullopt;
    if (h5::is_hdf5_file(spec) || has_extension(spec, {".h5", ".hdf5", ".hdf", ".he5"}))
        return load_hdf5(spec, options);
    if (read_file_head(spec, 6) == "\x93NUMPY" || has_extension(spec, {".npy"})) {
        if (!options.labelled) return load_npy_features(spec);
        throw DataError(spec +
                        ": a .npy file holds one array: pass the features and the labels as FEATURES.npy,LABELS.npy");
    }
    const std::uint32_t magic = leading_magic(spec);
    if (magic == kImagesMagic || magic == kLabelsMagic) return std::nullopt;
    const std::string text = read_file<DataError>(spec);
    if (looks_like_csv(text, spec, options)) return load_csv_from_string(text, spec, options);
    counted_classes = false;
    if (!options.labelled) return load_text_features_from_string(text, spec);
    return load_text_from_string(text, spec, options.label_format);
}

}  // namespace

LabelFormat parse_label_format(const std::string& s) {
    if (s == "auto") return LabelFormat::Auto;
    if (s == "onehot") return LabelFormat::OneHot;
    if (s == "index") return LabelFormat::Index;
    throw ConfigError("unknown label-format '" + s + "' (choose one of: auto, onehot, index)");
}

std::string builtin_mnist_dir() {
    const char* env = std::getenv("DNNSWEEP_DATA_DIR");
    if (env != nullptr && *env != '\0') return env;
    // Through the build tree's link, to the folder the set-up fills: what messages and results name.
    const fs::path link = share_dir() / "mnist";
    std::error_code ec;
    const fs::path dir = fs::weakly_canonical(link, ec);
    return (ec ? link : dir).string();
}

Dataset load_dataset(const std::string& spec, LabelFormat format) {
    LoadOptions options;
    options.label_format = format;
    return load_dataset(spec, options);
}

Dataset load_dataset(const std::string& spec, const LoadOptions& options) {
    const LabelFormat format = options.label_format;
    const std::string accepted = "--data takes mnist, a folder holding " + std::string(kImagesName) + " and " +
                                 kLabelsName +
                                 ", an IDX images file, IMAGES,LABELS, an HDF5 file, FEATURES.npy,LABELS.npy, a CSV "
                                 "file, or a text file";
    if (spec.empty()) throw DataError("--data is empty (" + accepted + ")");
    if (!options.labelled) {
        bool counted_classes = false;
        if (std::optional<Dataset> d = load_user_format(spec, options, counted_classes)) return std::move(*d);
        // The built-in digits and IDX files always come with their labels: read, then left out.
        LoadOptions with_labels = options;
        with_labels.labelled = true;
        Dataset d = load_dataset(spec, with_labels);
        drop_labels(d);
        return d;
    }

    if (spec == "mnist") {
        const std::string dir = builtin_mnist_dir();
        const char* env = std::getenv("DNNSWEEP_DATA_DIR");
        const std::string from = env != nullptr && *env != '\0' ? " (from $DNNSWEEP_DATA_DIR)" : "";
        for (const char* name : {kImagesName, kLabelsName})
            if (!is_file((fs::path(dir) / name).string()))
                throw DataError(
                    "--data mnist: the built-in MNIST digits are not in " + dir + from + ": " + name +
                    " is missing. Fetch them with `bash scripts/setup.sh` (or `bash scripts/fetch_mnist.sh " + dir +
                    "`)");
        Dataset d = load_idx_folder(dir, "--data mnist");
        d.source = "mnist (" + dir + ")";
        return d;
    }

    bool counted_classes = false;
    if (std::optional<Dataset> d = load_user_format(spec, options, counted_classes)) {
        if (counted_classes) check_several_classes(*d);  // one class is nothing to classify
        return std::move(*d);
    }
    std::error_code ec;
    if (fs::is_directory(spec, ec)) {
        Dataset d = load_idx_folder(spec, "--data " + spec);
        d.source = spec;
        return d;
    }
    if (is_file(spec)) {
        const std::uint32_t magic = leading_magic(spec);
        if (magic == kLabelsMagic)
            throw DataError(spec + ": this is an IDX labels file; pass the images file, or IMAGES,LABELS");
        if (magic != kImagesMagic) return load_text(spec, format);  // not reached: load_user_format read it
        const std::string labels = labels_path_for(spec);
        if (labels == spec || !is_file(labels))
            throw DataError(spec + ": an IDX images file, but its labels file " +
                            (labels == spec ? std::string("cannot be named from it (no 'images' or 'idx3' in the name)")
                                            : labels + " does not exist") +
                            "; pass both as IMAGES,LABELS");
        return load_idx(spec, labels);
    }
    if (const std::size_t comma = spec.find(','); comma != std::string::npos) {
        if (spec.find(',', comma + 1) != std::string::npos || comma == 0 || comma + 1 == spec.size())
            throw DataError("--data '" + spec + "': expected IMAGES,LABELS (two paths, one comma)");
        const std::string images = spec.substr(0, comma), labels = spec.substr(comma + 1);
        for (const std::string& f : {images, labels})
            if (!is_file(f)) throw DataError("--data '" + spec + "': " + f + ": no such file");
        return load_idx(images, labels);
    }
    throw DataError("--data '" + spec + "': no such file or folder (" + accepted + ")");
}

Dataset load_test_dataset(const std::string& spec, const LoadOptions& options, const Dataset& train) {
    bool counted_classes = false;
    std::optional<Dataset> d = load_user_format(spec, options, counted_classes);
    Dataset test = d ? std::move(*d) : load_dataset(spec, options);
    align_test_set(test, train);
    return test;
}

bool features_readable_into(const std::string& spec) {
    return (npy_pair(spec) && !is_file(spec)) || (is_file(spec) && h5::is_hdf5_file(spec));
}

bool read_features_into(const std::string& spec, const LoadOptions& options, float* dst, std::size_t rows,
                        std::size_t cols) {
    if (const auto npy = npy_pair(spec); npy && !is_file(spec)) {
        read_npy_features_into(npy->first, dst, rows, cols);
        return true;
    }
    if (is_file(spec) && h5::is_hdf5_file(spec)) {
        read_hdf5_features_into(spec, options, dst, rows, cols);
        return true;
    }
    return false;
}

}  // namespace dnnsweep
