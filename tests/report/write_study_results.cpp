// Writes the results of a study without training, for the report-at-scale tests and benchmark
// (study_report_test.py, tests/bench/report_scale.py): 1 fold, 2 epochs, 3 classes (chance
// 1/3). Each unit's accuracy is a known function of its settings: a learning rate in the lowest
// quarter of its levels does not train (training accuracy at chance); otherwise the validation
// accuracy is 0.5 + 0.3 x (learning-rate level) + 0.15 x (layers level) x [activation relu], the two
// levels scaled to [0, 1], and deep (top layers level) wide (top width level) networks overfit.
//
//   write_study_results OUT.h5 DATA CASE
//
// CASE: small (9 configurations), medium (999), large (100,000), one-config, one-setting,
// all-failed (9, every unit failed), partial (999, the shards of a sweep half done, no merge).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "outputs/results_store.hpp"
#include "sweeps/config_options.hpp"

namespace {

using namespace dnnsweep;

std::string range_list(double first, double step, int n, int decimals) {
    std::string s;
    for (int i = 0; i < n; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.*f", decimals, first + step * i);
        s += (i ? ", " : "") + std::string(buf);
    }
    return s;
}

std::string grid_of(const std::string& name) {
    if (name == "small" || name == "all-failed") return "layers = 1, 2, 3\nlearning-rate = 0.001, 0.01, 0.1\n";
    if (name == "medium" || name == "partial")
        return "layers = 1, 2, 3\nactivation = relu, sigmoid, tanh\nwidth = 8, 16, 32\nlearning-rate = " +
               range_list(0.001, 0.001, 37, 3) + "\n";
    if (name == "large")
        return "layers = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\nactivation = relu, sigmoid\nwidth = " +
               range_list(4, 4, 10, 0) + "\nlearning-rate = " + range_list(0.001, 0.001, 10, 3) +
               "\nbatch-size = " + range_list(8, 8, 10, 0) + "\nseed = 1, 2, 3, 4, 5\n";
    if (name == "one-config") return "layers = 2\n";
    if (name == "one-setting") return "learning-rate = 0.001, 0.01, 0.1, 1\n";
    throw std::runtime_error("unknown case '" + name + "'");
}

// Level of the configuration's value of `option` among `values` (sorted), scaled to [0, 1].
struct Scaler {
    std::map<std::string, std::vector<double>> values;
    void see(const std::string& option, double v) {
        auto& vs = values[option];
        if (std::ranges::find(vs, v) == vs.end()) vs.push_back(v);
    }
    double level(const std::string& option, double v) const {
        const auto it = values.find(option);
        if (it == values.end() || it->second.size() < 2) return 1.0;
        std::vector<double> vs = it->second;
        std::ranges::sort(vs);
        return static_cast<double>(std::ranges::find(vs, v) - vs.begin()) / static_cast<double>(vs.size() - 1);
    }
};

UnitResult unit(const Grid& grid, const Scaler& s, std::uint64_t u, bool failed) {
    const TrainConfig cfg = grid.config(grid.unit(u).config);
    UnitResult r = unit_record(grid, u, 1, "node-a");
    r.finished_at = 1704067200.0 + static_cast<double>(u);
    if (failed) {
        r.status = UnitStatus::Failed;
        r.error = "out of memory";
        return r;
    }
    r.status = UnitStatus::Ok;
    const double lr = s.level("learning-rate", cfg.effective_learning_rate());
    const double depth = s.level("layers", cfg.layers);
    const double wide = s.level("width", cfg.width);
    const bool relu = cfg.activation == Activation::Relu;
    const bool trains = lr >= 0.25;
    const double train =
        trains ? (depth == 1.0 && wide == 1.0 ? 0.99 : 0.5 + 0.3 * lr + 0.15 * depth * relu + 0.01) : 1.0 / 3.0;
    const double val =
        trains ? 0.5 + 0.3 * lr + 0.15 * depth * relu - (depth == 1.0 && wide == 1.0 ? 0.25 : 0.0) : 1.0 / 3.0 - 0.01;
    r.epochs = r.best_epoch = 2;
    r.steps = 20;
    r.seconds = 0.0004 * (1 + cfg.layers);
    for (int e = 1; e <= 2; ++e) {
        EpochMetrics m;
        m.epoch = e;
        m.train_acc = e == 2 ? train : (train + 1.0 / 3.0) / 2;
        m.val_acc = e == 2 ? val : (val + 1.0 / 3.0) / 2;
        m.train_loss = 1.1 - 0.5 * m.train_acc;
        m.val_loss = 1.1 - 0.5 * m.val_acc;
        m.seconds = r.seconds / 2;
        m.health.max_abs_input = 1.0;
        for (int l = 0; l <= cfg.layers; ++l) m.health.grad_norm.push_back(0.1 * (l + 1));
        r.history.push_back(m);
    }
    r.train_acc = train;
    r.val_acc = val;
    r.train_loss = r.history.back().train_loss;
    r.val_loss = r.history.back().val_loss;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: write_study_results OUT.h5 DATA CASE\n";
        return 2;
    }
    const std::string out = argv[1], kase = argv[3];
    try {
        std::filesystem::remove(out);
        std::filesystem::remove_all(parts_dir(out));
        const SweepSpec spec = parse_spec("# a study for the report tests\ndata = " + std::string(argv[2]) +
                                              "\nfolds = 1\nepochs = 2\n" + grid_of(kase),
                                          "study.ini");
        const Grid grid(spec);
        Scaler s;
        for (std::uint64_t c = 0; c < grid.size(); ++c) {
            const TrainConfig cfg = grid.config(c);
            s.see("learning-rate", cfg.effective_learning_rate());
            s.see("layers", cfg.layers);
            s.see("width", cfg.width);
        }
        RunInfo info;
        info.version = "test";
        info.run_id = "20240101T000000-1";
        info.started_at = 1704067200.0;
        info.finished_at = 1704067300.0;
        info.ranks = 2;
        info.hosts = {"node-a"};
        info.data = {.samples = 300, .features = 4, .classes = 3};
        info.data_source = argv[2];
        if (kase == "partial") {  // a sweep half done: its shard only
            ShardWriter w(shard_path(out, 1, info.run_id), spec, info, 1);
            for (std::uint64_t u = 0; u < grid.unit_count(); u += 2) w.append(unit(grid, s, u, false));
        } else {  // a finished sweep: the merged file, written at once (100,000 shard appends take minutes)
            std::vector<UnitResult> units;
            for (std::uint64_t u = 0; u < grid.unit_count(); ++u)
                units.push_back(unit(grid, s, u, kase == "all-failed"));
            write_merged_results(out, spec, grid, info, units);
        }
    } catch (const std::exception& e) {
        std::cerr << "write_study_results: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
