// Where a sweep unit's set-up time goes before its first step: the fold's row indices, gathering
// its train/validation/test rows, fitting and applying the input scaling, the health figure
// max_abs, and building the network (its oneDNN primitives come from oneDNN's cache after the
// first unit, as in a sweep). Wall milliseconds per unit, averaged over --units units that cycle
// through the folds. One thread.
//
//   bench_unit_setup --data data/mnist --folds 10 --layers 2 --width 256 --units 20
#include <omp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "engine/dataset.hpp"
#include "engine/folds.hpp"
#include "engine/network.hpp"
#include "engine/preprocess.hpp"

namespace {

using namespace dnnsweep;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string data = "data/mnist";
    int folds = 10, layers = 2, width = 256, units = 20;
    double test_fraction = 0.2;
};

Options parse(int argc, char** argv) {
    Options o;
    if (argc % 2 == 0) throw std::invalid_argument(std::string("option without a value: ") + argv[argc - 1]);
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--data")
            o.data = value;
        else if (key == "--folds")
            o.folds = std::stoi(value);
        else if (key == "--layers")
            o.layers = std::stoi(value);
        else if (key == "--width")
            o.width = std::stoi(value);
        else if (key == "--units")
            o.units = std::stoi(value);
        else if (key == "--test-fraction")
            o.test_fraction = std::stod(value);
        else
            throw std::invalid_argument("unknown option: " + key);
    }
    if (o.units < 1) throw std::invalid_argument("--units must be at least 1");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_unit_setup: %s\n", e.what());
        return 2;
    }
    omp_set_num_threads(1);
    try {
        const Dataset data = load_dataset(o.data);
        StudySplit split;
        split.test_fraction = o.test_fraction;
        split.folds = o.folds;
        validate_split(split, data.y, data.classes);
        TrainConfig config;
        config.layers = o.layers;
        config.width = o.width;
        config.normalization = Normalization::MinMax;
        double rows_ms = 0, gather_ms = 0, fit_ms = 0, apply_ms = 0, max_abs_ms = 0, network_ms = 0;
        float health = 0.0f;
        const auto ms_since = [](Clock::time_point& t) {
            const auto now = Clock::now();
            const double ms = std::chrono::duration<double, std::milli>(now - t).count();
            t = now;
            return ms;
        };
        for (int u = 0; u < o.units; ++u) {
            auto t = Clock::now();
            const UnitRows rows = unit_rows(split, data.y, data.classes, u % o.folds);
            rows_ms += ms_since(t);
            UnitData d{gather(data, rows.train), gather(data, rows.val), gather(data, rows.test), {}, {}};
            gather_ms += ms_since(t);
            const InputScaler scaler = InputScaler::fit(d.train.x, config.normalization);
            fit_ms += ms_since(t);
            scaler.apply(d.train.x);
            scaler.apply(d.val.x);
            scaler.apply(d.test.x);
            apply_ms += ms_since(t);
            health += max_abs(d.train.x);
            max_abs_ms += ms_since(t);
            Network net(config, data.features(), data.classes, 100, 256);
            net.initialize(static_cast<std::uint64_t>(u));
            network_ms += ms_since(t);
        }
        const double n = o.units;
        std::printf(
            "{\"units\": %d, \"train_rows\": %zu, \"rows_ms\": %.2f, \"gather_ms\": %.2f, \"fit_ms\": %.2f, "
            "\"apply_ms\": %.2f, \"max_abs_ms\": %.2f, \"network_ms\": %.2f, \"total_ms\": %.2f}\n",
            o.units, unit_rows(split, data.y, data.classes, 0).train.size(), rows_ms / n, gather_ms / n, fit_ms / n,
            apply_ms / n, max_abs_ms / n, network_ms / n,
            (rows_ms + gather_ms + fit_ms + apply_ms + max_abs_ms + network_ms) / n);
        return health >= 0.0f ? 0 : 1;  // keeps max_abs from being optimised away
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_unit_setup: %s\n", e.what());
        return 1;
    }
}
