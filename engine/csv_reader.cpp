// The CSV reader: load_csv, load_csv_from_string and looks_like_csv (engine/dataset.hpp). A header
// row is detected or set, the label column named or counted, string labels become classes with
// their names kept; a missing or non-numeric feature is an error naming line and column.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "engine/class_labels.hpp"
#include "engine/dataset.hpp"
#include "engine/read_file.hpp"

namespace dnnsweep {
namespace {

struct Record {
    std::vector<std::string> fields;
    std::size_t line = 0;  // 1-based line the record starts on
};

// RFC 4180 records: fields separated by `delim`, "quoted" fields may hold the delimiter, "" and line
// breaks; spaces around unquoted fields are dropped; blank lines are skipped.
class Scanner {
public:
    Scanner(std::string_view text, const std::string& name, char delim) : text_(text), name_(name), delim_(delim) {
        if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte order mark (Excel writes one)
    }

    bool next(Record& r) {
        skip_blank_lines();
        if (pos_ >= text_.size()) return false;
        r.fields.clear();
        r.line = line_;
        for (;;) {
            r.fields.push_back(field(r.fields.size() + 1));
            if (pos_ < text_.size() && text_[pos_] == delim_) {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size()) ++pos_, ++line_;  // the '\n' ending the record
            return true;
        }
    }

private:
    bool is_blank(char c) const { return c == ' ' || c == '\r' || (c == '\t' && delim_ != '\t'); }

    void skip_blank_lines() {
        while (pos_ < text_.size()) {
            std::size_t i = pos_;
            while (i < text_.size() && is_blank(text_[i])) ++i;
            if (i < text_.size() && text_[i] != '\n') return;
            pos_ = i < text_.size() ? i + 1 : i;
            if (i < text_.size()) ++line_;
        }
    }

    [[noreturn]] void fail(std::size_t column, const std::string& why) const {
        throw DataError(name_ + ": line " + std::to_string(line_) + ", column " + std::to_string(column) + ": " + why);
    }

    std::string field(std::size_t column) {
        while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
        std::string out;
        if (pos_ < text_.size() && text_[pos_] == '"') {
            const std::size_t open_line = line_;
            ++pos_;
            for (;;) {
                if (pos_ >= text_.size())
                    throw DataError(name_ + ": line " + std::to_string(open_line) + ", column " +
                                    std::to_string(column) + ": a quoted field is not closed by the end of the file");
                const char c = text_[pos_++];
                if (c == '"') {
                    if (pos_ < text_.size() && text_[pos_] == '"') {
                        out += '"';
                        ++pos_;
                        continue;
                    }
                    break;
                }
                if (c == '\n') ++line_;
                out += c;
            }
            while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
            if (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '\n')
                fail(column, "text after the closing quote of a quoted field");
            return out;
        }
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '\n') ++pos_;
        std::size_t end = pos_;
        while (end > start && is_blank(text_[end - 1])) --end;
        return std::string(text_.substr(start, end - start));
    }

    std::string_view text_;
    const std::string& name_;
    char delim_;
    std::size_t pos_ = 0, line_ = 1;
};

// A tab-separated file has tabs and no comma on its first line.
char delimiter_of(std::string_view text) {
    const std::string_view first = text.substr(0, text.find('\n'));
    return first.find('\t') != std::string_view::npos && first.find(',') == std::string_view::npos ? '\t' : ',';
}

bool parse_number(std::string_view s, double& v) {
    if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
    if (s.empty()) return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc{} && ptr == s.data() + s.size();
}

bool is_number(std::string_view s) {
    double v = 0.0;
    return parse_number(s, v);
}

// The first row is a header when one of its fields is not a number where the second row's is, or
// when it is the only row and holds a field that is not a number.
bool detect_header(const Record& first, const Record* second) {
    for (std::size_t c = 0; c < first.fields.size(); ++c) {
        if (is_number(first.fields[c]) || first.fields[c].empty()) continue;
        if (second == nullptr || (c < second->fields.size() && is_number(second->fields[c]))) return true;
    }
    return false;
}

class CsvLoader {
public:
    CsvLoader(std::string_view text, const std::string& name, const LoadOptions& options)
        : text_(text), name_(name), options_(options), scanner_(text, name, delimiter_of(text)) {}

    Dataset load() {
        Record first, second;
        if (!scanner_.next(first)) throw DataError(name_ + ": no samples: the file is empty or blank");
        const bool has_second = scanner_.next(second);
        const bool header = options_.header.value_or(detect_header(first, has_second ? &second : nullptr));
        width_ = first.fields.size();
        if (header) {
            names_ = first.fields;
            header_line_ = first.line;
        }
        choose_columns();
        if (!header) add_row(first);
        if (has_second) {
            add_row(second);
            Record r;
            while (scanner_.next(r)) add_row(r);
        }
        if (rows_ == 0)
            throw DataError(name_ + ": no samples: only the header (line " + std::to_string(header_line_) + ")");
        Dataset d;
        if (options_.labelled) set_labels(d, classes());
        d.x.rows = rows_;
        d.x.cols = features_.size();
        d.x.data = std::move(values_);
        d.source = name_;
        return d;
    }

private:
    [[noreturn]] void fail_option(const char* key, const std::string& why) const {
        throw DataError(name_ + ": " + key + ": " + why);
    }

    std::string column_text(std::size_t c) const {
        return "column " + std::to_string(c + 1) + (names_.empty() ? "" : " (" + names_[c] + ")");
    }

    std::string header_list() const {
        std::string s;
        for (const std::string& n : names_) s += (s.empty() ? "" : ", ") + n;
        return s;
    }

    // A column by header name or by index from 1 (negative: from the end).
    std::size_t resolve(const std::string& spec, const char* key) const {
        if (const auto it = std::ranges::find(names_, spec); it != names_.end()) {
            if (std::ranges::count(names_, spec) > 1)
                fail_option(key, "the header names '" + spec + "' more than once; give its index instead");
            return static_cast<std::size_t>(it - names_.begin());
        }
        long long k = 0;
        const auto [ptr, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), k);
        if (ec == std::errc{} && ptr == spec.data() + spec.size()) {
            const auto width = static_cast<long long>(width_);
            if (k >= 1 && k <= width) return static_cast<std::size_t>(k - 1);
            if (k < 0 && -k <= width) return static_cast<std::size_t>(width + k);
            fail_option(key, spec + " is not a column: the file has " + std::to_string(width_) + " (1.." +
                                 std::to_string(width_) + ", or -1 for the last)");
        }
        fail_option(key, names_.empty() ? "no header to find '" + spec + "' in (name the column by its index from 1)"
                                        : "no column named '" + spec + "' (the header has: " + header_list() + ")");
    }

    void choose_columns() {
        if (!options_.labelled) {
            if (!options_.label_column.empty())
                fail_option("label-column", "given, but these rows are read without labels");
            label_ = width_;  // no column is the label
        } else if (width_ < 2) {
            throw DataError(name_ + ": line 1 has " + std::to_string(width_) +
                            " column; need at least 2 (a feature and the label)");
        } else {
            label_ = options_.label_column.empty() ? width_ - 1 : resolve(options_.label_column, "label-column");
        }
        if (options_.feature_columns.empty()) {
            for (std::size_t c = 0; c < width_; ++c)
                if (c != label_) features_.push_back(c);
        } else {
            for (const std::string& f : options_.feature_columns) {
                const std::size_t c = resolve(f, "feature-columns");
                if (c == label_) fail_option("feature-columns", "'" + f + "' is the label column");
                if (std::ranges::find(features_, c) != features_.end())
                    fail_option("feature-columns", "'" + f + "' is listed twice");
                features_.push_back(c);
            }
        }
        values_.reserve(std::min<std::size_t>(text_.size() / 2, std::size_t{1} << 26));
    }

    void add_row(const Record& r) {
        const auto where = [&](std::size_t c) {
            return name_ + ": line " + std::to_string(r.line) + ", " + column_text(c) + ": ";
        };
        if (r.fields.size() != width_)
            throw DataError(name_ + ": line " + std::to_string(r.line) + " has " + std::to_string(r.fields.size()) +
                            " fields, expected " + std::to_string(width_) +
                            (header_line_ ? " as the header (line " + std::to_string(header_line_) + ")"
                                          : std::string(" as the first row")));
        for (const std::size_t c : features_) {
            const std::string& f = r.fields[c];
            double v = 0.0;
            if (f.empty())
                throw DataError(where(c) + "the value is missing (nothing is filled in: fill or drop it first)");
            if (!parse_number(f, v)) throw DataError(where(c) + "'" + f + "' is not a number");
            if (!std::isfinite(v)) throw DataError(where(c) + "'" + f + "' is not a finite number");
            if (std::fabs(v) > std::numeric_limits<float>::max())
                throw DataError(where(c) + "'" + f + "' is out of range for a 32-bit float");
            values_.push_back(static_cast<float>(v));
        }
        ++rows_;
        if (!options_.labelled) return;
        const std::string& label = r.fields[label_];
        if (label.empty()) throw DataError(where(label_) + "the label is missing");
        labels_.push_back(label);
        label_lines_.push_back(r.line);
    }

    // Integers (or integral numbers) are class values; anything else makes every label a name.
    ClassLabels classes() const {
        std::vector<std::int64_t> ints(labels_.size());
        for (std::size_t i = 0; i < labels_.size(); ++i) {
            double v = 0.0;
            if (!parse_number(labels_[i], v)) return classes_from_strings(labels_, name_ + ": " + column_text(label_));
            if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9007199254740992.0)
                throw DataError(name_ + ": line " + std::to_string(label_lines_[i]) + ", " + column_text(label_) +
                                ": the label '" + labels_[i] +
                                "' is a number but not an integer: labels are classes, not a regression target");
            ints[i] = static_cast<std::int64_t>(v);
        }
        return classes_from_integers(ints, name_ + ": " + column_text(label_));
    }

    std::string_view text_;
    const std::string& name_;
    const LoadOptions& options_;
    Scanner scanner_;
    std::vector<std::string> names_;
    std::size_t width_ = 0, label_ = 0, rows_ = 0, header_line_ = 0;
    std::vector<std::size_t> features_;
    std::vector<float> values_;
    std::vector<std::string> labels_;
    std::vector<std::size_t> label_lines_;
};

}  // namespace

Dataset load_csv(const std::string& path, const LoadOptions& options) {
    return load_csv_from_string(read_file<DataError>(path), path, options);
}

Dataset load_csv_from_string(std::string_view text, const std::string& name, const LoadOptions& options) {
    return CsvLoader(text, name, options).load();
}

bool looks_like_csv(std::string_view text, const std::string& name, const LoadOptions& options) {
    if (options.csv_keys_given()) return true;
    // The first line that is neither blank nor a '#' comment (the text format skips those).
    std::size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        const std::size_t start = line.find_first_not_of(" \t\r\v\f");
        if (start == std::string_view::npos || line[start] == '#') continue;
        // Its fields as CSV: at least two, and one not a number (a header, or string labels).
        Record r;
        Scanner scanner(line, name, delimiter_of(line));
        try {
            if (!scanner.next(r) || r.fields.size() < 2) return false;
        } catch (const DataError&) {
            return true;  // a broken quoted field: the CSV reader says where
        }
        return std::ranges::any_of(r.fields, [](const std::string& f) { return !is_number(f); });
    }
    return false;
}

}  // namespace dnnsweep
