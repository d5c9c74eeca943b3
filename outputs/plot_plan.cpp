#include "outputs/plot_plan.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "engine/text_format.hpp"
#include "outputs/class_results.hpp"
#include "outputs/diagnosis_groups.hpp"
#include "outputs/json.hpp"
#include "outputs/plot_summaries.hpp"
#include "outputs/report_classes.hpp"
#include "outputs/spec_grid_configs.hpp"

namespace dnnsweep {
namespace {

constexpr std::size_t kCurvesPerGroup = 3;   // learning curves of each diagnosis group's best
constexpr std::size_t kGradNormFigures = 3;  // gradient norms of the best vanishing-gradient configurations

Json band_json(const Band& b) { return {{"mean", b.mean}, {"min", b.min}, {"max", b.max}}; }

// Learning curves: the best few, then the best kCurvesPerGroup of each diagnosis group.
void add_curves(Json& figs, std::vector<Figure>& figures, const ReportSource& src,
                const std::vector<std::size_t>& order, const std::vector<std::string>& names, std::size_t curves_top,
                double chance) {
    const Results& r = src.results;
    std::vector<char> drawn(r.configs.size(), 0);
    for (std::size_t k = 0; k < order.size() && k < curves_top; ++k) drawn[order[k]] = 1;
    for (const DiagnosisGroup& g : diagnosis_groups(r.configs, setting_levels(r.configs), order)) {
        for (const FailureRule& rule : g.rules)
            for (std::size_t k = 0; k < rule.members.size() && k < kCurvesPerGroup; ++k) drawn[rule.members[k]] = 1;
        for (std::size_t k = 0; k < g.rest.size() && k < kCurvesPerGroup; ++k) drawn[g.rest[k]] = 1;
    }
    for (std::size_t k = 0; k < order.size(); ++k) {
        const ConfigSummary& c = r.configs[order[k]];
        if (!drawn[order[k]]) continue;
        const LearningCurves lc = learning_curves(units_of(r.units, c.config), c.config);
        if (lc.epochs.empty()) continue;
        const std::string file = fmt::format("curves-{:03}-config-{}", k + 1, c.config);
        const std::string pruned = pruned_text(r.units, c.config);
        const std::string caption = "#" + std::to_string(k + 1) + " " + std::string(name(c.verdict)) + ": " +
                                    settings_text(c.settings, names) + " (fold mean, band = min-max over " +
                                    std::to_string(lc.folds) + " folds" + (pruned.empty() ? "" : "; " + pruned) + ")";
        figures.push_back({"Learning curves", file, caption});
        Json f;
        f["kind"] = "curves";
        f["file"] = file;
        f["verdict"] = name(c.verdict);
        f["title"] = "#" + std::to_string(k + 1) + " " + std::string(name(c.verdict)) + " - val acc " +
                     fixed(c.mean_val_acc, 3) + " - " + settings_text(c.settings, names);
        f["chance"] = chance;
        f["epochs"] = lc.epochs;
        f["train_acc"] = band_json(lc.train_acc);
        f["val_acc"] = band_json(lc.val_acc);
        f["train_loss"] = band_json(lc.train_loss);
        f["val_loss"] = band_json(lc.val_loss);
        figs.push_back(std::move(f));
    }
}

void add_bias_variance(Json& figs, std::vector<Figure>& figures, const ReportSource& src) {
    const Results& r = src.results;
    if (std::ranges::none_of(r.configs,
                             [](const ConfigSummary& c) { return std::isfinite(c.bias) && std::isfinite(c.variance); }))
        return;  // nothing trained: no empty figure
    figures.push_back(
        {"Bias and variance", "bias-variance",
         "Training error vs generalization gap, one point per configuration, coloured by verdict; dashed: "
         "the overfit-gap and underfit-error thresholds, and the not-training level"});
    std::vector<double> bias, variance;
    std::vector<std::string> verdict;
    for (const ConfigSummary& c : r.configs) {
        bias.push_back(c.bias);
        variance.push_back(c.variance);
        verdict.emplace_back(name(c.verdict));
    }
    const Json points = {{"bias", bias}, {"variance", variance}, {"verdict", verdict}};
    Json f;
    f["kind"] = "bias_variance";
    f["file"] = "bias-variance";
    f["title"] = "Bias vs variance: " + std::to_string(r.configs.size()) + " configurations";
    f["thresholds"] = {
        {"overfit_gap", src.thresholds.overfit_gap},
        {"underfit_error", src.thresholds.underfit_error},
        {"not_training_error", 1.0 - run_chance(src.results.info).not_training_below(src.thresholds.chance_factor)}};
    f["points"] = std::move(points);
    figs.push_back(std::move(f));
}

void add_influence(Json& figs, std::vector<Figure>& figures, const std::vector<ConfigSummary>& configs) {
    const std::vector<OptionInfluence> inf = influence(configs);
    if (std::ranges::none_of(configs, [](const ConfigSummary& c) { return std::isfinite(c.mean_val_acc); })) return;
    if (inf.empty()) return;
    figures.push_back({"Influence of each setting", "influence",
                       "Mean validation accuracy of the configurations with each value (box, points; diamond = "
                       "mean), options ranked by spread"});
    Json options = Json::array();
    for (const OptionInfluence& o : inf) {
        Json values = Json::array();
        for (const ValueInfluence& v : o.values)
            values.push_back({{"value", v.value}, {"mean", v.mean}, {"accuracies", v.accuracies}});
        options.push_back({{"option", o.option}, {"spread", o.spread}, {"values", std::move(values)}});
    }
    Json f;
    f["kind"] = "influence";
    f["file"] = "influence";
    f["title"] = "Which settings matter";
    f["options"] = std::move(options);
    figs.push_back(std::move(f));
}

void add_grad_norms(Json& figs, std::vector<Figure>& figures, const Results& r, const std::vector<std::size_t>& order,
                    const std::vector<std::string>& names) {
    std::size_t drawn = 0;
    for (std::size_t k = 0; k < order.size() && drawn < kGradNormFigures; ++k) {
        const ConfigSummary& c = r.configs[order[k]];
        if (!has_vanishing_gradient(c)) continue;
        const std::vector<LayerNorms> norms = gradient_norms(units_of(r.units, c.config), c.config);
        if (norms.empty()) continue;
        const std::string file = "grad-norms-config-" + std::to_string(c.config);
        const std::string title = "#" + std::to_string(k + 1) + " " + settings_text(c.settings, names);
        figures.push_back({"Gradient norm per layer (vanishing gradient)", file,
                           title + ": gradient L2 norm per dense layer, mean over steps and folds"});
        Json layers = Json::array();
        for (const LayerNorms& l : norms)
            layers.push_back({{"layer", l.layer}, {"epochs", l.epochs}, {"norm", l.norm}});
        Json f;
        f["kind"] = "grad_norms";
        f["file"] = file;
        f["title"] = title;
        f["layers"] = std::move(layers);
        figs.push_back(std::move(f));
        ++drawn;
    }
}

}  // namespace

std::vector<Figure> write_plot_plan(const std::string& plan_path, const std::string& title, const ReportSource& src,
                                    std::size_t curves_top) {
    const Results& r = src.results;
    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> names = varied_options(r.configs);
    const double chance = r.info.data.classes > 0 ? run_chance(r.info).level : std::nan("");
    std::vector<Figure> figures;
    Json figs = Json::array();
    const std::vector<SettingLevels> levels = setting_levels(r.configs);
    const SpecGridConfigs designed(r.configs, src.spec_configs);
    add_summary_figures(figs, figures, r.configs, levels, importance(designed.get(), setting_levels(designed.get())));
    add_curves(figs, figures, src, order, names, curves_top, chance);
    add_bias_variance(figs, figures, src);
    add_influence(figs, figures, designed.get());
    add_grad_norms(figs, figures, r, order, names);
    add_confusion_figure(figs, figures, src, order, names);

    Json plan;
    plan["title"] = title;
    plan["partial"] = src.partial;
    plan["figures"] = std::move(figs);
    std::ofstream f(plan_path);
    write_json(f, plan);
    f.close();
    if (!f) throw ResultsError(plan_path + ": cannot write the plot plan");
    return figures;
}

}  // namespace dnnsweep
