#include "outputs/report_text.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "engine/text_format.hpp"

namespace dnnsweep {
namespace {

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// Accuracies and spreads: three decimals.
std::string acc(double v) { return fixed(v, 3); }

}  // namespace

void write_report_text(const ReportSource& src, std::size_t top, std::ostream& out) {
    const Results& r = src.results;
    const std::size_t failed =
        static_cast<std::size_t>(std::ranges::count(r.units, UnitStatus::Failed, &UnitResult::status));
    out << "dnnsweep report: " << r.units.size() << " of " << src.units_total << " units, " << r.configs.size()
        << " of " << src.configs_total << " configurations, " << failed << " failed units; " << r.info.ranks
        << " ranks; data " << r.info.data_source << " (" << r.info.data.samples << " samples, " << r.info.data.features
        << " features, " << r.info.data.classes << " classes)\n";
    if (src.partial)
        out << "PARTIAL: the sweep has not finished (" << src.units_done << " of " << src.units_total << " units done"
            << (src.merged_read ? "" : ", read from its shards") << "); figures cover the units done so far\n";
    if (const std::string pruning = pruning_text(pruning_summary(r), src.units_done); !pruning.empty())
        out << pruning << '\n';

    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> names = varied_options(r.configs);
    out << "\nLeaderboard (mean validation accuracy over folds +- std; ties: cheaper first):\n";
    out << "  " << pad("#", 4) << pad("val acc", 16) << pad("train acc", 11) << pad("test acc", 10)
        << pad("verdict", 14) << pad("s/fold", 8) << "settings\n";
    for (std::size_t i = 0; i < order.size() && i < top; ++i) {
        const ConfigSummary& c = r.configs[order[i]];
        // Seconds to 3 significant digits: tiny networks train a fold in milliseconds.
        out << "  " << pad(std::to_string(i + 1), 4) << pad(acc(c.mean_val_acc) + " +- " + acc(c.std_val_acc), 16)
            << pad(acc(c.mean_train_acc), 11) << pad(acc(c.mean_test_acc), 10) << pad(std::string(name(c.verdict)), 14)
            << pad(significant(cost_per_fold(c), 3), 8) << settings_text(c.settings, names)
            << (folds_recorded(c) < src.folds_per_config ? "  (partial)" : "");
        if (c.folds_pruned > 0) out << "  (" << pruned_text(r.units, c.config) << ")";
        out << '\n';
    }

    out << "\nWhich settings matter (mean validation accuracy per value, best in brackets; ranked by spread):\n";
    for (const OptionInfluence& inf : influence(r.configs)) {
        out << "  " << pad(inf.option, 16) << "spread " << acc(inf.spread) << "   ";
        for (std::size_t i = 0; i < inf.values.size(); ++i)
            out << (i ? " vs " : "") << inf.values[i].value << " " << acc(inf.values[i].mean) << " ("
                << acc(inf.values[i].best) << ")";
        out << '\n';
    }

    out << "\nDiagnosis:";
    for (const auto& [verdict, n] : verdict_counts(r.configs)) out << " " << verdict << " " << n << ";";
    out << '\n';
    const std::vector<std::size_t> rank_of = ranks_of(order);
    for (const std::size_t i : needs_action(r.configs, order)) {
        const ConfigSummary& c = r.configs[i];
        const auto rank = rank_of[i] + 1;
        out << "  #" << pad(std::to_string(rank), 4) << pad(std::string(name(c.verdict)), 14)
            << settings_text(c.settings, names) << ": " << c.reason << '\n';
    }
}

}  // namespace dnnsweep
