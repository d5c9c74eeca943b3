#include "outputs/predictions.hpp"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <system_error>

#include <fmt/format.h>

#include "engine/config.hpp"
#include "engine/hdf5/arrays.hpp"
#include "engine/model.hpp"

namespace dnnsweep {
namespace fs = std::filesystem;
namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void write_csv(const std::string& path, const Predictions& p) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw ModelError(path + ": cannot write: " + std::error_code(errno, std::generic_category()).message());
    const bool labelled = !p.labels.empty();
    out << "row,predicted" << (labelled ? ",label" : "");
    for (const std::string& c : p.class_names) out << ',' << csv_field("p_" + c);
    out << '\n';
    const std::size_t k = p.classes();
    for (std::size_t r = 0; r < p.rows(); ++r) {
        out << r << ',' << csv_field(p.class_names[static_cast<std::size_t>(p.predicted[r])]);
        if (labelled) out << ',' << csv_field(p.class_names[static_cast<std::size_t>(p.labels[r])]);
        // Nine significant digits: a float32 reads back exactly.
        for (std::size_t c = 0; c < k; ++c) out << ',' << fmt::format("{:.9g}", p.probabilities[r * k + c]);
        out << '\n';
    }
    out.close();
    if (!out) throw ModelError(path + ": write failed");
}

void write_hdf5(const std::string& path, const Predictions& p) {
    h5::File f = h5::File::create(path, h5::File::Format::V18);
    const h5::Group root = h5::root(f);
    root.set_attr("class_names", p.class_names);
    root.set_attr("model", p.model_path);
    root.set_attr("data_source", p.data_source);
    root.set_attr("rows", static_cast<std::int64_t>(p.rows()));
    const std::uint64_t n = p.rows(), k = p.classes();
    h5::write_array<float>(root, "probabilities", {n, k}, std::span<const float>(p.probabilities));
    h5::write_array<std::int32_t>(root, "predicted", {n}, std::span<const std::int32_t>(p.predicted));
    if (!p.labels.empty()) {
        h5::write_array<std::int32_t>(root, "labels", {n}, std::span<const std::int32_t>(p.labels));
        const std::vector<std::int64_t> confusion = confusion_matrix(p);
        h5::write_array<std::int64_t>(root, "confusion", {k, k}, std::span<const std::int64_t>(confusion));
        root.set_attr("accuracy", accuracy(p));
    }
    f.close("closing");
}

}  // namespace

std::vector<std::int64_t> confusion_matrix(const Predictions& p) {
    const std::size_t k = p.classes();
    std::vector<std::int64_t> m(k * k, 0);
    for (std::size_t r = 0; r < p.labels.size(); ++r)
        ++m[static_cast<std::size_t>(p.labels[r]) * k + static_cast<std::size_t>(p.predicted[r])];
    return m;
}

double accuracy(const Predictions& p) {
    if (p.labels.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::size_t correct = 0;
    for (std::size_t r = 0; r < p.labels.size(); ++r)
        correct += static_cast<std::size_t>(p.labels[r] == p.predicted[r]);
    return static_cast<double>(correct) / static_cast<double>(p.labels.size());
}

PredictionFormat prediction_format(const std::string& path, const std::string& option) {
    const std::string ext = fs::path(path).extension().string();
    if (ext == ".csv") return PredictionFormat::Csv;
    if (ext == ".h5" || ext == ".hdf5") return PredictionFormat::Hdf5;
    throw ConfigError(option + ": " + path + ": the extension picks the format: .csv, or .h5 / .hdf5");
}

void write_predictions(const std::string& path, const Predictions& p, bool overwrite) {
    const PredictionFormat format = prediction_format(path, "out");
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + fs::path(path).extension().string();
    std::error_code ec;
    fs::remove(tmp, ec);
    try {
        if (format == PredictionFormat::Csv)
            write_csv(tmp, p);
        else
            write_hdf5(tmp, p);
        if (!overwrite && fs::exists(path, ec)) throw ModelError(path + ": exists; give --force to replace it");
        fs::rename(tmp, path, ec);
        if (ec) throw ModelError(path + ": cannot write: " + ec.message());
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
}

}  // namespace dnnsweep
