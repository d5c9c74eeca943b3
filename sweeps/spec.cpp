#include "sweeps/spec.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include <boost/program_options.hpp>

#include "engine/read_file.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/hash.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

// `threads` is both a table option and a study key: it is per rank, never a sweep axis.
constexpr std::string_view kThreads = "threads";

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

double positive_real(std::string_view s) {
    const double v = parse_real(s);
    if (!(v > 0.0)) throw ConfigError("must be > 0, got " + std::string(s));
    return v;
}

const std::array<StudyKey, 20>& study_keys() {
    using S = SweepSpec;
    using V = std::string_view;
    static const std::array<StudyKey, 20> keys{{
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
    }};
    return keys;
}

const StudyKey* find_study_key(std::string_view name) {
    const auto& keys = study_keys();
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
    return best;
}

// One `key = value` line of the file.
struct KeyLine {
    std::string key;
    int line = 0;
};

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

        std::map<std::string, std::vector<std::string>, std::less<>> lists;
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            const KeyLine& at = lines_[i];
            const auto& [key, value] = pairs[i];
            if (value.empty()) fail(at, "empty value");
            if (const StudyKey* study = find_study_key(key)) {
                try {
                    study->set(spec, value);
                } catch (const ConfigError& e) {
                    fail(at, e.what());
                }
            } else if (const ConfigOption* opt = find_config_option(key)) {
                if (opt->name == kThreads)
                    spec.threads = parse_threads(*opt, at, value);
                else
                    lists[opt->name] = parse_list(*opt, at, value);
            } else {
                const std::string close = suggestion(key);
                fail(at, close.empty() ? "unknown key" : "unknown key (did you mean " + close + "?)");
            }
        }
        for (const ConfigOption& opt : config_options())
            if (const auto it = lists.find(opt.name); it != lists.end()) spec.axes.push_back({opt.name, it->second});
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

    // Boost reports no line numbers, so find every key's line here, and reject what Boost would
    // accept but a sweep must not: sections (Boost would silently prefix the keys), duplicate keys
    // (Boost keeps both). Returns the text with comments removed (Boost knows only '#'), lines kept.
    std::string scan() {
        std::string cleaned;
        std::map<std::string, int, std::less<>> first_line;
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
            if (line.front() == '[')
                fail_line(number,
                          std::string(line) + ": sections are not supported (write every key at the top level)");
            const auto eq = line.find('=');
            if (eq == std::string_view::npos)
                fail_line(number, "expected 'key = value', got '" + std::string(line) + "'");
            const std::string key(trim(line.substr(0, eq)));
            if (key.empty()) fail_line(number, "missing key before '='");
            const KeyLine at{key, number};
            if (const auto [it, fresh] = first_line.emplace(key, number); !fresh)
                fail(at, "duplicate key (first given on line " + std::to_string(it->second) + ")");
            lines_.push_back(at);
        }
        return cleaned;
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
            canon.append(opt.name).append("=");
            const auto axis = std::ranges::find(spec.axes, opt.name, &Axis::key);
            if (axis != spec.axes.end()) {
                for (std::size_t i = 0; i < axis->values.size(); ++i)
                    canon.append(i ? "," : "").append(axis->values[i]);
            } else {
                canon.append(opt.has_default ? to_text(opt.get(defaults)) : std::string("default"));
            }
            canon.append(";\n");
        }
        for (const StudyKey& key : study_keys()) canon.append(key.name).append("=").append(key.get(spec)).append(";\n");
        return hex16(fnv1a64(canon));
    }

    std::string_view text_;
    const std::string& path_;
    std::vector<KeyLine> lines_;
};

}  // namespace

SweepSpec parse_spec(std::string_view text, const std::string& path) { return Parser(text, path).parse(); }

SweepSpec load_spec(const std::string& path) { return parse_spec(read_file<SpecError>(path), path); }

}  // namespace dnnsweep
