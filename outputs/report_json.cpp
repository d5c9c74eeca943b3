#include "outputs/report_json.hpp"

#include <cmath>
#include <sstream>
#include <vector>

#include "outputs/class_results.hpp"
#include "outputs/diagnosis_groups.hpp"
#include "outputs/importance_report.hpp"
#include "outputs/json.hpp"
#include "outputs/report_classes.hpp"
#include "outputs/report_repairs.hpp"
#include "outputs/spec_grid_configs.hpp"
#include "outputs/study_findings.hpp"

namespace dnnsweep {
namespace {

Json settings_json(const TrainConfig& c, const std::vector<std::string>& names) {
    Json settings = Json::object();
    for (const std::string& n : names) settings[n] = json_value(find_config_option(n)->get(c));
    return settings;
}

// null, or how many folds were pruned and after how many epochs.
Json pruned_json(const std::vector<UnitResult>& units, const ConfigSummary& c) {
    if (c.folds_pruned == 0) return nullptr;
    const PrunedFolds p = pruned_folds(units_of(units, c.config), c.config);
    return {
        {"folds", p.folds}, {"not_started", p.not_started}, {"min_epochs", p.min_epochs}, {"max_epochs", p.max_epochs}};
}

Json run_json(const RunInfo& info) {
    return {{"version", info.version},
            {"run_id", info.run_id},
            {"ranks", info.ranks},
            {"started_at", info.started_at},
            {"finished_at", info.finished_at},
            {"data_source", info.data_source},
            {"data_fingerprint", info.data_fingerprint},
            {"samples", info.data.samples},
            {"features", info.data.features},
            {"classes", info.data.classes}};
}

Json pruning_json(const PruningSummary& p) {
    return {{"units", p.units},           {"not_started", p.not_started},
            {"configs", p.configs},       {"pruned_epochs_planned", p.pruned_planned},
            {"epochs_saved", p.saved},    {"epochs_trained", p.trained},
            {"epochs_planned", p.planned}};
}

Json leaderboard_json(const ReportSource& src, const std::vector<std::size_t>& order,
                      const std::vector<std::string>& names, std::size_t top) {
    const Results& r = src.results;
    Json board = Json::array();
    for (std::size_t i = 0; i < order.size() && i < top; ++i) {
        const ConfigSummary& c = r.configs[order[i]];
        Json e;
        e["rank"] = i + 1;
        e["config"] = c.config;
        e["config_id"] = c.config_id;
        e["settings"] = settings_json(c.settings, names);
        e["mean_val_acc"] = c.mean_val_acc;
        e["std_val_acc"] = c.std_val_acc;
        e["mean_train_acc"] = c.mean_train_acc;
        e["mean_test_acc"] = c.mean_test_acc;
        e["verdict"] = name(c.verdict);
        e["seconds_per_fold"] = cost_per_fold(c);
        e["folds_done"] = c.folds_done;
        e["folds_failed"] = c.folds_failed;
        e["folds_pruned"] = c.folds_pruned;
        e["epochs_trained"] = c.epochs_trained;
        e["epochs_planned"] = c.epochs_planned;
        e["epochs_saved"] = c.epochs_saved;
        e["pruned"] = pruned_json(r.units, c);
        e["complete"] = folds_recorded(c) >= src.folds_per_config;
        board.push_back(std::move(e));
    }
    return board;
}

Json influence_json(const std::vector<ConfigSummary>& configs) {
    Json options = Json::array();
    for (const OptionInfluence& inf : influence(configs)) {
        Json values = Json::array();
        for (const ValueInfluence& v : inf.values)
            values.push_back({{"value", v.value}, {"configs", v.configs}, {"mean", v.mean}, {"best", v.best}});
        options.push_back({{"option", inf.option}, {"spread", inf.spread}, {"values", std::move(values)}});
    }
    return options;
}

Json diagnosis_json(const Results& r, const std::vector<std::size_t>& order, const std::vector<std::string>& names) {
    Json counts = Json::object();
    for (const auto& [verdict, n] : verdict_counts(r.configs)) counts[verdict] = n;
    Json configs = Json::array();
    const std::vector<std::size_t> rank_of = ranks_of(order);
    for (const std::size_t i : needs_action(r.configs, order)) {
        const ConfigSummary& c = r.configs[i];
        Json causes = Json::array();
        for (const Cause cause : c.causes) causes.push_back(name(cause));
        Json d;
        d["rank"] = rank_of[i] + 1;
        d["config"] = c.config;
        d["config_id"] = c.config_id;
        d["verdict"] = name(c.verdict);
        d["settings"] = settings_json(c.settings, names);
        d["pruned"] = pruned_json(r.units, c);
        d["reason"] = c.reason;
        d["causes"] = std::move(causes);
        configs.push_back(std::move(d));
    }
    return {{"counts", std::move(counts)}, {"configs", std::move(configs)}};
}

}  // namespace

void write_report_json(const std::string& path, const ReportSource& src, std::size_t top, std::ostream& out) {
    const Results& r = src.results;
    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> names = varied_options(r.configs);
    Json doc;
    doc["results"] = path;
    doc["partial"] = src.partial;
    doc["units_done"] = src.units_done;
    doc["units_total"] = src.units_total;
    doc["configs_done"] = r.configs.size();
    doc["configs_total"] = src.configs_total;
    doc["folds_per_config"] = src.folds_per_config;
    doc["run"] = run_json(r.info);
    doc["pruning"] = pruning_json(pruning_summary(r));
    doc["leaderboard"] = leaderboard_json(src, order, names, top);
    doc["saved_models"] = Json::array();
    for (const SavedModel& m : src.models)
        doc["saved_models"].push_back({{"path", m.path},
                                       {"config_id", m.config_id},
                                       {"test_acc", std::isfinite(m.test_acc) ? Json(m.test_acc) : Json(nullptr)}});
    const SpecGridConfigs designed(r.configs, src.spec_configs);
    doc["influence"] = influence_json(designed.get());
    doc["importance"] = importance_json(importance(designed.get(), setting_levels(designed.get())));
    doc["diagnosis"] = diagnosis_json(r, order, names);
    doc["diagnosis"]["groups"] =
        diagnosis_groups_json(diagnosis_groups(r.configs, setting_levels(r.configs), order), r.configs);
    doc["study_findings"] = study_findings_json(study_findings(r.configs, run_chance(r.info), src.thresholds));
    doc["repairs"] = repairs_json(r.configs, src.spec_configs);
    doc["classes"] = classes_json(src, order, top);
    write_json(out, doc);
}

}  // namespace dnnsweep
