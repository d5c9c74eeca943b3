#include "outputs/configs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "engine/diagnosis.hpp"
#include "engine/history_figures.hpp"
#include "engine/prune_policy.hpp"
#include "engine/pruning.hpp"
#include "outputs/unit_status.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean(const std::vector<double>& v) {
    if (v.empty()) return kNaN;
    double sum = 0.0;
    for (const double x : v) sum += x;
    return sum / static_cast<double>(v.size());
}

// Population std (ddof = 0), as numpy's default and scikit-learn's std_test_score.
double pstd(const std::vector<double>& v) {
    if (v.empty()) return kNaN;
    const double m = mean(v);
    double ss = 0.0;
    for (const double x : v) ss += (x - m) * (x - m);
    return std::sqrt(ss / static_cast<double>(v.size()));
}

FoldOutcome outcome(const UnitResult& u, PruneMode mode) {
    FoldOutcome o;
    o.status = u.status;
    o.pruned_at_chance = u.status == UnitStatus::Pruned && policy(mode).prunes_at_chance;
    o.train_acc = u.train_acc;
    o.val_acc = u.val_acc;
    o.epochs = u.epochs;
    o.diverged_epoch = u.diverged_epoch;
    o.steps = u.steps;
    if (!u.history.empty()) o.last_health = u.history.back().health;
    o.input_shift = u.input_shift;
    o.noisy_train_acc = u.noisy_train_acc;
    o.history = read_history(u.history);
    const auto best = static_cast<std::size_t>(o.history.lowest_loss_epoch);
    if (best >= 1 && best <= u.history.size() && u.history[best - 1].epoch == o.history.lowest_loss_epoch) {
        o.best_train_acc = u.history[best - 1].train_acc;
        o.best_val_acc = u.history[best - 1].val_acc;
    }
    return o;
}

// One column per option, typed by the values' common OptionValue alternative.
void add_option_column(h5::Table& t, const ConfigOption& opt, const std::vector<ConfigSummary>& configs) {
    std::vector<OptionValue> values;
    for (const ConfigSummary& s : configs) values.push_back(opt.get(s.settings));
    const OptionValue prototype = values.empty() ? opt.get(TrainConfig{}) : values.front();
    const bool uniform =
        std::ranges::all_of(values, [&](const OptionValue& v) { return v.index() == prototype.index(); });
    if (!uniform) {  // e.g. batch-size 100 and "full": text, which the option parses back
        auto& col = t.add_string(opt.name);
        for (const OptionValue& v : values) col.push_back(to_text(v));
        return;
    }
    std::visit(
        [&](const auto& proto) {
            using T = std::decay_t<decltype(proto)>;
            if constexpr (std::is_same_v<T, std::string>) {
                auto& col = t.add_string(opt.name);
                for (const OptionValue& v : values) col.push_back(std::get<std::string>(v));
            } else {
                auto& col = t.add<T>(opt.name);
                for (const OptionValue& v : values) col.push_back(std::get<T>(v));
            }
        },
        prototype);
}

// A cell of any column type as the option parser's text.
std::string cell_text(const h5::Column& c, std::size_t row) {
    return std::visit(
        [&](const auto& v) -> std::string {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::int32_t>)
                return to_text(OptionValue{std::int64_t{v[row]}});
            else
                return to_text(OptionValue{static_cast<T>(v[row])});
        },
        c.data);
}

// The epochs a unit's record cost. With successive halving a promoted unit was also trained on
// every lower rung, each time from its first epoch (runner/sweep/halving_queue.hpp). The rung it ended
// on: a record paused there ("pruned") trained all of that rung's epochs; one that ended by itself
// (early stopping, divergence) did so on the first rung reaching its epochs -- or on the next one
// when it ended ok exactly at a rung's epochs (trained for that rung, it would have been paused).
int epochs_spent(const UnitResult& u, const TrainConfig& config, const PruneSettings& prune) {
    if (!policy(prune.mode).retrains_rungs || u.epochs <= 0) return u.epochs;
    const std::vector<int> rungs = halving_rungs(config.epochs, prune);
    std::size_t k = 0;
    while (k + 1 < rungs.size() && rungs[k] < u.epochs) ++k;
    if (u.status == UnitStatus::Ok && rungs[k] == u.epochs && k + 1 < rungs.size()) ++k;
    int spent = u.epochs;
    for (std::size_t j = 0; j < k; ++j) spent += rungs[j];
    return spent;
}

}  // namespace

std::vector<ConfigSummary> summarize(const std::vector<UnitResult>& units, const SweepSpec& spec, const Grid& grid,
                                     int classes) {
    return summarize(units, spec, grid, uniform_chance(classes));
}

std::vector<ConfigSummary> summarize(const std::vector<UnitResult>& units, const SweepSpec& spec, const Grid& grid,
                                     const Chance& chance) {
    std::map<std::uint64_t, std::vector<const UnitResult*>> by_config;
    for (const UnitResult& u : units)
        if (unit_status::is_done(u.status)) by_config[u.config].push_back(&u);

    std::vector<ConfigSummary> out;
    for (const auto& [config, folds] : by_config) {
        ConfigSummary s;
        s.config = config;
        s.config_id = grid.config_id(config);
        s.section = grid.section_name(config);
        s.settings = grid.config(config);
        std::vector<double> train_acc, train_loss, val_acc, val_loss, test_acc;
        std::vector<FoldOutcome> outcomes;
        const int planned = s.settings.epochs;
        for (const UnitResult* u : folds) {
            s.seconds += u->seconds;
            const int spent = epochs_spent(*u, s.settings, spec.prune);
            s.epochs_trained += spent;
            s.epochs_planned += planned;
            outcomes.push_back(outcome(*u, spec.prune.mode));
            if (u->status == UnitStatus::Pruned) {
                ++s.folds_pruned;
                s.epochs_saved += std::max(0, planned - spent);
                if (u->epochs <= 0) continue;  // never started: no figures
            } else if (unit_status::is_final(u->status)) {
                ++s.folds_done;
            } else {  // failed: not a training outcome
                ++s.folds_failed;
                continue;
            }
            train_acc.push_back(u->train_acc);
            train_loss.push_back(u->train_loss);
            val_acc.push_back(u->val_acc);
            val_loss.push_back(u->val_loss);
            // A pruned fold may have stopped before measuring the test set: no figure, not a NaN mean.
            if (u->status != UnitStatus::Pruned || !std::isnan(u->test_acc)) test_acc.push_back(u->test_acc);
        }
        s.mean_train_acc = mean(train_acc);
        s.std_train_acc = pstd(train_acc);
        s.mean_val_acc = mean(val_acc);
        s.std_val_acc = pstd(val_acc);
        s.mean_train_loss = mean(train_loss);
        s.std_train_loss = pstd(train_loss);
        s.mean_val_loss = mean(val_loss);
        s.std_val_loss = pstd(val_loss);
        s.mean_test_acc = mean(test_acc);  // NaN without a test set: the folds' test_acc are NaN
        const Diagnosis d = diagnose(s.settings, outcomes, chance, spec.thresholds);
        s.bias = d.bias;
        s.variance = d.variance;
        s.verdict = d.verdict;
        s.reason = d.reason;
        s.causes = d.causes;
        out.push_back(std::move(s));
    }
    return out;
}

h5::Table configs_table(const std::vector<ConfigSummary>& configs) {
    h5::Table t;
    auto& config = t.add<std::uint64_t>("config");
    auto& config_id = t.add_string("config_id");
    for (const ConfigSummary& s : configs) {
        config.push_back(s.config);
        config_id.push_back(s.config_id);
    }
    auto& section = t.add_string("section");
    for (const ConfigSummary& s : configs) section.push_back(s.section);
    for (const ConfigOption& opt : config_options()) add_option_column(t, opt, configs);

    const auto add_int = [&](const char* name, int ConfigSummary::*field) {
        auto& col = t.add<std::int32_t>(name);
        for (const ConfigSummary& s : configs) col.push_back(s.*field);
    };
    const auto add_real = [&](const char* name, double ConfigSummary::*field, std::string unit = {}) {
        auto& col = t.add<double>(name, std::move(unit));
        for (const ConfigSummary& s : configs) col.push_back(s.*field);
    };
    const auto add_text = [&](const char* name, const auto& text_of) {
        auto& col = t.add_string(name);
        for (const ConfigSummary& s : configs) col.push_back(text_of(s));
    };
    add_int("folds_done", &ConfigSummary::folds_done);
    add_int("folds_failed", &ConfigSummary::folds_failed);
    add_int("folds_pruned", &ConfigSummary::folds_pruned);
    add_real("mean_train_acc", &ConfigSummary::mean_train_acc, "fraction");
    add_real("std_train_acc", &ConfigSummary::std_train_acc, "fraction");
    add_real("mean_val_acc", &ConfigSummary::mean_val_acc, "fraction");
    add_real("std_val_acc", &ConfigSummary::std_val_acc, "fraction");
    add_real("mean_train_loss", &ConfigSummary::mean_train_loss);
    add_real("std_train_loss", &ConfigSummary::std_train_loss);
    add_real("mean_val_loss", &ConfigSummary::mean_val_loss);
    add_real("std_val_loss", &ConfigSummary::std_val_loss);
    add_real("mean_test_acc", &ConfigSummary::mean_test_acc, "fraction");
    add_real("bias", &ConfigSummary::bias, "fraction");
    add_real("variance", &ConfigSummary::variance, "fraction");
    add_text("verdict", [](const ConfigSummary& s) { return std::string(name(s.verdict)); });
    add_text("reason", [](const ConfigSummary& s) { return s.reason; });
    add_text("causes", [](const ConfigSummary& s) { return causes_text(s.causes); });
    add_real("seconds", &ConfigSummary::seconds, "s");
    const auto add_int64 = [&](const char* name, std::int64_t ConfigSummary::*field) {
        auto& col = t.add<std::int64_t>(name);
        for (const ConfigSummary& s : configs) col.push_back(s.*field);
    };
    add_int64("epochs_trained", &ConfigSummary::epochs_trained);
    add_int64("epochs_planned", &ConfigSummary::epochs_planned);
    add_int64("epochs_saved", &ConfigSummary::epochs_saved);
    // Only in a study with repairs (outputs/repairs.hpp).
    if (std::ranges::any_of(configs, [](const ConfigSummary& s) { return !s.repair_of.empty(); }))
        add_text("repair_of", [](const ConfigSummary& s) { return s.repair_of; });

    // An option named like a summary field would make two fields of one name.
    std::set<std::string> names;
    for (const h5::Column& c : t.columns())
        if (!names.insert(c.name).second) throw std::logic_error("configs table: duplicate field '" + c.name + "'");
    return t;
}

std::vector<ConfigSummary> configs_from_table(const h5::Table& t) {
    const std::size_t n = t.rows();
    std::vector<ConfigSummary> out(n);
    for (std::size_t r = 0; r < n; ++r) {
        ConfigSummary& s = out[r];
        s.config = t.get<std::uint64_t>("config")[r];
        s.config_id = t.get<std::string>("config_id")[r];
        if (t.has("section")) s.section = t.get<std::string>("section")[r];  // files before sections lack it
        for (const ConfigOption& opt : config_options()) {
            const h5::Column* c = t.find(opt.name);
            if (!c) continue;
            try {
                opt.set(s.settings, cell_text(*c, r));
            } catch (const ConfigError& e) {
                throw ResultsError(t.origin() + ": row " + std::to_string(r) + ": " + opt.name + ": " + e.what());
            }
        }
        s.folds_done = t.get<std::int32_t>("folds_done")[r];
        s.folds_failed = t.get<std::int32_t>("folds_failed")[r];
        // Files written before pruning existed lack the pruning columns: no fold of theirs was pruned,
        // and read_results fills the epoch totals from their units.
        if (t.has("folds_pruned")) s.folds_pruned = t.get<std::int32_t>("folds_pruned")[r];
        s.mean_train_acc = t.get<double>("mean_train_acc")[r];
        s.std_train_acc = t.get<double>("std_train_acc")[r];
        s.mean_val_acc = t.get<double>("mean_val_acc")[r];
        s.std_val_acc = t.get<double>("std_val_acc")[r];
        s.mean_train_loss = t.get<double>("mean_train_loss")[r];
        s.std_train_loss = t.get<double>("std_train_loss")[r];
        s.mean_val_loss = t.get<double>("mean_val_loss")[r];
        s.std_val_loss = t.get<double>("std_val_loss")[r];
        s.mean_test_acc = t.get<double>("mean_test_acc")[r];
        s.bias = t.get<double>("bias")[r];
        s.variance = t.get<double>("variance")[r];
        const std::string& verdict = t.get<std::string>("verdict")[r];
        const std::optional<Verdict> v = parse_verdict(verdict);
        if (!v)
            throw ResultsError(t.origin() + ": row " + std::to_string(r) + ": unknown verdict '" + verdict +
                               "' (a newer dnnsweep's?)");
        s.verdict = *v;
        s.reason = t.get<std::string>("reason")[r];
        try {
            s.causes = parse_causes(t.get<std::string>("causes")[r]);
        } catch (const std::invalid_argument& e) {
            throw ResultsError(t.origin() + ": row " + std::to_string(r) + ": " + e.what());
        }
        s.seconds = t.get<double>("seconds")[r];
        if (t.has("epochs_trained")) {
            s.epochs_trained = t.get<std::int64_t>("epochs_trained")[r];
            s.epochs_planned = t.get<std::int64_t>("epochs_planned")[r];
            s.epochs_saved = t.get<std::int64_t>("epochs_saved")[r];
        }
        if (t.has("repair_of")) s.repair_of = t.get<std::string>("repair_of")[r];
    }
    return out;
}

}  // namespace dnnsweep::detail
