// The computations behind `dnnsweep report` (outputs/report.hpp).
#include "outputs/report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include "engine/dataset.hpp"
#include "engine/diagnosis.hpp"
#include "engine/hdf5/hdf5.hpp"
#include "engine/text_format.hpp"
#include "outputs/class_results.hpp"
#include "outputs/configs.hpp"
#include "outputs/repairs.hpp"
#include "outputs/shard.hpp"
#include "outputs/unit_status.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> shard_paths(const std::string& out_path) {
    std::vector<std::string> paths;
    const fs::path parts = parts_dir(out_path);
    std::error_code ec;
    if (!fs::is_directory(parts, ec)) return paths;
    for (const fs::directory_entry& e : fs::directory_iterator(parts, ec))
        if (e.is_regular_file() && e.path().extension() == ".h5") paths.push_back(e.path().string());
    std::ranges::sort(paths);  // the merge's order, so the same record wins
    return paths;
}

// The classes the diagnosis needs (the chance level) and the report names. Shards do not record
// them; only the data does.
void read_data_info(const SweepSpec& spec, const std::string& shard, RunInfo& info) {
    try {
        const Dataset d = load_dataset(spec.data, spec.label_format);
        info.data = {d.size(), d.features(), d.classes};
        info.class_names = d.class_names;
        info.class_rows = training_rows_per_class(d, spec.split);
        info.chance = chance_of(info.class_rows, spec.thresholds.chance_factor);
    } catch (const std::exception& e) {
        throw ResultsError(shard +
                           ": no merged results yet, and the sweep's data (needed for its class count) "
                           "does not load from here: " +
                           e.what());
    }
}

}  // namespace

ReportSource load_report_source(const std::string& path) {
    ReportSource src;
    Results& r = src.results;
    const std::vector<std::string> shards = shard_paths(path);
    std::error_code ec;
    src.merged_read = fs::exists(path, ec);
    if (!src.merged_read && shards.empty())
        throw ResultsError(path + ": no such file (and no shards in " + parts_dir(path) + ")");
    if (src.merged_read) r = read_results(path);

    std::map<std::uint64_t, UnitResult> by_unit;
    for (UnitResult& u : r.units) by_unit.emplace(u.unit, std::move(u));
    const std::size_t merged_units = by_unit.size();
    std::string spec_origin = path;
    for (const std::string& shard : shards) {
        detail::ShardContents c = detail::read_shard_contents(shard);
        if (r.spec_text.empty()) {
            // No merged file: the first shard says what the sweep is.
            const h5::File f = h5::File::open(shard, h5::File::Access::SwmrRead);
            r.spec_text = f.attr_string("spec");
            r.spec_hash = c.spec_hash;
            r.info.version = f.attr_string("version");
            r.info.started_at = f.attr_double("started_at");
            r.info.data_fingerprint = c.data_fingerprint;
            r.info.data = c.data;  // empty (0 classes) in shards of versions before it: then loaded below
            spec_origin = shard;
        } else if (c.spec_hash != r.spec_hash) {
            throw ResultsError(shard + ": a shard of another sweep spec (hash " + c.spec_hash + ", " + spec_origin +
                               " has " + r.spec_hash + ")");
        }
        if (!src.merged_read) {
            r.info.run_id = c.run_id;
            r.info.ranks = std::max(r.info.ranks, c.rank + 1);
        }
        bool added = false;
        for (UnitResult& u : c.units) {
            const auto [it, inserted] = by_unit.try_emplace(u.unit, std::move(u));
            if (inserted) {
                added = true;
            } else if (unit_status::replaces(u.status, u.epochs, it->second.status, it->second.epochs)) {
                // the merge's rule (outputs/unit_status.hpp), so the report shows what the merge will keep
                it->second = std::move(u);
                added = true;
            }
        }
        src.shards_read += added;
    }

    SweepSpec spec;
    try {
        spec = parse_spec(r.spec_text, spec_origin);
    } catch (const std::exception& e) {
        throw ResultsError(spec_origin + ": its stored spec does not parse: " + e.what());
    }
    Grid grid(spec);
    r.units.clear();
    r.units.reserve(by_unit.size());
    for (auto& [unit, u] : by_unit) r.units.push_back(std::move(u));
    const bool recompute = src.shards_read > 0 || by_unit.size() != merged_units;
    if (recompute && !src.merged_read) {
        read_data_info(spec, shards.front(), r.info);
        r.info.data_source = spec.data;
    }
    // As the merge places them (outputs/repairs.hpp): the grid gains the repairs, their units their index.
    const std::vector<Repair> repairs = place_repairs(r.units, spec, grid, run_chance(r.info), path);
    std::ranges::sort(r.units, {}, &UnitResult::unit);
    src.configs_total = grid.size();
    src.spec_configs = grid.spec_size();
    src.units_total = grid.unit_count();
    src.folds_per_config = grid.folds();
    src.thresholds = spec.thresholds;
    for (const UnitResult& u : r.units)
        if (u.unit >= grid.unit_count() || grid.unit(u.unit).config != u.config)
            throw ResultsError(spec_origin + ": unit " + std::to_string(u.unit) + " (" + u.unit_id +
                               ") does not belong to the spec's grid");
    src.units_done = static_cast<std::uint64_t>(
        std::ranges::count_if(r.units, [](const UnitResult& u) { return unit_status::is_done(u.status); }));

    if (recompute) {
        // Units the merged file lacks: summarise and diagnose as the merge will.
        r.info.finished_at = 0.0;  // this combination is not a finished merge
        r.configs = detail::summarize(r.units, spec, grid, run_chance(r.info));
        link_repairs(r.configs, repairs);
    }
    src.partial = r.info.finished_at == 0.0 || src.units_done < src.units_total;
    src.models = saved_models(path, r.spec_hash);
    return src;
}

std::vector<std::string> varied_options(const std::vector<ConfigSummary>& configs) {
    std::vector<std::string> names;
    if (configs.empty()) return names;
    const ConfigOption* threads = find_config_option("threads");  // how it runs, not what it is
    for (const ConfigOption& opt : config_options()) {
        if (&opt == threads) continue;
        const std::string first = to_text(opt.get(configs.front().settings));
        if (std::ranges::any_of(configs, [&](const ConfigSummary& c) { return to_text(opt.get(c.settings)) != first; }))
            names.push_back(opt.name);
    }
    return names;
}

std::string settings_text(const TrainConfig& config, const std::vector<std::string>& options) {
    std::string s;
    for (const std::string& n : options)
        s.append(s.empty() ? "" : " ").append(n).append("=").append(to_text(find_config_option(n)->get(config)));
    return s.empty() ? "(the only configuration)" : s;
}

int folds_recorded(const ConfigSummary& c) { return c.folds_done + c.folds_failed + c.folds_pruned; }

double cost_per_fold(const ConfigSummary& c) {
    const int folds = folds_recorded(c);
    return folds > 0 ? c.seconds / folds : 0.0;
}

PruningSummary pruning_summary(const Results& results) {
    PruningSummary p;
    for (const ConfigSummary& c : results.configs) {
        p.units += c.folds_pruned;
        p.configs += c.folds_pruned > 0;
        p.pruned_planned += std::int64_t{c.folds_pruned} * c.settings.epochs;
        p.saved += c.epochs_saved;
        p.trained += c.epochs_trained;
        p.planned += c.epochs_planned;
    }
    p.not_started = std::ranges::count_if(
        results.units, [](const UnitResult& u) { return u.status == UnitStatus::Pruned && u.epochs <= 0; });
    return p;
}

std::span<const UnitResult> units_of(const std::vector<UnitResult>& units, std::uint64_t config) {
    const auto [first, last] = std::ranges::equal_range(units, config, {}, &UnitResult::config);
    return {first, last};
}

PrunedFolds pruned_folds(std::span<const UnitResult> units, std::uint64_t config) {
    PrunedFolds p;
    for (const UnitResult& u : units) {
        if (u.config != config || u.status != UnitStatus::Pruned) continue;
        ++p.folds;
        if (u.epochs <= 0) {
            ++p.not_started;
            continue;
        }
        p.min_epochs = p.folds - p.not_started == 1 ? u.epochs : std::min(p.min_epochs, u.epochs);
        p.max_epochs = std::max(p.max_epochs, u.epochs);
    }
    return p;
}

std::string pruned_text(const PrunedFolds& p) {
    if (p.folds == 0) return {};
    if (p.max_epochs == 0) return "pruned before it started";
    const auto n = [](int e) { return std::to_string(e) + (e == 1 ? " epoch" : " epochs"); };
    return "pruned after " +
           (p.min_epochs == p.max_epochs ? n(p.max_epochs) : std::to_string(p.min_epochs) + " to " + n(p.max_epochs));
}

std::string pruned_text(const std::vector<UnitResult>& units, std::uint64_t config) {
    return pruned_text(pruned_folds(units_of(units, config), config));
}

std::string pruning_text(const PruningSummary& p, std::uint64_t units_recorded) {
    if (p.units == 0) return {};
    std::string s = "Pruning: " + thousands(p.units) + (p.units == 1 ? " unit" : " units") + " of " +
                    thousands(p.configs) + (p.configs == 1 ? " configuration" : " configurations") + " pruned";
    if (p.not_started > 0) s += " (" + thousands(p.not_started) + " of them never started)";
    s += ", " + thousands(p.saved) + " of their " + thousands(p.pruned_planned) + " planned epochs saved (" +
         percent(p.saved, p.pruned_planned) + "); " + percent(p.saved, p.planned) + " of the " + thousands(p.planned) +
         " epochs planned for the " + thousands(static_cast<std::int64_t>(units_recorded)) + " units recorded";
    return s;
}

std::vector<std::size_t> leaderboard_order(const std::vector<ConfigSummary>& configs) {
    std::vector<std::size_t> order(configs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    // NaN compares false with everything, which would break the strict weak ordering: rank it below
    // any accuracy instead.
    const auto key = [&](std::size_t i) {
        const double v = configs[i].mean_val_acc;
        return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
    };
    std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) {
        if (key(a) != key(b)) return key(a) > key(b);
        return cost_per_fold(configs[a]) < cost_per_fold(configs[b]);
    });
    return order;
}

std::vector<OptionInfluence> influence(const std::vector<ConfigSummary>& configs) {
    std::vector<OptionInfluence> result;
    for (const std::string& name : varied_options(configs)) {
        const ConfigOption* opt = find_config_option(name);
        OptionInfluence inf;
        inf.option = name;
        for (const ConfigSummary& c : configs) {
            const std::string v = to_text(opt->get(c.settings));
            auto it = std::ranges::find(inf.values, v, &ValueInfluence::value);
            if (it == inf.values.end()) {
                ValueInfluence fresh;
                fresh.value = v;
                it = inf.values.insert(it, std::move(fresh));
            }
            if (!std::isnan(c.mean_val_acc)) it->accuracies.push_back(c.mean_val_acc);
        }
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (ValueInfluence& v : inf.values) {
            v.configs = static_cast<int>(v.accuracies.size());
            if (v.accuracies.empty()) {
                v.mean = v.best = kNaN;
                continue;
            }
            double sum = 0.0;
            for (const double a : v.accuracies) sum += a;
            v.mean = sum / static_cast<double>(v.accuracies.size());
            v.best = std::ranges::max(v.accuracies);
            lo = std::min(lo, v.mean);
            hi = std::max(hi, v.mean);
        }
        inf.spread = hi >= lo ? hi - lo : 0.0;
        result.push_back(std::move(inf));
    }
    std::ranges::stable_sort(result, std::ranges::greater{}, &OptionInfluence::spread);
    return result;
}

std::vector<std::pair<std::string, int>> verdict_counts(const std::vector<ConfigSummary>& configs) {
    std::vector<std::pair<std::string, int>> counts;
    for (const EnumEntry<Verdict>& v : kVerdicts)
        counts.emplace_back(v.name, static_cast<int>(std::ranges::count(configs, v.value, &ConfigSummary::verdict)));
    return counts;
}

bool is_not_training(const ConfigSummary& c) { return c.verdict == Verdict::NotTraining; }

bool has_vanishing_gradient(const ConfigSummary& c) {
    return std::ranges::find(c.causes, Cause::VanishingGradient) != c.causes.end();
}

std::vector<std::size_t> needs_action(const std::vector<ConfigSummary>& configs,
                                      const std::vector<std::size_t>& order) {
    std::vector<std::size_t> out;
    for (const std::size_t i : order) {
        switch (configs[i].verdict) {
        case Verdict::NotTraining:
        case Verdict::Overfitting:
        case Verdict::Failed:
            out.push_back(i);
            break;
        case Verdict::Underfitting:
        case Verdict::Good:
            break;
        }
    }
    return out;
}

std::vector<std::size_t> ranks_of(const std::vector<std::size_t>& order) {
    std::vector<std::size_t> rank(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) rank.at(order[k]) = k;
    return rank;
}

namespace {

// Adds a finite value to epoch slot e of a band being accumulated (sum in mean until finish_band).
void accumulate(Band& b, std::vector<int>& n, std::size_t e, double v) {
    if (!std::isfinite(v)) return;
    if (n[e] == 0) {
        b.min[e] = b.max[e] = v;
        b.mean[e] = 0.0;
    }
    b.mean[e] += v;
    b.min[e] = std::min(b.min[e], v);
    b.max[e] = std::max(b.max[e], v);
    ++n[e];
}

void finish_band(Band& b, const std::vector<int>& n) {
    for (std::size_t e = 0; e < n.size(); ++e)
        if (n[e] > 0) b.mean[e] /= n[e];
}

}  // namespace

LearningCurves learning_curves(std::span<const UnitResult> units, std::uint64_t config) {
    LearningCurves lc;
    std::size_t longest = 0;
    for (const UnitResult& u : units)
        if (u.config == config) longest = std::max(longest, u.history.size());
    for (Band* b : {&lc.train_acc, &lc.val_acc, &lc.train_loss, &lc.val_loss})
        b->mean = b->min = b->max = std::vector<double>(longest, kNaN);
    for (std::size_t e = 0; e < longest; ++e) lc.epochs.push_back(static_cast<int>(e + 1));
    std::vector<int> n_ta(longest), n_va(longest), n_tl(longest), n_vl(longest);
    for (const UnitResult& u : units) {
        if (u.config != config || u.history.empty()) continue;
        ++lc.folds;
        for (const EpochMetrics& m : u.history) {
            if (m.epoch < 1 || static_cast<std::size_t>(m.epoch) > longest) continue;
            const auto e = static_cast<std::size_t>(m.epoch - 1);
            accumulate(lc.train_acc, n_ta, e, m.train_acc);
            accumulate(lc.val_acc, n_va, e, m.val_acc);
            accumulate(lc.train_loss, n_tl, e, m.train_loss);
            accumulate(lc.val_loss, n_vl, e, m.val_loss);
        }
    }
    finish_band(lc.train_acc, n_ta);
    finish_band(lc.val_acc, n_va);
    finish_band(lc.train_loss, n_tl);
    finish_band(lc.val_loss, n_vl);
    return lc;
}

std::vector<LayerNorms> gradient_norms(std::span<const UnitResult> units, std::uint64_t config) {
    // (layer, epoch) -> sum, count over the folds
    std::map<std::pair<int, int>, std::pair<double, int>> acc;
    for (const UnitResult& u : units) {
        if (u.config != config) continue;
        for (const EpochMetrics& m : u.history)
            for (std::size_t l = 0; l < m.health.grad_norm.size(); ++l) {
                const double v = m.health.grad_norm[l];
                if (!std::isfinite(v)) continue;
                auto& [sum, n] = acc[{static_cast<int>(l), m.epoch}];
                sum += v;
                ++n;
            }
    }
    std::vector<LayerNorms> out;
    for (const auto& [key, sn] : acc) {
        if (out.empty() || out.back().layer != key.first) {
            out.emplace_back();
            out.back().layer = key.first;
        }
        out.back().epochs.push_back(key.second);
        out.back().norm.push_back(sn.first / sn.second);
    }
    return out;
}

}  // namespace dnnsweep
