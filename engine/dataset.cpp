#include "engine/dataset.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "engine/config.hpp"
#include "engine/read_file.hpp"
#include "engine/text_format.hpp"

#ifndef DNNSWEEP_DEFAULT_DATA_DIR
#error "DNNSWEEP_DEFAULT_DATA_DIR must be defined (engine/CMakeLists.txt sets it)"
#endif

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr std::size_t kImagesHeader = 16;
constexpr std::size_t kLabelsHeader = 8;
constexpr const char* kImagesName = "train-images-idx3-ubyte";
constexpr const char* kLabelsName = "train-labels-idx1-ubyte";
// Index labels must be exact in a float and give a class count that fits an int.
constexpr double kMaxIndexLabel = 16777215.0;  // 2^24 - 1

// ---------------------------------------------------------------------------------------------
// Files

// Closes a FILE*: leading_magic reads only a file's first four bytes, not the whole file.
struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

bool is_file(const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// ---------------------------------------------------------------------------------------------
// IDX

std::uint32_t be32(std::string_view bytes, std::size_t offset) {
    const auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset + i])); };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

std::string hex32(std::uint32_t v) { return fmt::format("0x{:08X}", v); }

std::string at_offset(const std::string& path, std::size_t offset) {
    return path + ": byte offset " + std::to_string(offset) + ": ";
}

// A recognisable wrong file earns a hint on what to do instead.
std::string magic_hint(std::string_view bytes, std::uint32_t found) {
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1F && static_cast<unsigned char>(bytes[1]) == 0x8B)
        return " (this is a gzip file: gunzip it first)";
    if (found == kImagesMagic) return " (this is an IDX images file: are images and labels swapped?)";
    if (found == kLabelsMagic) return " (this is an IDX labels file: are images and labels swapped?)";
    const std::uint32_t type = found >> 8 & 0xFF, dims = found & 0xFF;
    if ((found & 0xFFFF0000u) == 0 && type == 0x08)
        return " (an IDX file of unsigned bytes, but with " + std::to_string(dims) + " dimensions)";
    if ((found & 0xFFFF0000u) == 0 && (type == 0x09 || (type >= 0x0B && type <= 0x0E)))
        return " (an IDX file, but not of unsigned bytes: only uint8 IDX files are supported)";
    return " (not an IDX file)";
}

// Checks the magic and that the header is complete; `what` names the expected kind for messages.
void check_idx_header(const std::string& path, std::string_view bytes, std::uint32_t magic, std::size_t header,
                      const char* what) {
    if (bytes.size() < 4)
        throw DataError(at_offset(path, bytes.size()) + "truncated header: an IDX " + what + " header is " +
                        std::to_string(header) + " bytes, the file has only " + std::to_string(bytes.size()));
    const std::uint32_t found = be32(bytes, 0);
    if (found != magic)
        throw DataError(at_offset(path, 0) + "wrong magic number: expected " + hex32(magic) + " (IDX " + what +
                        ", unsigned bytes), found " + hex32(found) + magic_hint(bytes, found));
    if (bytes.size() < header)
        throw DataError(at_offset(path, bytes.size()) + "truncated header: an IDX " + what + " header is " +
                        std::to_string(header) + " bytes, the file has only " + std::to_string(bytes.size()));
}

// The data after the header must be exactly `count` x `item` bytes: less is a truncated file,
// more means the header does not describe the file.
void check_idx_size(const std::string& path, std::string_view bytes, std::size_t header, std::uint64_t count,
                    std::uint64_t item, const std::string& describe) {
    const std::uint64_t have = bytes.size() - header;
    const bool overflow = item != 0 && count > std::numeric_limits<std::uint64_t>::max() / item;
    const std::uint64_t need = overflow ? std::numeric_limits<std::uint64_t>::max() : count * item;
    if (have < need)
        throw DataError(at_offset(path, header) + "truncated data: expected " +
                        (overflow ? std::string("more than 2^64") : std::to_string(need)) + " bytes of " + describe +
                        " at offset " + std::to_string(header) + ", the file has only " + std::to_string(have) +
                        " (file size " + std::to_string(bytes.size()) + ")");
    if (have > need)
        throw DataError(at_offset(path, header + need) + std::to_string(have - need) + " unexpected bytes after " +
                        std::to_string(need) + " bytes of " + describe + ": the header does not describe this file");
}

// The images file's shape, from its checked header.
struct IdxShape {
    std::uint32_t n = 0, rows = 0, cols = 0;
    std::uint64_t pixels() const { return std::uint64_t{rows} * cols; }
};

IdxShape check_idx_images(const std::string& images_path, std::string_view images) {
    check_idx_header(images_path, images, kImagesMagic, kImagesHeader, "images");
    const IdxShape s{be32(images, 4), be32(images, 8), be32(images, 12)};
    if (s.n == 0) throw DataError(at_offset(images_path, 4) + "no samples: the image count is 0");
    if (s.rows == 0 || s.cols == 0)
        throw DataError(at_offset(images_path, s.rows == 0 ? 8 : 12) + "empty images: the size is " +
                        std::to_string(s.rows) + "x" + std::to_string(s.cols));
    check_idx_size(images_path, images, kImagesHeader, s.n, s.pixels(),
                   "pixel data (" + std::to_string(s.n) + " images of " + std::to_string(s.rows) + "x" +
                       std::to_string(s.cols) + ")");
    return s;
}

// Checks the labels against the checked images and builds the dataset.
Dataset idx_dataset(const std::string& images_path, std::string_view images, const IdxShape& s,
                    const std::string& labels_path, std::string_view labels) {
    check_idx_header(labels_path, labels, kLabelsMagic, kLabelsHeader, "labels");
    const std::uint32_t m = be32(labels, 4);
    if (m != s.n)
        throw DataError(at_offset(labels_path, 4) + "holds " + std::to_string(m) + " labels but " + images_path +
                        " holds " + std::to_string(s.n) + " images");
    check_idx_size(labels_path, labels, kLabelsHeader, m, 1, "labels (" + std::to_string(m) + " labels)");

    Dataset d;
    d.x = Matrix(s.n, static_cast<std::size_t>(s.pixels()));
    const auto* px = reinterpret_cast<const unsigned char*>(images.data() + kImagesHeader);
    std::transform(px, px + d.x.data.size(), d.x.data.begin(), [](unsigned char v) { return static_cast<float>(v); });
    d.y.resize(s.n);
    const auto* lb = reinterpret_cast<const unsigned char*>(labels.data() + kLabelsHeader);
    std::transform(lb, lb + s.n, d.y.begin(), [](unsigned char v) { return static_cast<std::int32_t>(v); });
    // Classes = max label + 1: the labels are the class indices, and a class missing from this
    // file (a subset) still keeps its index.
    d.classes = *std::max_element(d.y.begin(), d.y.end()) + 1;
    d.source = images_path + "," + labels_path;
    return d;
}

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path) {
    // The images are checked before the labels file is read, so a bad images file is reported
    // first whatever the state of its labels.
    const std::string images = read_file<DataError>(images_path);
    const IdxShape shape = check_idx_images(images_path, images);
    return idx_dataset(images_path, images, shape, labels_path, read_file<DataError>(labels_path));
}

Dataset load_idx_from_buffers(std::string_view images, std::string_view labels, const std::string& images_name,
                              const std::string& labels_name) {
    const IdxShape shape = check_idx_images(images_name, images);
    return idx_dataset(images_name, images, shape, labels_name, labels);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Text

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// What the label detection needs to know about one row's trailing fields, gathered while the
// row's full-precision values are at hand (the matrix keeps only floats).
struct RowTail {
    std::size_t line = 0;       // 1-based line in the file
    std::uint32_t zero_one = 0; // t: how many trailing fields are exactly 0 or 1
    std::uint32_t first_one = 0;  // distance from the end (1 = last field) of the nearest 1; 0: none in the tail
    std::uint32_t max_width = 0;  // widest one-hot block with only that one 1: min(t, next 1's distance - 1)
    double breaker = 0.0;         // the field just before the 0/1 tail (when t < fields)
    double last = 0.0;            // the last field, for index labels
};

RowTail describe_tail(const std::vector<double>& row, std::size_t line) {
    RowTail t;
    t.line = line;
    const std::size_t m = row.size();
    std::uint32_t second_one = 0;
    std::size_t d = 1;
    for (; d <= m; ++d) {
        const double v = row[m - d];
        if (v != 0.0 && v != 1.0) break;
        if (v == 1.0) {
            if (t.first_one == 0) t.first_one = static_cast<std::uint32_t>(d);
            else if (second_one == 0) second_one = static_cast<std::uint32_t>(d);
        }
    }
    t.zero_one = static_cast<std::uint32_t>(d - 1);
    if (d <= m) t.breaker = row[m - d];
    t.max_width = second_one != 0 ? second_one - 1 : t.zero_one;
    t.last = row[m - 1];
    return t;
}

struct TextTable {
    std::vector<float> values;  // rows x fields, row-major
    std::size_t fields = 0;
    std::size_t first_line = 0;  // the line that set `fields`
    std::vector<RowTail> tails;
};

// Reads every sample line; numbers are parsed with from_chars on the in-memory file (no streams),
// so 10^5 lines of a few hundred fields take about a second.
TextTable parse_text(const std::string& path, std::string_view text) {
    TextTable t;
    std::vector<double> row;
    const auto fail = [&](std::size_t line, const std::string& why) {
        throw DataError(path + ": line " + std::to_string(line) + ": " + why);
    };
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string::npos ? text.size() : nl;
        const std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        ++line_no;

        std::size_t i = 0;
        while (i < line.size() && is_space(line[i])) ++i;
        if (i == line.size() || line[i] == '#') continue;  // blank or comment

        row.clear();
        for (;;) {
            // At the start of a field.
            if (line[i] == ',')
                fail(line_no, "field " + std::to_string(row.size() + 1) +
                                  " is empty (two commas with nothing between, or a comma at the start)");
            const std::size_t start = i;
            while (i < line.size() && !is_space(line[i]) && line[i] != ',') ++i;
            std::string_view field = line.substr(start, i - start);
            const std::string_view raw = field;
            // from_chars takes no leading '+'; "+1.5" is still a number a user may write.
            if (field.size() > 1 && field[0] == '+' && field[1] != '-' && field[1] != '+') field.remove_prefix(1);
            double v = 0.0;
            const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
            const auto bad_field = [&](const char* problem) {
                fail(line_no, "field " + std::to_string(row.size() + 1) + " '" + std::string(raw) + "' " + problem);
            };
            if (ec == std::errc::result_out_of_range || (ec == std::errc{} && std::isfinite(v) &&
                                                         std::fabs(v) > std::numeric_limits<float>::max()))
                bad_field("is out of range for a 32-bit float");
            if (ec != std::errc{} || ptr != field.data() + field.size()) bad_field("is not a number");
            if (!std::isfinite(v)) bad_field("is not a finite number");
            row.push_back(v);

            while (i < line.size() && is_space(line[i])) ++i;
            if (i < line.size() && line[i] == ',') {
                ++i;
                while (i < line.size() && is_space(line[i])) ++i;
            }
            if (i == line.size()) break;  // a trailing comma ends the line like whitespace does
        }

        if (t.fields == 0) {
            if (row.size() < 2)
                fail(line_no, "only " + std::to_string(row.size()) +
                                  " field; need at least 2 (one feature and the label)");
            t.fields = row.size();
            t.first_line = line_no;
            // Size the table from the first sample line, so large files are not copied as it grows.
            const std::size_t rows_guess = text.size() / std::max<std::size_t>(line.size() + 1, 1) + 1;
            t.values.reserve(rows_guess * t.fields);
            t.tails.reserve(rows_guess);
        } else if (row.size() != t.fields) {
            fail(line_no, "has " + std::to_string(row.size()) + " fields, expected " + std::to_string(t.fields) +
                              " as on line " + std::to_string(t.first_line));
        }
        t.tails.push_back(describe_tail(row, line_no));
        for (const double v : row) t.values.push_back(static_cast<float>(v));
    }
    if (t.tails.empty())
        throw DataError(path + ": no samples: the file is empty or has only blank and '#' lines (" +
                        std::to_string(line_no) + " lines)");
    return t;
}

// The one-hot block width (0 when none fits), or the reason in `why`. The width is the smallest
// trailing block that is 0/1 with exactly one 1 on every row. Each row allows widths
// [first_one, max_width]; the answer is the bottom of the intersection. The first row that empties
// the intersection is the one the message points at. Smallest rather than largest because feature
// columns that are 0 on every row just before the block (blank image borders, sparse features)
// are common; the cost is that a lowest class that never occurs is not counted.
std::size_t one_hot_width(const TextTable& t, std::string& why) {
    const std::size_t m = t.fields;
    std::size_t lo = 1, hi = m - 1;
    std::size_t lo_line = 0, hi_line = 0;  // which line set each bound (0: the bound is the default)
    for (const RowTail& r : t.tails) {
        const std::string at = "line " + std::to_string(r.line) + ": ";
        if (r.first_one == 0) {
            why = r.zero_one == 0
                      ? at + "the last field " + exact(r.last) + " is not 0 or 1"
                      : at + (r.zero_one == 1 ? std::string("the last field is 0")
                                                          : "no 1 among the last " + std::to_string(r.zero_one) + " fields") +
                            " (one-hot needs exactly one 1)";
            return 0;
        }
        if (r.first_one > hi) {
            why = hi_line == 0 ? at + "the only 1 in the 0/1 fields is field 1, which leaves no feature column"
                               : at + "the nearest 1 is field " + std::to_string(m - r.first_one + 1) +
                                     ", outside the one-hot block of at most " + std::to_string(hi) +
                                     " columns that line " + std::to_string(hi_line) + " allows";
            return 0;
        }
        if (r.max_width < lo) {
            const std::size_t bad = m - r.max_width;  // 1-based field that ends this row's block
            why = r.max_width == r.zero_one
                      ? at + "field " + std::to_string(bad) + " is " + exact(r.breaker) +
                            ", not 0 or 1, inside the one-hot block of " + std::to_string(lo) + " columns that line " +
                            std::to_string(lo_line) + " needs"
                      : at + "more than one 1 in the one-hot block of " + std::to_string(lo) +
                            " columns that line " + std::to_string(lo_line) + " needs (fields " + std::to_string(bad) +
                            " and " + std::to_string(m - r.first_one + 1) + ")";
            return 0;
        }
        if (r.first_one > lo) {
            lo = r.first_one;
            lo_line = r.line;
        }
        if (r.max_width < hi) {
            hi = r.max_width;
            hi_line = r.line;
        }
    }
    return lo;
}

// Checks the last column as integer class indices; returns false with the reason in `why`.
bool index_labels_fit(const TextTable& t, std::string& why) {
    for (const RowTail& r : t.tails) {
        const char* problem = r.last < 0.0                 ? " is negative"
                              : r.last != std::floor(r.last) ? " is not an integer"
                              : r.last > kMaxIndexLabel      ? " is too large (at most 16777215)"
                                                             : nullptr;
        if (problem != nullptr) {
            why = "line " + std::to_string(r.line) + ": the label (last field) " + exact(r.last) + problem;
            return false;
        }
    }
    return true;
}

// Keeps the first `features` columns of each row, in place.
Matrix take_features(std::vector<float> values, std::size_t rows, std::size_t fields, std::size_t features) {
    for (std::size_t r = 1; r < rows; ++r)
        // Destination before source: a forward copy within one vector is safe.
        std::copy(values.begin() + static_cast<std::ptrdiff_t>(r * fields),
                  values.begin() + static_cast<std::ptrdiff_t>(r * fields + features),
                  values.begin() + static_cast<std::ptrdiff_t>(r * features));
    values.resize(rows * features);
    values.shrink_to_fit();
    Matrix x;
    x.rows = rows;
    x.cols = features;
    x.data = std::move(values);
    return x;
}

}  // namespace

Dataset load_text(const std::string& path, LabelFormat format) {
    return load_text_from_string(read_file<DataError>(path), path, format);
}

Dataset load_text_from_string(std::string_view text, const std::string& path, LabelFormat format) {
    TextTable t = parse_text(path, text);
    const std::size_t n = t.tails.size();

    std::string onehot_why, index_why;
    std::size_t width = 0;
    if (format != LabelFormat::Index) width = one_hot_width(t, onehot_why);
    if (format == LabelFormat::OneHot && width == 0)
        throw DataError(path + ": " + onehot_why + " (--label-format onehot: the last columns must be 0/1 with exactly one 1)");
    bool index = false;
    if (width == 0) {
        index = index_labels_fit(t, index_why);
        if (!index && format == LabelFormat::Index)
            throw DataError(path + ": " + index_why + " (--label-format index: the last column is the class, 0, 1, 2, ...)");
        if (!index)
            throw DataError(path + ": cannot find the labels: neither a one-hot block nor an integer class column fits. "
                                   "One-hot: " + onehot_why + ". Class index: " + index_why);
    }

    Dataset d;
    d.y.resize(n);
    if (index) {
        std::int32_t max_label = 0;
        for (std::size_t r = 0; r < n; ++r) {
            d.y[r] = static_cast<std::int32_t>(t.tails[r].last);
            max_label = std::max(max_label, d.y[r]);
        }
        d.classes = max_label + 1;
        width = 1;
    } else {
        // The block's only 1 is the row's nearest 1; its column within the block is the class.
        for (std::size_t r = 0; r < n; ++r) d.y[r] = static_cast<std::int32_t>(width - t.tails[r].first_one);
        d.classes = static_cast<int>(width);
    }
    d.x = take_features(std::move(t.values), n, t.fields, t.fields - width);
    d.source = path;
    return d;
}

LabelFormat parse_label_format(const std::string& s) {
    if (s == "auto") return LabelFormat::Auto;
    if (s == "onehot") return LabelFormat::OneHot;
    if (s == "index") return LabelFormat::Index;
    throw ConfigError("unknown label-format '" + s + "' (choose one of: auto, onehot, index)");
}

std::string builtin_mnist_dir() {
    const char* env = std::getenv("DNNSWEEP_DATA_DIR");
    return env != nullptr && *env != '\0' ? std::string(env) : std::string(DNNSWEEP_DEFAULT_DATA_DIR);
}

namespace {

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
    const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    unsigned char b[4] = {};
    if (!f || std::fread(b, 1, 4, f.get()) != 4) return 0;
    return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
}

Dataset load_idx_folder(const std::string& dir, const std::string& what) {
    const std::string images = (fs::path(dir) / kImagesName).string();
    const std::string labels = (fs::path(dir) / kLabelsName).string();
    std::string missing;
    for (const std::string& f : {images, labels})
        if (!is_file(f)) missing += (missing.empty() ? "" : ", ") + f;
    if (!missing.empty())
        throw DataError(what + ": missing " + missing + " (a data folder holds " + kImagesName + " and " +
                        kLabelsName + ")");
    return load_idx(images, labels);
}

}  // namespace

Dataset load_dataset(const std::string& spec, LabelFormat format) {
    const std::string accepted =
        "--data takes mnist, a folder holding " + std::string(kImagesName) + " and " + kLabelsName +
        ", an IDX images file, IMAGES,LABELS, or a text file";
    if (spec.empty()) throw DataError("--data is empty (" + accepted + ")");

    if (spec == "mnist") {
        const std::string dir = builtin_mnist_dir();
        const char* env = std::getenv("DNNSWEEP_DATA_DIR");
        const std::string from = env != nullptr && *env != '\0' ? " (from $DNNSWEEP_DATA_DIR)" : "";
        for (const char* name : {kImagesName, kLabelsName})
            if (!is_file((fs::path(dir) / name).string()))
                throw DataError("--data mnist: the built-in MNIST digits are not in " + dir + from + ": " + name +
                                " is missing. Fetch them with `bash scripts/setup.sh` (or `bash scripts/fetch_mnist.sh " +
                                dir + "`)");
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
