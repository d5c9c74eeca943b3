#include "outputs/study_findings.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "engine/text_format.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {

namespace {

// Configurations with a verdict from figures (not every fold failed).
std::vector<const ConfigSummary*> judged(const std::vector<ConfigSummary>& configs) {
    std::vector<const ConfigSummary*> out;
    for (const ConfigSummary& c : configs)
        if (c.verdict != Verdict::Failed) out.push_back(&c);
    return out;
}

bool trains(Verdict v) { return v == Verdict::Good || v == Verdict::Overfitting; }
bool fails(Verdict v) { return v == Verdict::NotTraining || v == Verdict::Underfitting; }

// A configuration fits the training set, yet none generalises beyond guessing: the labels carry no
// signal the features explain (shuffled, misaligned, or the wrong column).
std::optional<StudyFinding> none_above_chance(const std::vector<const ConfigSummary*>& cs, const Chance& chance,
                                              const DiagnosisThresholds& t) {
    double best_val = -1.0, best_train = -1.0;
    for (const ConfigSummary* c : cs) {
        if (std::isfinite(c->mean_val_acc)) best_val = std::max(best_val, c->mean_val_acc);
        if (std::isfinite(c->mean_train_acc)) best_train = std::max(best_train, c->mean_train_acc);
    }
    // Only a training set that was fitted points at the labels; nothing learned is the
    // configurations' own diagnosis.
    const double above = chance.not_training_below(t.chance_factor);
    if (best_val < 0.0 || best_val >= above || best_train < above) return std::nullopt;
    std::string text = "no configuration gets above chance on validation (best " + fixed(best_val, 3) + ", chance " +
                       fixed(chance.level, 3) + ", " + std::to_string(cs.size()) +
                       (cs.size() == 1 ? " configuration" : " configurations");
    text += ", though one fits the training set to " + fixed(best_train, 3) +
            "): check the labels against the features (shuffled, misaligned or the wrong column?)";
    return StudyFinding{"no_config_above_chance", text};
}

// Each configuration's value of one option as its index among the option's values (in order of
// first appearance), and those values' text.
struct OptionLevels {
    const ConfigOption* option = nullptr;
    std::vector<int> level;
    std::vector<std::string> values;
};

// The options whose value differs between configurations (threads never counts: it is not part of a
// configuration), in the option table's order. Only they can be "the one setting": an option with one
// value has no pair differing in it, or only pairs with the same value both failing and working.
std::vector<OptionLevels> varied_levels(const std::vector<const ConfigSummary*>& cs) {
    std::vector<OptionLevels> out;
    for (const ConfigOption& opt : config_options()) {
        if (opt.name == "threads") continue;
        const OptionValue first = opt.get(cs.front()->settings);
        if (std::ranges::all_of(cs, [&](const ConfigSummary* c) { return opt.get(c->settings) == first; })) continue;
        OptionLevels o;
        o.option = &opt;
        std::map<std::string, int> index;
        o.level.reserve(cs.size());
        for (const ConfigSummary* c : cs) {
            const auto [it, fresh] =
                index.try_emplace(to_text(opt.get(c->settings)), static_cast<int>(o.values.size()));
            if (fresh) o.values.push_back(it->first);
            o.level.push_back(it->second);
        }
        out.push_back(std::move(o));
    }
    return out;
}

// For each option: the pairs of configurations that differ in it alone, one training and one not.
// An option qualifies when it has such pairs and no pair differing in it alone has both outcomes
// the other way round for the same values. Configurations are compared by their levels of the
// varied options (at 100,000 configurations, comparing every option's text took seconds).
std::vector<StudyFinding> one_setting(const std::vector<const ConfigSummary*>& cs) {
    std::vector<std::pair<std::size_t, StudyFinding>> found;
    const std::vector<OptionLevels> varied = varied_levels(cs);
    for (std::size_t o = 0; o < varied.size(); ++o) {
        const OptionLevels& opt = varied[o];
        std::map<std::vector<int>, std::vector<std::size_t>> by_rest;
        std::vector<int> rest(varied.size() - 1);
        for (std::size_t c = 0; c < cs.size(); ++c) {
            for (std::size_t k = 0, j = 0; k < varied.size(); ++k)
                if (k != o) rest[j++] = varied[k].level[c];
            by_rest[rest].push_back(c);
        }
        std::map<std::pair<int, int>, std::size_t> level_pairs;  // (failing level, working level)
        for (const auto& [key, group] : by_rest)
            for (const std::size_t bad : group)
                for (const std::size_t good : group)
                    if (fails(cs[bad]->verdict) && trains(cs[good]->verdict))
                        ++level_pairs[{opt.level[bad], opt.level[good]}];
        if (level_pairs.empty()) continue;
        std::map<std::pair<std::string, std::string>, std::size_t> pairs;  // (failing value, working value)
        for (const auto& [levels, count] : level_pairs)
            pairs[{opt.values[static_cast<std::size_t>(levels.first)],
                   opt.values[static_cast<std::size_t>(levels.second)]}] = count;
        // A value that fails in one pair and works in another is not what decides.
        const bool consistent = std::ranges::none_of(pairs, [&](const auto& p) {
            return pairs.contains({p.first.second, p.first.first});
        });
        if (!consistent) continue;
        std::size_t n = 0;
        for (const auto& [values, count] : pairs) n += count;
        found.emplace_back(n, StudyFinding{"one_setting_decides", one_setting_text(opt.option->name, pairs)});
    }
    std::ranges::stable_sort(found, [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<StudyFinding> out;
    for (auto& [n, f] : found) out.push_back(std::move(f));
    return out;
}

std::optional<StudyFinding> all_overfitting(const std::vector<const ConfigSummary*>& cs) {
    if (cs.size() < 2 ||
        !std::ranges::all_of(cs, [](const ConfigSummary* c) { return c->verdict == Verdict::Overfitting; }))
        return std::nullopt;
    return StudyFinding{"all_overfitting",
                        "every one of the " + std::to_string(cs.size()) +
                            " configurations overfits: the data is small for these networks; get more data, or "
                            "add regularisation (dropout, weight-decay, patience) to the whole grid"};
}

// The held-out test set disagrees with the folds' validation estimate by more than the folds'
// own spread explains: the test part differs from the data the folds came from.
std::optional<StudyFinding> test_far(const std::vector<const ConfigSummary*>& cs, const DiagnosisThresholds& t) {
    std::size_t far = 0, with_test = 0;
    const ConfigSummary* worst = nullptr;
    double worst_gap = 0.0;
    for (const ConfigSummary* c : cs) {
        if (!std::isfinite(c->mean_test_acc) || !std::isfinite(c->mean_val_acc)) continue;
        ++with_test;
        const double gap = std::abs(c->mean_test_acc - c->mean_val_acc);
        const double allowed = std::max(t.overfit_gap, 3.0 * (std::isfinite(c->std_val_acc) ? c->std_val_acc : 0.0));
        if (gap <= allowed) continue;
        ++far;
        if (!worst || gap > worst_gap) worst = c, worst_gap = gap;
    }
    if (!worst) return std::nullopt;
    return StudyFinding{"test_far_from_folds",
                        "test accuracy is far from the folds' validation estimate in " + std::to_string(far) + " of " +
                            std::to_string(with_test) + " configurations (worst " + worst->config_id + ": test " +
                            fixed(worst->mean_test_acc, 3) + " vs validation " + fixed(worst->mean_val_acc, 3) +
                            " +- " + fixed(worst->std_val_acc, 3) +
                            "): the test set differs from the data the folds were drawn from; check how it was "
                            "split off, or use more folds"};
}

}  // namespace

std::string one_setting_text(std::string_view option,
                             const std::map<std::pair<std::string, std::string>, std::size_t>& pairs) {
    std::vector<std::pair<const std::pair<std::string, std::string>*, std::size_t>> order;
    for (const auto& [values, count] : pairs) order.emplace_back(&values, count);
    std::ranges::stable_sort(order, std::ranges::greater{}, &decltype(order)::value_type::second);
    std::string text = std::string(option) + " alone separates failing from working configurations: ";
    std::size_t rest_pairs = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const auto& [values, count] = order[i];
        if (i >= kShownValuePairs) {
            rest_pairs += count;
            continue;
        }
        text += (i ? "; " : "") + values->first + " fails where " + values->second + " works (" +
                std::to_string(count) + (count == 1 ? " pair" : " pairs") + " differing in nothing else)";
    }
    if (order.size() > kShownValuePairs)
        text += "; and " + std::to_string(order.size() - kShownValuePairs) + " more value pairs (" +
                std::to_string(rest_pairs) + (rest_pairs == 1 ? " pair" : " pairs") + " of configurations)";
    return text;
}

std::vector<StudyFinding> study_findings(const std::vector<ConfigSummary>& configs, const Chance& chance,
                                         const DiagnosisThresholds& thresholds) {
    const std::vector<const ConfigSummary*> cs = judged(configs);
    std::vector<StudyFinding> out;
    if (cs.empty()) return out;
    const std::optional<StudyFinding> labels = none_above_chance(cs, chance, thresholds);
    if (labels) out.push_back(*labels);
    for (StudyFinding& f : one_setting(cs)) out.push_back(std::move(f));
    // Overfitting everywhere is a data-size finding only when something generalises at all.
    if (auto f = all_overfitting(cs); f && !labels) out.push_back(std::move(*f));
    if (auto f = test_far(cs, thresholds)) out.push_back(std::move(*f));
    return out;
}

void write_study_findings(const std::vector<StudyFinding>& findings, std::ostream& out) {
    if (findings.empty()) return;
    out << "\nStudy findings:\n";
    for (const StudyFinding& f : findings) out << "  " << f.kind << ": " << f.text << '\n';
}

Json study_findings_json(const std::vector<StudyFinding>& findings) {
    Json out = Json::array();
    for (const StudyFinding& f : findings) out.push_back(Json{{"kind", f.kind}, {"text", f.text}});
    return out;
}

std::vector<std::string> study_findings_attribute(const std::vector<StudyFinding>& findings) {
    std::vector<std::string> out;
    for (const StudyFinding& f : findings) out.push_back(f.kind + ": " + f.text);
    return out;
}

}  // namespace dnnsweep
