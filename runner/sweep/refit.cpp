#include "runner/sweep/refit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "engine/data_fingerprint.hpp"
#include "engine/refit_data.hpp"
#include "engine/text_format.hpp"
#include "outputs/model_file.hpp"
#include "outputs/report.hpp"
#include "outputs/results_store.hpp"
#include "runner/sweep/exit_codes.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace {

// The configuration asked for: by id (or a unique prefix), or by leaderboard rank.
std::size_t choose(const RefitRequest& req, const Results& r, const std::vector<std::size_t>& order) {
    const std::string& path = req.results_path;
    if (req.config_id) {
        const std::string& want = *req.config_id;
        std::vector<std::size_t> hits;
        for (std::size_t i = 0; i < r.configs.size(); ++i)
            if (r.configs[i].config_id.starts_with(want)) hits.push_back(i);
        if (want.empty() || hits.empty())
            throw ResultsError(path + ": no configuration '" + want + "' in the results (" +
                               std::to_string(r.configs.size()) +
                               " configurations; `dnnsweep report --format csv` lists their ids)");
        if (hits.size() > 1)
            throw ResultsError(path + ": '" + want + "' begins " + std::to_string(hits.size()) +
                               " configuration ids; give more of it");
        return hits.front();
    }
    if (req.rank < 1 || req.rank > order.size())
        throw ResultsError(path + ": rank " + std::to_string(req.rank) + " is not on the leaderboard (1 to " +
                           std::to_string(order.size()) + ")");
    return order[req.rank - 1];
}

int median_upper(std::vector<int> v) {
    std::ranges::sort(v);
    return v[v.size() / 2];
}

void check_shape(const Dataset& data, const Results& r, const std::string& results_path) {
    const DataShape& want = r.info.data;
    if (data.size() != want.samples || data.features() != want.features || data.classes != want.classes)
        throw DataError(data.source + ": " + std::to_string(data.size()) + " rows, " + std::to_string(data.features()) +
                        " features, " + std::to_string(data.classes) + " classes; " + results_path + " was made from " +
                        std::to_string(want.samples) + " rows, " + std::to_string(want.features) + " features, " +
                        std::to_string(want.classes) + " classes (" + r.info.data_source +
                        "; give that data with --data)");
}

}  // namespace

std::string default_model_path(const std::string& results_path) {
    const std::filesystem::path p(results_path);
    const std::string stem = p.extension() == ".h5" ? p.stem().string() : p.filename().string();
    return (p.parent_path() / (stem + ".model.h5")).string();
}

RefitOutcome refit(const RefitRequest& req, const EpochCallback& on_epoch) {
    check_model_path(req.model_path, req.force, "model");
    const Results r = read_results(req.results_path);
    const SweepSpec spec = [&] {
        try {
            return parse_spec(r.spec_text, req.results_path + " (its spec)");
        } catch (const SpecError& e) {
            throw ResultsError(e.what());
        }
    }();
    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::size_t chosen = choose(req, r, order);
    const ConfigSummary& c = r.configs[chosen];

    RefitOutcome out;
    out.configs = r.configs.size();
    out.rank = static_cast<std::size_t>(std::ranges::find(order, chosen) - order.begin()) + 1;
    for (const UnitResult& u : units_of(r.units, c.config))
        if (u.status == UnitStatus::Ok && u.best_epoch > 0) out.fold_epochs.push_back(u.best_epoch);
    if (out.fold_epochs.empty()) {
        const bool any = std::ranges::any_of(r.units, [](const UnitResult& u) { return u.status == UnitStatus::Ok; });
        throw ResultsError(req.results_path + ": " +
                           (any ? "configuration " + c.config_id + " has no successful fold (none finished ok)"
                                : std::string("no fold finished ok; there is no configuration to refit")));
    }

    TrainConfig config = c.settings;
    config.threads = req.threads > 0 ? req.threads : spec.threads;
    config.epochs = median_upper(out.fold_epochs);
    config.patience = 0;  // no validation part to stop on: the folds chose the epochs

    std::optional<Dataset> own;
    if (req.loaded == nullptr) own = load_dataset(req.data.empty() ? spec.data : req.data, spec.label_format);
    const Dataset& data = req.loaded ? *req.loaded : *own;
    check_shape(data, r, req.results_path);
    const RefitData d = prepare_refit(config, data, spec.split);
    out.test_rows = d.test.size();

    std::optional<Model> model;
    const TrainedCallback keep = [&](const Network& net) { model = capture_model(net, config, d.scaler); };
    const TrainResult t = train_model(config, d.train, Dataset{}, d.test, on_epoch, TrainCurves{}, keep);
    out.seconds = t.seconds;
    if (t.status != UnitStatus::Ok || !model)
        throw std::runtime_error("refit of configuration " + c.config_id + ": the training " +
                                 std::string(name(t.status)) +
                                 (t.status == UnitStatus::Diverged ? " (its folds did not: the larger training set "
                                                                     "changed the steps; no model written)"
                                                                   : "; no model written"));
    Model& m = *model;
    m.version = DNNSWEEP_VERSION;
    m.origin = "refit";
    m.config_id = c.config_id;
    for (int k = 0; k < data.classes; ++k) m.class_names.push_back(data.class_name(k));
    m.data_source = data.source;
    m.data_fingerprint = data_fingerprint(data);
    m.trained_rows = d.train.size();
    m.epochs = t.epochs();
    m.metrics.train_acc = t.train_acc;
    m.metrics.train_loss = t.train_loss;
    m.metrics.test_acc = t.test_acc;
    m.metrics.test_loss = t.test_loss;
    m.metrics.cv_val_acc = c.mean_val_acc;
    m.metrics.cv_val_acc_std = c.std_val_acc;
    m.results_file = req.results_path;
    m.results_spec_hash = r.spec_hash;
    m.results_run_id = r.info.run_id;
    write_model_file(req.model_path, m, req.force);
    out.model = std::move(m);
    return out;
}

int refit_after_sweep(const std::string& out, std::uint64_t unit_count, const Dataset& data) {
    const std::string model = default_model_path(out);
    try {
        if (std::filesystem::exists(model)) {
            std::cout << "refit: " << model << " exists; kept (dnnsweep refit " << out << " --model " << model
                      << " --force replaces it)" << std::endl;
            return exit_code::ok;
        }
        const auto recorded = static_cast<std::uint64_t>(std::ranges::count_if(
            read_results(out).units, [](const UnitResult& u) { return u.status != UnitStatus::Stopped; }));
        if (recorded < unit_count) {
            std::cout << "refit: waits for the whole sweep (" << recorded << " of " << unit_count
                      << " units recorded); the run that completes it refits" << std::endl;
            return exit_code::ok;
        }
        RefitRequest req;
        req.results_path = out;
        req.model_path = model;
        req.loaded = &data;
        std::cout << refit_summary(refit(req), model) << std::flush;
        return exit_code::ok;
    } catch (const std::exception& e) {
        std::cerr << "dnnsweep sweep: refit: error: " << e.what() << std::endl;
        return dynamic_cast<const UserError*>(&e) != nullptr ? exit_code::usage : exit_code::failure;
    }
}

std::string refit_summary(const RefitOutcome& o, const std::string& model_path) {
    const Model& m = o.model;
    std::string s = fmt::format("refit: configuration {} (#{} of {} on the leaderboard): {}\n", m.config_id, o.rank,
                                o.configs, describe_config(m.config));
    const std::string why = o.fold_epochs.size() == 1
                                ? std::string("the best epoch of its one fold that finished ok")
                                : fmt::format("the median of the best epochs of its folds that finished ok: {}",
                                              fmt::join(o.fold_epochs, ", "));
    s += fmt::format("refit: {} rows outside the test set, {} epochs ({})\n",
                     thousands(static_cast<std::int64_t>(m.trained_rows)), m.epochs, why);
    const std::string cv = fixed(m.metrics.cv_val_acc, 4) + " +- " + fixed(m.metrics.cv_val_acc_std, 4) +
                           " (cross-validated, " + std::to_string(o.fold_epochs.size()) + " folds ok)";
    if (o.test_rows > 0)
        s += "refit: test accuracy " + fixed(m.metrics.test_acc, 4) + " on " +
             thousands(static_cast<std::int64_t>(o.test_rows)) + " held-out rows; validation accuracy " + cv + "\n";
    else
        s += "refit: no test set (test-fraction = 0); validation accuracy " + cv + "\n";
    s += "model: " + model_path + "\n";
    return s;
}

}  // namespace dnnsweep
