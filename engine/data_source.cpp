// What `--data` names: load_dataset, the built-in digits' folder and the label-format option
// (engine/dataset.hpp).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/idx_format.hpp"
#include "engine/read_file.hpp"
#include "engine/share_dir.hpp"

namespace dnnsweep {
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
    const std::string accepted = "--data takes mnist, a folder holding " + std::string(kImagesName) + " and " +
                                 kLabelsName + ", an IDX images file, IMAGES,LABELS, or a text file";
    if (spec.empty()) throw DataError("--data is empty (" + accepted + ")");

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
        if (magic != kImagesMagic) return load_text(spec, format);
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

}  // namespace dnnsweep
