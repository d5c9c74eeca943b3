#include "outputs/importance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dnnsweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Mean of y per level (sums then divides); counts alongside.
struct LevelMeans {
    std::vector<double> mean;
    std::vector<std::size_t> n;
};

}  // namespace

Importance importance(const std::vector<ConfigSummary>& configs, const std::vector<SettingLevels>& levels) {
    Importance imp;
    std::vector<std::size_t> used;  // configurations with an accuracy
    for (std::size_t c = 0; c < configs.size(); ++c)
        if (std::isfinite(configs[c].mean_val_acc)) used.push_back(c);
    imp.configs_used = used.size();
    imp.grid_cells = levels.empty() ? 0 : 1;
    for (const SettingLevels& s : levels) imp.grid_cells *= s.values.size();
    if (levels.empty() || used.size() < 2) return imp;

    const auto n = static_cast<double>(used.size());
    double sum = 0.0;
    for (const std::size_t c : used) sum += configs[c].mean_val_acc;
    imp.mean = sum / n;
    double ss = 0.0;
    for (const std::size_t c : used) ss += (configs[c].mean_val_acc - imp.mean) * (configs[c].mean_val_acc - imp.mean);
    imp.variance = ss / n;
    const auto fraction = [&](double v) { return imp.variance > 0.0 ? v / imp.variance : 0.0; };

    // Main effects.
    const std::size_t k = levels.size();
    std::vector<LevelMeans> mains(k);
    for (std::size_t i = 0; i < k; ++i) {
        LevelMeans& m = mains[i];
        m.mean.assign(levels[i].values.size(), 0.0);
        m.n.assign(levels[i].values.size(), 0);
        for (const std::size_t c : used) {
            const auto l = static_cast<std::size_t>(levels[i].level[c]);
            m.mean[l] += configs[c].mean_val_acc;
            ++m.n[l];
        }
        double v = 0.0;
        for (std::size_t l = 0; l < m.mean.size(); ++l) {
            if (m.n[l] == 0) continue;
            m.mean[l] = m.mean[l] / static_cast<double>(m.n[l]) - imp.mean;  // f_i(a)
            v += static_cast<double>(m.n[l]) * m.mean[l] * m.mean[l];
        }
        imp.terms.push_back({levels[i].option, {}, v / n, fraction(v / n)});
    }
    // Pairwise interactions; the pair's cell means kept for the heat map.
    std::vector<double> total(k);
    for (std::size_t i = 0; i < k; ++i) total[i] = imp.terms[i].variance;
    struct PairCells {
        std::size_t i, j;
        std::vector<double> sum;
        std::vector<std::size_t> n;
    };
    std::vector<PairCells> pairs;
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = i + 1; j < k; ++j) {
            const std::size_t cols = levels[j].values.size();
            PairCells p{i, j, std::vector<double>(levels[i].values.size() * cols, 0.0),
                        std::vector<std::size_t>(levels[i].values.size() * cols, 0)};
            for (const std::size_t c : used) {
                const auto cell =
                    static_cast<std::size_t>(levels[i].level[c]) * cols + static_cast<std::size_t>(levels[j].level[c]);
                p.sum[cell] += configs[c].mean_val_acc;
                ++p.n[cell];
            }
            double v = 0.0;
            for (std::size_t cell = 0; cell < p.sum.size(); ++cell) {
                if (p.n[cell] == 0) continue;
                const double f = p.sum[cell] / static_cast<double>(p.n[cell]) - mains[i].mean[cell / cols] -
                                 mains[j].mean[cell % cols] - imp.mean;
                v += static_cast<double>(p.n[cell]) * f * f;
            }
            imp.terms.push_back({levels[i].option, levels[j].option, v / n, fraction(v / n)});
            total[i] += v / n;
            total[j] += v / n;
            pairs.push_back(std::move(p));
        }

    // A full grid: every combination once, and every configuration has an accuracy.
    imp.exact = used.size() == configs.size() && configs.size() == imp.grid_cells;
    double explained = 0.0;
    for (const ImportanceTerm& t : imp.terms) explained += t.fraction;
    imp.higher_order = imp.variance > 0.0 ? std::max(0.0, 1.0 - explained) : 0.0;
    std::ranges::stable_sort(imp.terms, std::ranges::greater{}, &ImportanceTerm::fraction);

    // Heat map over the two settings that matter most in total (or the one setting, alone).
    std::vector<std::size_t> by_total(k);
    for (std::size_t i = 0; i < k; ++i) by_total[i] = i;
    std::ranges::stable_sort(by_total, std::ranges::greater{}, [&](std::size_t i) { return total[i]; });
    if (k < 2) return imp;
    const std::size_t r = std::min(by_total[0], by_total[1]), c = std::max(by_total[0], by_total[1]);
    const auto it = std::ranges::find_if(pairs, [&](const PairCells& p) { return p.i == r && p.j == c; });
    imp.row_option = levels[r].option;
    imp.col_option = levels[c].option;
    imp.row_values = levels[r].values;
    imp.col_values = levels[c].values;
    const std::size_t cols = levels[c].values.size();
    imp.cell_mean.assign(levels[r].values.size(), std::vector<double>(cols, kNaN));
    for (std::size_t cell = 0; cell < it->sum.size(); ++cell)
        if (it->n[cell] > 0) imp.cell_mean[cell / cols][cell % cols] = it->sum[cell] / static_cast<double>(it->n[cell]);
    return imp;
}

h5::Table importance_table(const Importance& imp) {
    h5::Table t;
    auto& term = t.add<std::string>("term");
    auto& a = t.add<std::string>("a");
    auto& b = t.add<std::string>("b");
    auto& variance = t.add<double>("variance");
    auto& fraction = t.add<double>("fraction");
    for (const ImportanceTerm& x : imp.terms) {
        term.push_back(x.name());
        a.push_back(x.a);
        b.push_back(x.b);
        variance.push_back(x.variance);
        fraction.push_back(x.fraction);
    }
    return t;
}

void write_importance_dataset(const h5::File& file, const std::vector<ConfigSummary>& configs) {
    const Importance imp = importance(configs, setting_levels(configs));
    if (imp.terms.empty()) return;
    h5::Dataset ds = file.create_table("importance", importance_table(imp), {.chunk_rows = 256, .compress = false});
    ds.set_attr("description", std::string("functional ANOVA of mean_val_acc over the varied settings: main "
                                           "effects and pairwise interactions, fraction of its variance"));
    ds.set_attr("exact", std::int64_t{imp.exact});
    ds.set_attr("mean", imp.mean);
    ds.set_attr("variance", imp.variance);
    ds.set_attr("higher_order", imp.higher_order);
    ds.set_attr("configs_used", std::uint64_t{imp.configs_used});
    ds.set_attr("grid_cells", std::uint64_t{imp.grid_cells});
    ds.close("closing 'importance'");
}

}  // namespace dnnsweep
