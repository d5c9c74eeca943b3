// Wall time a worker spends recording one unit in its shard (ShardWriter::append), as the shard
// grows: one-epoch units of a 3 x 16 network (4 dense layers), the short units whose bookkeeping
// dominates a sweep. Prints one JSON line per checkpoint (units written so far) with the mean and
// the 50th/99th percentiles, per unit, of the appends since the previous checkpoint. --batch N
// appends N units at a time (group commit: one append, one flush per table, one sync for all), and
// a unit's figure is then its share, the append's time / N.
//
//   bench_shard_append [--units 100000] [--checkpoints 600,10000,100000] [--dir /tmp/x] [--no-sync]
//                      [--batch 1]
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "comma_list.hpp"
#include "outputs/results_store.hpp"
#include "sweeps/spec.hpp"

namespace {

using dnnsweep::EpochMetrics;
using dnnsweep::UnitResult;

UnitResult tiny_unit(std::uint64_t i) {
    UnitResult r;
    r.unit = i;
    r.config = i / 3;
    r.fold = static_cast<int>(i % 3);
    r.unit_id = "u" + std::to_string(i);
    r.config_id = "c" + std::to_string(i / 3);
    r.status = dnnsweep::UnitStatus::Ok;
    r.train_acc = r.val_acc = 0.5;
    r.train_loss = r.val_loss = 1.0;
    r.test_acc = r.test_loss = std::numeric_limits<double>::quiet_NaN();
    r.epochs = r.best_epoch = 1;
    r.steps = 27;
    r.seconds = 0.001;
    r.host = "bench";
    EpochMetrics m;
    m.epoch = 1;
    m.train_loss = m.val_loss = 1.0;
    m.train_acc = m.val_acc = 0.5;
    m.health.grad_norm = {0.1, 0.2, 0.3, 0.4};
    r.history.push_back(m);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t units = 100000;
    std::vector<std::uint64_t> checkpoints{600, 10000, 100000};
    std::string dir = "/tmp/bench_shard_append_" + std::to_string(::getpid());
    bool sync = true;
    std::size_t batch = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + ": missing value");
            return argv[++i];
        };
        if (a == "--units")
            units = std::stoull(value());
        else if (a == "--checkpoints")
            checkpoints = bench::comma_list(value());
        else if (a == "--dir")
            dir = value();
        else if (a == "--no-sync")
            sync = false;
        else if (a == "--batch")
            batch = std::max<std::size_t>(1, std::stoull(value()));
        else {
            std::cerr << "unknown option " << a << "\n";
            return 2;
        }
    }
    std::filesystem::remove_all(dir);
    const dnnsweep::SweepSpec spec = dnnsweep::parse_spec("layers = 3\nwidth = 16\nepochs = 1\n", "bench.ini");
    dnnsweep::RunInfo info;
    info.version = "bench";
    info.run_id = "bench";
    dnnsweep::ShardWriter shard(dnnsweep::shard_path(dir + "/r.h5", 1, "bench"), spec, info, 1, sync);
    std::vector<double> us;  // per unit: its share of its append
    us.reserve(units);
    std::size_t next = 0, from = 0;
    std::vector<UnitResult> pending;
    for (std::uint64_t i = 0; i < units; ++i) {
        pending.push_back(tiny_unit(i));
        const bool at_checkpoint = next < checkpoints.size() && i + 1 == checkpoints[next];
        if (pending.size() < batch && !at_checkpoint && i + 1 < units) continue;
        const auto t0 = std::chrono::steady_clock::now();
        shard.append(pending);
        const double each = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
                            static_cast<double>(pending.size());
        us.insert(us.end(), pending.size(), each);
        pending.clear();
        if (at_checkpoint) {
            std::vector<double> part(us.begin() + static_cast<std::ptrdiff_t>(from), us.end());
            std::sort(part.begin(), part.end());
            double sum = 0;
            for (double x : part) sum += x;
            std::printf(
                "{\"units\": %llu, \"since\": %zu, \"sync\": %s, \"batch\": %zu, \"mean_us\": %.1f, "
                "\"p50_us\": %.1f, \"p99_us\": %.1f}\n",
                static_cast<unsigned long long>(i + 1), from, sync ? "true" : "false", batch,
                sum / static_cast<double>(part.size()), part[part.size() / 2],
                part[std::min(part.size() - 1, part.size() * 99 / 100)]);
            std::fflush(stdout);
            from = us.size();
            ++next;
        }
    }
    std::filesystem::remove_all(dir);
    return 0;
}
