// The text reader: load_text and load_text_from_string (engine/dataset.hpp), with label detection.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "engine/dataset.hpp"
#include "engine/read_file.hpp"
#include "engine/text_format.hpp"

namespace dnnsweep {
namespace {

// Index labels must be exact in a float and give a class count that fits an int.
constexpr double kMaxIndexLabel = 16777215.0;  // 2^24 - 1

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// What the label detection needs to know about one row's trailing fields, gathered while the
// row's full-precision values are at hand (the matrix keeps only floats).
struct RowTail {
    std::size_t line = 0;         // 1-based line in the file
    std::uint32_t zero_one = 0;   // t: how many trailing fields are exactly 0 or 1
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
            if (t.first_one == 0)
                t.first_one = static_cast<std::uint32_t>(d);
            else if (second_one == 0)
                second_one = static_cast<std::uint32_t>(d);
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
// `labelled`: a row needs a label field after its features.
TextTable parse_text(const std::string& path, std::string_view text, bool labelled) {
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
            if (ec == std::errc::result_out_of_range ||
                (ec == std::errc{} && std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max()))
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
            if (labelled && row.size() < 2)
                fail(line_no,
                     "only " + std::to_string(row.size()) + " field; need at least 2 (one feature and the label)");
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
                      : at +
                            (r.zero_one == 1 ? std::string("the last field is 0")
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
                      : at + "more than one 1 in the one-hot block of " + std::to_string(lo) + " columns that line " +
                            std::to_string(lo_line) + " needs (fields " + std::to_string(bad) + " and " +
                            std::to_string(m - r.first_one + 1) + ")";
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
        const char* problem = r.last < 0.0                   ? " is negative"
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
    TextTable t = parse_text(path, text, true);
    const std::size_t n = t.tails.size();

    std::string onehot_why, index_why;
    std::size_t width = 0;
    if (format != LabelFormat::Index) width = one_hot_width(t, onehot_why);
    if (format == LabelFormat::OneHot && width == 0)
        throw DataError(path + ": " + onehot_why +
                        " (--label-format onehot: the last columns must be 0/1 with exactly one 1)");
    bool index = false;
    if (width == 0) {
        index = index_labels_fit(t, index_why);
        if (!index && format == LabelFormat::Index)
            throw DataError(path + ": " + index_why +
                            " (--label-format index: the last column is the class, 0, 1, 2, ...)");
        if (!index)
            throw DataError(path +
                            ": cannot find the labels: neither a one-hot block nor an integer class column fits. "
                            "One-hot: " +
                            onehot_why + ". Class index: " + index_why);
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

Dataset load_text_features_from_string(std::string_view text, const std::string& path) {
    TextTable t = parse_text(path, text, false);
    const std::size_t n = t.tails.size();
    Dataset d;
    d.x = take_features(std::move(t.values), n, t.fields, t.fields);
    d.source = path;
    return d;
}

}  // namespace dnnsweep
