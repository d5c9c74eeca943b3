// Writes the results of a sweep with pruned units, without running one, for the report and status
// tests (pruned_report_test.py): 4 configurations (layers 1, 2 x loss crossentropy, mse), 3 folds,
// 10 epochs, on a 3-class dataset.
//   - each mse configuration: fold 0 pruned at chance after 3 epochs, folds 1 and 2 never started
//     (status pruned, 0 epochs, NaN figures, no curve);
//   - crossentropy, 1 layer: every fold ok (10 epochs);
//   - crossentropy, 2 layers: folds 0 and 2 ok, fold 1 pruned above chance after 5 epochs (as
//     successive halving prunes).
// Two ranks' shards, then the merge; with --running the shards only, and without crossentropy /
// 2 layers' fold 2: a sweep still running.
//
//   write_pruned_results OUT.h5 DATA [--running]
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>

#include "outputs/results_store.hpp"

namespace {

using namespace dnnsweep;

// A unit that trained `epochs_run` epochs, its training accuracy going from `acc0` by `step` an epoch.
UnitResult unit(const Grid& grid, std::uint64_t u, int rank, UnitStatus status, int epochs_run, double acc0,
                double step) {
    const UnitRef ref = grid.unit(u);
    const TrainConfig cfg = grid.config(ref.config);
    UnitResult r = unit_record(grid, u, rank, "node-a");  // NaN figures until measured; no test set
    r.status = status;
    r.finished_at = 1704067200.0 + static_cast<double>(u);
    r.epochs = r.best_epoch = epochs_run;
    r.steps = 12L * epochs_run;
    r.seconds = 0.1 * epochs_run;
    if (epochs_run == 0) return r;
    for (int e = 1; e <= epochs_run; ++e) {
        EpochMetrics m;
        m.epoch = e;
        m.train_acc = acc0 + step * e;
        m.val_acc = m.train_acc - 0.01 * (1 + static_cast<double>(ref.fold));
        m.train_loss = 1.1 - 0.5 * m.train_acc;
        m.val_loss = m.train_loss + 0.01;
        m.seconds = 0.1;
        m.health.max_abs_input = 1.0;
        for (int l = 0; l <= cfg.layers; ++l) m.health.grad_norm.push_back(0.1 * (l + 1));
        r.history.push_back(m);
    }
    r.train_acc = r.history.back().train_acc;
    r.val_acc = r.history.back().val_acc;
    r.train_loss = r.history.back().train_loss;
    r.val_loss = r.history.back().val_loss;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4 || (argc == 4 && std::string(argv[3]) != "--running")) {
        std::cerr << "usage: write_pruned_results OUT.h5 DATA [--running]\n";
        return 2;
    }
    const std::string out = argv[1];
    const bool running = argc == 4;
    try {
        std::filesystem::remove(out);
        std::filesystem::remove_all(parts_dir(out));
        const std::string text = "# pruned units for the report tests\ndata = " + std::string(argv[2]) +
                                 "\nfolds = 3\nepochs = 10\nlayers = 1, 2\nloss = crossentropy, mse\nwidth = 8\n"
                                 "batch-size = 16\n";
        const SweepSpec spec = parse_spec(text, "pruned.ini");
        const Grid grid(spec);
        RunInfo info;
        info.version = "test";
        info.run_id = "20240101T000000-1";
        info.started_at = 1704067200.0;
        info.finished_at = 1704067300.0;
        info.ranks = 3;
        info.hosts = {"node-a"};
        info.data = {.samples = 300, .features = 4, .classes = 3};
        info.data_source = argv[2];
        {
            ShardWriter a(shard_path(out, 1, info.run_id), spec, info, 1);
            ShardWriter b(shard_path(out, 2, info.run_id), spec, info, 2);
            for (std::uint64_t u = 0; u < grid.unit_count(); ++u) {
                const UnitRef ref = grid.unit(u);
                const TrainConfig cfg = grid.config(ref.config);
                ShardWriter& w = u % 2 ? b : a;
                const int rank = u % 2 ? 2 : 1;
                if (cfg.loss == Loss::Mse) {
                    w.append(ref.fold == 0 ? unit(grid, u, rank, UnitStatus::Pruned, 3, 0.33, 0.002)
                                           : unit(grid, u, rank, UnitStatus::Pruned, 0, 0, 0));
                } else if (cfg.layers == 1) {
                    w.append(unit(grid, u, rank, UnitStatus::Ok, cfg.epochs, 0.5, 0.045));
                } else if (ref.fold == 1) {
                    w.append(unit(grid, u, rank, UnitStatus::Pruned, 5, 0.5, 0.03));
                } else if (!(running && ref.fold == 2)) {
                    w.append(unit(grid, u, rank, UnitStatus::Ok, cfg.epochs, 0.5, 0.04));
                }
            }
        }
        if (!running) merge_results(out, spec, grid, info);
    } catch (const std::exception& e) {
        std::cerr << "write_pruned_results: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
