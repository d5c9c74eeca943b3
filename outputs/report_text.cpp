#include "outputs/report_text.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/text_format.hpp"
#include "outputs/class_results.hpp"
#include "outputs/diagnosis_text.hpp"
#include "outputs/importance_report.hpp"
#include "outputs/memory_summary.hpp"
#include "outputs/report_classes.hpp"
#include "outputs/report_repairs.hpp"
#include "outputs/spec_grid_configs.hpp"
#include "outputs/study_findings.hpp"
#include "outputs/text_table.hpp"

namespace dnnsweep {
namespace {

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// Accuracies and spreads: three decimals.
std::string acc(double v) { return fixed(v, 3); }

// Which configurations have a model file (dnnsweep refit, refit = true), by leaderboard rank.
void write_saved_models_text(const ReportSource& src, const std::vector<std::size_t>& order, std::ostream& out) {
    if (src.models.empty()) return;
    out << "\nSaved models (dnnsweep predict MODEL --data DATA):\n";
    for (const SavedModel& m : src.models) {
        const auto it =
            std::ranges::find_if(order, [&](std::size_t i) { return src.results.configs[i].config_id == m.config_id; });
        const std::string rank = it == order.end() ? "-" : "#" + std::to_string(it - order.begin() + 1);
        out << "  " << rank << " " << m.config_id << ": " << m.path;
        if (std::isfinite(m.test_acc)) out << " (test acc " << acc(m.test_acc) << ")";
        out << '\n';
    }
}

}  // namespace

void write_report_text(const ReportSource& src, std::size_t top, std::ostream& out, bool all) {
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
    if (!r.info.data_fingerprint.empty()) out << "data fingerprint: " << r.info.data_fingerprint << '\n';
    if (const std::string memory = memory_summary_text(r.units); !memory.empty()) out << memory << '\n';

    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> names = varied_options(r.configs);
    out << "\nLeaderboard (mean validation accuracy over folds +- std; ties: cheaper first):\n";
    TextTable board;
    board.add_row({"#", "val acc", "train acc", "test acc", "verdict", "s/fold", "settings"});
    for (std::size_t i = 0; i < order.size() && i < top; ++i) {
        const ConfigSummary& c = r.configs[order[i]];
        // Seconds to 3 significant digits: tiny networks train a fold in milliseconds.
        std::string settings = settings_text(c.settings, names);
        if (folds_recorded(c) < src.folds_per_config) settings += "  (partial)";
        if (c.folds_pruned > 0) settings += "  (" + pruned_text(r.units, c.config) + ")";
        board.add_row({std::to_string(i + 1), acc(c.mean_val_acc) + " +- " + acc(c.std_val_acc), acc(c.mean_train_acc),
                       acc(c.mean_test_acc), std::string(name(c.verdict)), significant(cost_per_fold(c), 3),
                       std::move(settings)});
    }
    board.write(out, "  ");
    write_saved_models_text(src, order, out);

    out << "\nWhich settings matter (mean validation accuracy per value, best in brackets; ranked by spread):\n";
    const SpecGridConfigs designed(r.configs, src.spec_configs);
    const std::vector<OptionInfluence> influences = influence(designed.get());
    std::size_t option_width = 16;
    for (const OptionInfluence& inf : influences) option_width = std::max(option_width, inf.option.size() + 2);
    for (const OptionInfluence& inf : influences) {
        out << "  " << pad(inf.option, option_width) << "spread " << acc(inf.spread) << "   ";
        for (std::size_t i = 0; i < inf.values.size(); ++i)
            out << (i ? " vs " : "") << inf.values[i].value << " " << acc(inf.values[i].mean) << " ("
                << acc(inf.values[i].best) << ")";
        out << '\n';
    }

    write_importance_text(importance(designed.get(), setting_levels(designed.get())), out);
    write_diagnosis_text(src, order, top, all, out);
    write_study_findings(study_findings(r.configs, run_chance(r.info), src.thresholds), out);
    write_repairs_text(r.configs, src.spec_configs, out);
    write_classes_text(src, order, top, out);
}

}  // namespace dnnsweep
