#include "outputs/importance_report.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/text_format.hpp"
#include "outputs/text_table.hpp"

namespace dnnsweep {
namespace {

constexpr std::size_t kMaxTermsShown = 10;
constexpr double kSmallTerm = 0.005;

std::string pct(double fraction) { return fixed(100.0 * fraction, 1) + "%"; }

}  // namespace

void write_importance_text(const Importance& imp, std::ostream& out) {
    out << "\nImportance with interactions (functional ANOVA: share of the validation accuracy's variance):\n";
    if (imp.terms.empty()) {
        out << "  nothing to decompose: "
            << (imp.grid_cells == 0 ? "no setting varies" : "fewer than two configurations have an accuracy") << '\n';
        return;
    }
    if (imp.variance <= 0.0) {
        out << "  every configuration has the same validation accuracy (" << fixed(imp.mean, 3)
            << "): no setting matters\n";
        return;
    }
    const auto used = static_cast<std::int64_t>(imp.configs_used);
    out << "  "
        << (imp.exact
                ? "exact: the full grid of " + thousands(used) + " configurations"
                : "approximate: " + thousands(used) + " configurations with an accuracy of the grid's " +
                      thousands(static_cast<std::int64_t>(imp.grid_cells)) + " combinations (means over those present)")
        << "; mean " << fixed(imp.mean, 3) << ", std " << fixed(std::sqrt(imp.variance), 3) << '\n';
    TextTable t;
    std::size_t shown = 0;
    double rest = 0.0;
    std::size_t rest_terms = 0;
    for (const ImportanceTerm& term : imp.terms) {
        if (shown < kMaxTermsShown && term.fraction >= kSmallTerm) {
            t.add_row({term.name(), pct(term.fraction)});
            ++shown;
        } else {
            rest += term.fraction;
            ++rest_terms;
        }
    }
    if (rest_terms > 0)
        t.add_row({"the other " + std::to_string(rest_terms) + (rest_terms == 1 ? " term" : " terms"), pct(rest)});
    t.add_row({"three-way and higher", pct(imp.higher_order)});
    t.write(out, "  ");
}

Json importance_json(const Importance& imp) {
    Json terms = Json::array();
    for (const ImportanceTerm& t : imp.terms)
        terms.push_back(
            {{"term", t.name()}, {"a", t.a}, {"b", t.b}, {"variance", t.variance}, {"fraction", t.fraction}});
    Json heat = nullptr;
    if (!imp.row_option.empty())
        heat = {{"rows", imp.row_option},
                {"cols", imp.col_option},
                {"row_values", imp.row_values},
                {"col_values", imp.col_values},
                {"mean", imp.cell_mean}};
    return {{"exact", imp.exact},        {"configs_used", imp.configs_used}, {"grid_cells", imp.grid_cells},
            {"mean", imp.mean},          {"variance", imp.variance},         {"higher_order", imp.higher_order},
            {"terms", std::move(terms)}, {"heatmap", std::move(heat)}};
}

}  // namespace dnnsweep
