#include "sweeps/spec.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <utility>

#include <boost/program_options.hpp>

#include "engine/read_file.hpp"
#include "engine/train_curves.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/hash.hpp"
#include "sweeps/search_space.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

// `threads` is both a table option and a study key: it is per rank, never a sweep axis.
constexpr std::string_view kThreads = "threads";
// How ranges are drawn: a study key kept out of the hashed study-key table, so specs without
// ranges keep their hash (search_space.cpp hashes it with the ranges).
constexpr std::string_view kSampler = "sampler";
// Hashed only when not the default, so a spec without it keeps the hash it had before the key.
constexpr std::string_view kTrainCurves = "train-curves";
// `refit` asks for a model after the sweep: it changes no result, so it is not in the spec's hash
// (a finished sweep resumed with it refits without running anything again).
constexpr std::string_view kRefit = "refit";
// `repair` adds configurations after the grid (outputs/repairs.hpp); the grid's own results do not
// change, so a finished sweep resumed with it only runs the repairs.
constexpr std::string_view kRepair = "repair";

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\f\v");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\f\v");
    return s.substr(first, last - first + 1);
}

std::string real_text(double v) { return to_text(OptionValue{v}); }

// A study key: parses and range-checks its value into the spec (throws ConfigError(why)), and
// prints the parsed value back canonically (for the hash).
struct StudyKey {
    std::string_view name;
    void (*set)(SweepSpec&, std::string_view);
    std::string (*get)(const SweepSpec&);
    // Keys added after results files existed join the hash only when set away from their default,
    // so a spec that does not use them keeps the hash (and the results file) it had.
    bool hashed_at_default = true;
};

double fraction_in(std::string_view s, double lo, bool lo_open, double hi, bool hi_open) {
    const double v = parse_real(s);
    const bool ok = (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    if (!ok)
        throw ConfigError("must be in " + std::string(lo_open ? "(" : "[") + real_text(lo) + ", " + real_text(hi) +
                          (hi_open ? ")" : "]") + ", got " + std::string(s));
    return v;
}

// An integer of at least `lo`; `why` (" (...)") explains the bound in the error.
int int_at_least(std::string_view s, int lo, std::string_view why = "") {
    const int v = parse_int(s);
    if (v < lo) throw ConfigError("must be >= " + std::to_string(lo) + std::string(why) + ", got " + std::string(s));
    return v;
}

double non_negative_real(std::string_view s) {
    const double v = parse_real(s);
    if (!(v >= 0.0 && std::isfinite(v))) throw ConfigError("must be >= 0, got " + std::string(s));
    return v;
}

bool true_or_false(std::string_view s) {
    if (s == "true") return true;
    if (s == "false") return false;
    throw ConfigError("expected true or false, got " + std::string(s));
}

double positive_real(std::string_view s) {
    const double v = parse_real(s);
    if (!(v > 0.0)) throw ConfigError("must be > 0, got " + std::string(s));
    return v;
}

bool parse_header_value(std::string_view v) {
    if (v == "true") return true;
    if (v == "false") return false;
    throw ConfigError("must be true or false (leave it out to detect the header), got " + std::string(v));
}

// `feature-columns = a, b, "c"`: names (or indices) separated by commas.
std::vector<std::string> split_names(std::string_view v) {
    std::vector<std::string> names;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t comma = v.find(',', pos);
        const std::string_view item = trim(v.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
        if (item.empty()) throw ConfigError("empty name in the list '" + std::string(v) + "'");
        names.emplace_back(item);
        if (comma == std::string_view::npos) return names;
        pos = comma + 1;
    }
}

std::string join_names(const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ",") + n;
    return s.empty() ? "all" : s;
}

std::span<const StudyKey> study_keys() {
    using S = SweepSpec;
    using V = std::string_view;
    static const auto keys = std::to_array<StudyKey>({
        {"data", [](S& s, V v) { s.data = std::string(v); }, [](const S& s) { return s.data; }},
        {"label-format", [](S& s, V v) { s.label_format = parse_label_format(std::string(v)); },
         [](const S& s) -> std::string {
             switch (s.label_format) {
             case LabelFormat::OneHot:
                 return "onehot";
             case LabelFormat::Index:
                 return "index";
             case LabelFormat::Auto:
                 break;
             }
             return "auto";
         }},
        {"test-fraction", [](S& s, V v) { s.split.test_fraction = fraction_in(v, 0.0, false, 1.0, true); },
         [](const S& s) { return real_text(s.split.test_fraction); }},
        {"folds", [](S& s, V v) { s.split.folds = int_at_least(v, 1); },
         [](const S& s) { return std::to_string(s.split.folds); }},
        {"validation-fraction", [](S& s, V v) { s.split.validation_fraction = fraction_in(v, 0.0, true, 1.0, true); },
         [](const S& s) { return real_text(s.split.validation_fraction); }},
        {"split-seed", [](S& s, V v) { s.split.split_seed = parse_uint64(v); },
         [](const S& s) { return std::to_string(s.split.split_seed); }},
        {"sample",
         [](S& s, V v) {
             s.sample = parse_uint64(v);
             if (*s.sample == 0) throw ConfigError("must be >= 1 (leave it out to run every configuration)");
         },
         [](const S& s) { return s.sample ? std::to_string(*s.sample) : std::string("all"); }},
        {"sample-seed", [](S& s, V v) { s.sample_seed = parse_uint64(v); },
         [](const S& s) { return std::to_string(s.sample_seed); }},
        {"chance-factor", [](S& s, V v) { s.thresholds.chance_factor = positive_real(v); },
         [](const S& s) { return real_text(s.thresholds.chance_factor); }},
        {"underfit-error", [](S& s, V v) { s.thresholds.underfit_error = fraction_in(v, 0.0, false, 1.0, false); },
         [](const S& s) { return real_text(s.thresholds.underfit_error); }},
        {"overfit-gap", [](S& s, V v) { s.thresholds.overfit_gap = fraction_in(v, 0.0, false, 1.0, false); },
         [](const S& s) { return real_text(s.thresholds.overfit_gap); }},
        {"vanishing-ratio", [](S& s, V v) { s.thresholds.vanishing_ratio = positive_real(v); },
         [](const S& s) { return real_text(s.thresholds.vanishing_ratio); }},
        {"dead-relu", [](S& s, V v) { s.thresholds.dead_relu = fraction_in(v, 0.0, false, 1.0, false); },
         [](const S& s) { return real_text(s.thresholds.dead_relu); }},
        {"unscaled-input", [](S& s, V v) { s.thresholds.unscaled_input = positive_real(v); },
         [](const S& s) { return real_text(s.thresholds.unscaled_input); }},
        {"few-updates", [](S& s, V v) { s.thresholds.few_updates = int_at_least(v, 0); },
         [](const S& s) { return std::to_string(s.thresholds.few_updates); }},
        {"loss-spike", [](S& s, V v) { s.thresholds.loss_spike = non_negative_real(v); },
         [](const S& s) { return real_text(s.thresholds.loss_spike); }, false},
        {"flat-loss", [](S& s, V v) { s.thresholds.flat_loss = fraction_in(v, 0.0, false, 1.0, false); },
         [](const S& s) { return real_text(s.thresholds.flat_loss); }, false},
        {"exploding-gradient", [](S& s, V v) { s.thresholds.exploding_gradient = non_negative_real(v); },
         [](const S& s) { return real_text(s.thresholds.exploding_gradient); }, false},
        {"saturated", [](S& s, V v) { s.thresholds.saturated = fraction_in(v, 0.0, false, 1.0, false); },
         [](const S& s) { return real_text(s.thresholds.saturated); }, false},
        {"still-improving", [](S& s, V v) { s.thresholds.still_improving = non_negative_real(v); },
         [](const S& s) { return real_text(s.thresholds.still_improving); }, false},
        {"input-shift", [](S& s, V v) { s.thresholds.input_shift = non_negative_real(v); },
         [](const S& s) { return real_text(s.thresholds.input_shift); }, false},
        {"heavy-dropout", [](S& s, V v) { s.thresholds.heavy_dropout = fraction_in(v, 0.0, false, 1.0, false); },
         [](const S& s) { return real_text(s.thresholds.heavy_dropout); }, false},
        {"heavy-weight-decay", [](S& s, V v) { s.thresholds.heavy_weight_decay = non_negative_real(v); },
         [](const S& s) { return real_text(s.thresholds.heavy_weight_decay); }, false},
        {"prune", [](S& s, V v) { s.prune.mode = parse_prune_mode(v); },
         [](const S& s) { return std::string(name(s.prune.mode)); }},
        {"prune-after",
         [](S& s, V v) { s.prune.after = int_at_least(v, 2, " (the training loss is compared with epoch 1's)"); },
         [](const S& s) { return std::to_string(s.prune.after); }},
        {"prune-loss-drop", [](S& s, V v) { s.prune.min_loss_drop = fraction_in(v, 0.0, false, 1.0, false); },
         [](const S& s) { return real_text(s.prune.min_loss_drop); }},
        {"halving-min-epochs", [](S& s, V v) { s.prune.halving_min_epochs = int_at_least(v, 1); },
         [](const S& s) { return std::to_string(s.prune.halving_min_epochs); }},
        {"halving-eta", [](S& s, V v) { s.prune.halving_eta = int_at_least(v, 2); },
         [](const S& s) { return std::to_string(s.prune.halving_eta); }},
        {kTrainCurves, [](S& s, V v) { s.exact_train_curves = parse_train_curves(v); },
         [](const S& s) { return std::string(train_curves_name(s.exact_train_curves)); }, false},
        {"features", [](S& s, V v) { s.load.features = std::string(v); }, [](const S& s) { return s.load.features; },
         false},
        {"labels", [](S& s, V v) { s.load.labels = std::string(v); }, [](const S& s) { return s.load.labels; }, false},
        {"header", [](S& s, V v) { s.load.header = parse_header_value(v); },
         [](const S& s) -> std::string { return s.load.header ? (*s.load.header ? "true" : "false") : "detect"; },
         false},
        {"label-column", [](S& s, V v) { s.load.label_column = std::string(v); },
         [](const S& s) { return s.load.label_column.empty() ? std::string("last") : s.load.label_column; }, false},
        {"feature-columns", [](S& s, V v) { s.load.feature_columns = split_names(v); },
         [](const S& s) { return join_names(s.load.feature_columns); }, false},
        {"test-data", [](S& s, V v) { s.test_data = std::string(v); },
         [](const S& s) { return s.test_data.empty() ? std::string("none") : s.test_data; }, false},
        {kRefit, [](S& s, V v) { s.refit = true_or_false(v); },
         [](const S& s) { return std::string(s.refit ? "true" : "false"); }},
        {kRepair, [](S& s, V v) { s.repair = true_or_false(v); },
         [](const S& s) { return std::string(s.repair ? "true" : "false"); }},
    });
    return keys;
}

const StudyKey* find_study_key(std::string_view name) {
    const std::span<const StudyKey> keys = study_keys();
    const auto it = std::ranges::find(keys, name, &StudyKey::name);
    return it == keys.end() ? nullptr : &*it;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// The closest known key, if it is close enough to be a typo.
std::string suggestion(std::string_view key) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, key.size() / 4) + 1;
    auto consider = [&](std::string_view name) {
        const std::size_t d = edit_distance(key, name);
        if (d < best_d) {
            best_d = d;
            best = std::string(name);
        }
    };
    for (const ConfigOption& opt : config_options()) consider(opt.name);
    for (const StudyKey& k : study_keys()) consider(k.name);
    consider(kSampler);
    return best;
}

// One `key = value` line of the file.
struct KeyLine {
    std::string key;
    int line = 0;
    int section = -1;  // index into the sections' headers; -1: top level
};

// A `[name]` header.
struct SectionHeader {
    std::string name;
    int line = 0;
};

// What one level (the top, or a section) sets: option lists and ranges by option name.
struct Level {
    std::map<std::string, std::vector<std::string>, std::less<>> lists;
    std::map<std::string, RangeAxis, std::less<>> ranges;
};

bool is_section_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

class Parser {
public:
    Parser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

    SweepSpec parse() {
        SweepSpec spec;
        spec.path = path_;
        spec.text = std::string(text_);
        spec.split.folds = 5;  // a study cross-validates unless it says otherwise

        const std::string cleaned = scan();
        const auto pairs = boost_pairs(cleaned);

        Level top;
        std::vector<Level> levels(headers_.size());
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            const KeyLine& at = lines_[i];
            const auto& [key, value] = pairs[i];
            if (value.empty()) fail(at, "empty value");
            const bool study_level = key == kSampler || key == kThreads || find_study_key(key);
            if (at.section >= 0 && study_level)
                fail(at, "a study key: set it at the top, before the first section (it applies to the whole study)");
            Level& level = at.section >= 0 ? levels[static_cast<std::size_t>(at.section)] : top;
            if (key == kSampler) {
                try {
                    spec.sampler = parse_sampler(value);
                } catch (const ConfigError& e) {
                    fail(at, e.what());
                }
            } else if (const StudyKey* study = find_study_key(key)) {
                try {
                    study->set(spec, value);
                } catch (const ConfigError& e) {
                    fail(at, e.what());
                }
            } else if (const ConfigOption* opt = find_config_option(key)) {
                if (opt->name == kThreads) {
                    spec.threads = parse_threads(*opt, at, value);
                } else if (auto range = parse_range_at(*opt, at, value)) {
                    range->line = at.line;
                    level.ranges[opt->name] = std::move(*range);
                } else {
                    level.lists[opt->name] = parse_list(*opt, at, value);
                }
            } else {
                const std::string close = suggestion(key);
                fail(at, close.empty() ? "unknown key" : "unknown key (did you mean " + close + "?)");
            }
        }
        if (!spec.test_data.empty() && spec.split.test_fraction != 0.0)
            throw SpecError(path_ +
                            ": test-data and test-fraction: a separate test set replaces test-fraction; "
                            "give one of them");
        for (const ConfigOption& opt : config_options())
            if (const auto it = top.lists.find(opt.name); it != top.lists.end())
                spec.axes.push_back({opt.name, it->second});
        if (headers_.empty()) spec.sections.push_back(merged("", 0, top, Level{}));
        for (std::size_t s = 0; s < headers_.size(); ++s)
            spec.sections.push_back(merged(headers_[s].name, headers_[s].line, top, levels[s]));
        if (!spec.sample)
            for (const Section& section : spec.sections)
                for (const RangeAxis& r : section.ranges)
                    fail(KeyLine{r.key, r.line},
                         "a range is drawn from: add 'sample = N' (the configurations to draw per section)");
        spec.hash = spec_hash(spec);
        return spec;
    }

private:
    [[noreturn]] void fail(const KeyLine& at, const std::string& why) const {
        throw SpecError(path_ + ":" + std::to_string(at.line) + ": " + at.key + ": " + why);
    }
    [[noreturn]] void fail_line(int line, const std::string& why) const {
        throw SpecError(path_ + ":" + std::to_string(line) + ": " + why);
    }

    std::optional<RangeAxis> parse_range_at(const ConfigOption& opt, const KeyLine& at, std::string_view value) const {
        try {
            return parse_range(opt, value);
        } catch (const ConfigError& e) {
            fail(at, e.what());
        }
    }

    // A section's grid: its own keys over the top level's, in the option table's order.
    static Section merged(const std::string& name, int line, const Level& top, const Level& own) {
        Section s{.name = name, .line = line, .axes = {}, .ranges = {}};
        for (const ConfigOption& opt : config_options()) {
            const Level& from = own.lists.contains(opt.name) || own.ranges.contains(opt.name) ? own : top;
            if (const auto it = from.lists.find(opt.name); it != from.lists.end())
                s.axes.push_back({opt.name, it->second});
            else if (const auto r = from.ranges.find(opt.name); r != from.ranges.end())
                s.ranges.push_back(r->second);
        }
        return s;
    }

    // Boost reports no line numbers, so find every key's line here, and reject what Boost would
    // accept but a sweep must not: sections (Boost would silently prefix the keys), duplicate keys
    // (Boost keeps both). Returns the text with comments removed (Boost knows only '#'), lines kept.
    std::string scan() {
        std::string cleaned;
        std::map<std::pair<int, std::string>, int> first_line;
        std::vector<int> keys_in_section;
        int number = 0;
        std::size_t pos = 0;
        while (pos <= text_.size()) {
            const auto end = std::min(text_.find('\n', pos), text_.size());
            std::string_view raw = text_.substr(pos, end - pos);
            pos = end + 1;
            ++number;
            raw = raw.substr(0, std::min(raw.find('#'), raw.find(';')));
            const std::string_view line = trim(raw);
            cleaned.append(line).append("\n");
            if (line.empty()) continue;
            if (line.front() == '[') {
                section_header(line, number);
                keys_in_section.push_back(0);
                cleaned.resize(cleaned.size() - line.size() - 1);
                cleaned.append("\n");
                continue;
            }
            const auto eq = line.find('=');
            if (eq == std::string_view::npos)
                fail_line(number, "expected 'key = value', got '" + std::string(line) + "'");
            const std::string key(trim(line.substr(0, eq)));
            if (key.empty()) fail_line(number, "missing key before '='");
            const int section = static_cast<int>(headers_.size()) - 1;
            const KeyLine at{key, number, section};
            if (const auto [it, fresh] = first_line.emplace(std::pair{section, key}, number); !fresh)
                fail(at, "duplicate key (first given on line " + std::to_string(it->second) + ")");
            if (section >= 0) ++keys_in_section.back();
            lines_.push_back(at);
        }
        for (std::size_t s = 0; s < headers_.size(); ++s)
            if (keys_in_section[s] == 0)
                fail_line(headers_[s].line, "[" + headers_[s].name + "]: empty section (give it at least one key)");
        return cleaned;
    }

    // `[name]`: a new grid of the union; its name is what `configs` shows, so it must be unique.
    void section_header(std::string_view line, int number) {
        if (line.back() != ']') fail_line(number, "expected '[name]', got '" + std::string(line) + "'");
        const std::string name(trim(line.substr(1, line.size() - 2)));
        if (name.empty()) fail_line(number, "[]: a section needs a name");
        if (!std::ranges::all_of(name, is_section_name_char))
            fail_line(number, "[" + name + "]: a section name takes letters, digits, '-', '_' and '.'");
        if (const auto it = std::ranges::find(headers_, name, &SectionHeader::name); it != headers_.end())
            fail_line(number,
                      "[" + name + "]: duplicate section (first given on line " + std::to_string(it->line) + ")");
        headers_.push_back({name, number});
    }

    // The (key, value) pairs as Boost's config-file parser reads them, in file order.
    std::vector<std::pair<std::string, std::string>> boost_pairs(const std::string& cleaned) const {
        std::vector<std::pair<std::string, std::string>> pairs;
        try {
            std::istringstream in(cleaned);
            const po::options_description none;  // every key is ours to check: all "unregistered"
            const po::parsed_options parsed = po::parse_config_file(in, none, /*allow_unregistered=*/true);
            for (const po::option& o : parsed.options)
                pairs.emplace_back(o.string_key, o.value.empty() ? std::string() : std::string(trim(o.value.front())));
        } catch (const po::error& e) {
            throw SpecError(path_ + ": " + e.what());
        }
        // The scan and Boost read the same lines; a mismatch would attach errors to wrong lines.
        if (pairs.size() != lines_.size()) throw SpecError(path_ + ": cannot read the file as 'key = value' lines");
        for (std::size_t i = 0; i < pairs.size(); ++i)
            if (pairs[i].first != lines_[i].key) fail(lines_[i], "cannot read this line as 'key = value'");
        return pairs;
    }

    // One value of option `opt`: parsed, range-checked on an otherwise default config, printed back.
    std::string canonical_value(const ConfigOption& opt, const KeyLine& at, std::string_view value) const {
        TrainConfig scratch;
        try {
            opt.set(scratch, value);
        } catch (const ConfigError& e) {
            fail(at, e.what());
        }
        try {
            scratch.validate();
        } catch (const ConfigError& e) {
            // validate() names the field itself ("dropout: must be in [0, 1)").
            fail_line(at.line, std::string(e.what()) + ", got " + std::string(value));
        }
        return to_text(opt.get(scratch));
    }

    std::vector<std::string> parse_list(const ConfigOption& opt, const KeyLine& at, std::string_view value) const {
        std::vector<std::string> values;
        std::set<std::string, std::less<>> seen;  // long lists stay O(n log n)
        std::size_t pos = 0;
        while (true) {
            const auto comma = value.find(',', pos);
            const std::string_view item =
                trim(value.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
            if (item.empty()) fail(at, "empty item in the list '" + std::string(value) + "'");
            std::string canon = canonical_value(opt, at, item);
            if (!seen.insert(canon).second)
                fail(at, std::string("'").append(item).append("' is listed twice (as ").append(canon).append(")"));
            values.push_back(std::move(canon));
            if (comma == std::string_view::npos) break;
            pos = comma + 1;
        }
        return values;
    }

    int parse_threads(const ConfigOption& opt, const KeyLine& at, std::string_view value) const {
        if (value.find(',') != std::string_view::npos)
            fail(at, "takes one value (threads per rank, not a sweep axis), got '" + std::string(value) + "'");
        TrainConfig scratch;
        opt.set(scratch, canonical_value(opt, at, value));
        return scratch.threads;
    }

    // Hashes what decides the results: every option's values (given lists in the order written,
    // defaults for the rest) and every study key but `threads`; not the comments, layout or key order.
    static std::string spec_hash(const SweepSpec& spec) {
        std::string canon = "dnnsweep-spec-1\n";
        const TrainConfig defaults;
        for (const ConfigOption& opt : config_options()) {
            if (opt.name == kThreads) continue;
            const auto axis = std::ranges::find(spec.axes, opt.name, &Axis::key);
            if (axis == spec.axes.end() && !opt.hashed_at_default) continue;
            canon.append(opt.name).append("=");
            if (axis != spec.axes.end()) {
                for (std::size_t i = 0; i < axis->values.size(); ++i)
                    canon.append(i ? "," : "").append(axis->values[i]);
            } else {
                canon.append(opt.has_default ? to_text(opt.get(defaults)) : std::string("default"));
            }
            canon.append(";\n");
        }
        const SweepSpec defaults_spec;
        for (const StudyKey& key : study_keys())
            if (key.name != kRefit && key.name != kRepair &&
                (key.hashed_at_default || key.get(spec) != key.get(defaults_spec)))
                canon.append(key.name).append("=").append(key.get(spec)).append(";\n");
        canon.append(search_space_canon(spec));
        return hex16(fnv1a64(canon));
    }

    std::string_view text_;
    const std::string& path_;
    std::vector<KeyLine> lines_;
    std::vector<SectionHeader> headers_;
};

}  // namespace

SweepSpec parse_spec(std::string_view text, const std::string& path) { return Parser(text, path).parse(); }

SweepSpec load_spec(const std::string& path) { return parse_spec(read_file<SpecError>(path), path); }

}  // namespace dnnsweep
