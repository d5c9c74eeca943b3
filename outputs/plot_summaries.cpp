#include "outputs/plot_summaries.hpp"

#include <algorithm>
#include <cmath>

#include "engine/text_format.hpp"

namespace dnnsweep {
namespace {

constexpr std::size_t kImportanceBars = 15;

void add_importance(Json& figs, std::vector<Figure>& figures, const Importance& imp) {
    if (imp.terms.empty() || imp.variance <= 0.0) return;
    Json names = Json::array(), fractions = Json::array(), pairs = Json::array();
    for (std::size_t i = 0; i < imp.terms.size() && i < kImportanceBars; ++i) {
        names.push_back(imp.terms[i].name());
        fractions.push_back(imp.terms[i].fraction);
        pairs.push_back(!imp.terms[i].b.empty());
    }
    names.push_back("three-way and higher");
    fractions.push_back(imp.higher_order);
    pairs.push_back(false);
    const std::string how = imp.exact ? "exact, full grid" : "approximate: incomplete grid";
    figures.push_back({"Importance with interactions", "importance",
                       "Share of the validation accuracy's variance explained by each setting (main effect) and "
                       "each pair (interaction), functional ANOVA (" +
                           how + "); the largest " + std::to_string(std::min(imp.terms.size(), kImportanceBars)) +
                           " terms"});
    figs.push_back({{"kind", "importance"},
                    {"file", "importance"},
                    {"title", "Importance with interactions (" + how + ")"},
                    {"terms", std::move(names)},
                    {"fractions", std::move(fractions)},
                    {"pairs", std::move(pairs)}});
}

void add_heatmap(Json& figs, std::vector<Figure>& figures, const Importance& imp) {
    if (imp.row_option.empty() || imp.variance <= 0.0) return;
    figures.push_back({"Importance with interactions", "heatmap",
                       "Mean validation accuracy over " + imp.row_option + " and " + imp.col_option +
                           ", the two settings that matter most (main effects and their interactions); blank: "
                           "not measured"});
    figs.push_back({{"kind", "heatmap"},
                    {"file", "heatmap"},
                    {"title", "Mean validation accuracy by " + imp.row_option + " and " + imp.col_option},
                    {"rows", imp.row_option},
                    {"cols", imp.col_option},
                    {"row_values", imp.row_values},
                    {"col_values", imp.col_values},
                    {"mean", imp.cell_mean}});
}

}  // namespace

Json parallel_coordinates_json(const std::vector<ConfigSummary>& configs, const std::vector<SettingLevels>& levels) {
    Json axes = Json::array(), columns = Json::array();
    for (const SettingLevels& s : levels) {
        axes.push_back({{"option", s.option}, {"values", s.values}});
        columns.push_back(s.level);
    }
    std::vector<double> acc;
    acc.reserve(configs.size());
    for (const ConfigSummary& c : configs) acc.push_back(c.mean_val_acc);
    return {{"axes", std::move(axes)}, {"levels", std::move(columns)}, {"val_acc", acc}};
}

void add_summary_figures(Json& figs, std::vector<Figure>& figures, const std::vector<ConfigSummary>& configs,
                         const std::vector<SettingLevels>& levels, const Importance& imp) {
    add_importance(figs, figures, imp);
    add_heatmap(figs, figures, imp);
    const auto measured =
        std::ranges::count_if(configs, [](const ConfigSummary& c) { return std::isfinite(c.mean_val_acc); });
    if (levels.empty() || measured == 0) return;
    const bool density = static_cast<std::size_t>(measured) > kParallelLines;
    figures.push_back(
        {"Parallel coordinates", "parallel-coordinates",
         density ? "Every configuration with an accuracy (" + thousands(measured) +
                       "), drawn as a density: each pixel coloured by the mean validation accuracy of the lines "
                       "through it, more opaque where more lines cross; the best " +
                       std::to_string(kParallelTopLines) + " drawn as lines on top"
                 : "Every configuration with an accuracy (" + thousands(measured) +
                       "), one line through its settings, coloured by mean validation accuracy (best drawn on top)"});
    Json f = parallel_coordinates_json(configs, levels);
    f["kind"] = "parallel";
    f["file"] = "parallel-coordinates";
    f["title"] = "Parallel coordinates: " + thousands(measured) + " configurations" +
                 (density ? " (density; lines: the best " + std::to_string(kParallelTopLines) + ")" : "");
    if (density) f["top_lines"] = kParallelTopLines;
    figs.push_back(std::move(f));
}

}  // namespace dnnsweep
