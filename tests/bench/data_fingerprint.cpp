// What the data fingerprint (engine/data_fingerprint.hpp) adds to a sweep's start: XXH3-128 over
// a dataset as loaded, beside a memcpy of its features (memory speed) and the time to load it, in
// one run. The MNIST files of --data, then synthetic datasets (their rows need not mean anything to
// be hashed): full MNIST's shape (60,000 x 784) and --gib GiB of 1,024 features. Best of --reps.
//
//   bench_data_fingerprint --data data/mnist --gib 1 --reps 5
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/data_fingerprint.hpp"
#include "engine/dataset.hpp"

namespace {

using namespace dnnsweep;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Best-of-reps seconds of `f`.
template <typename F>
double best_of(int reps, F&& f) {
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, seconds_since(t0));
    }
    return best;
}

void measure(const char* name, const Dataset& d, double load_seconds, int reps) {
    const double bytes = static_cast<double>(d.size() * d.features() * sizeof(float) + d.y.size() * sizeof(d.y[0]));
    std::string fp;
    const double hash = best_of(reps, [&] { fp = data_fingerprint(d); });
    std::vector<float> copy(d.size() * d.features());
    const double pass = best_of(reps, [&] { std::memcpy(copy.data(), d.x.row(0), copy.size() * sizeof(float)); });
    std::printf(
        "%-10s %8.1f MB  load %7.3f s  fingerprint %7.3f s (%5.2f GB/s, %5.1f%% of the load)  "
        "memcpy %7.3f s (%5.2f GB/s)  %s\n",
        name, bytes / 1e6, load_seconds, hash, bytes / hash / 1e9, load_seconds > 0 ? 100.0 * hash / load_seconds : 0.0,
        pass, bytes / pass / 1e9, fp.c_str());
}

Dataset synthetic(std::size_t rows, std::size_t features) {
    Dataset d;
    d.x = Matrix(rows, features);
    for (std::size_t r = 0; r < rows; ++r) std::fill_n(d.x.row(r), features, static_cast<float>(r % 251));
    d.y.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) d.y[r] = static_cast<std::int32_t>(r % 10);
    d.classes = 10;
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    std::string data = "data/mnist";
    double gib = 1.0;
    int reps = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--data")
            data = value;
        else if (key == "--gib")
            gib = std::stod(value);
        else if (key == "--reps")
            reps = std::stoi(value);
        else
            throw std::invalid_argument("unknown option " + key);
    }
    auto t0 = Clock::now();
    const Dataset mnist = load_dataset(data);
    measure("mnist", mnist, seconds_since(t0), reps);

    // Made in memory: no load time to compare with.
    measure("60000x784", synthetic(60000, 784), 0.0, reps);
    constexpr std::size_t kFeatures = 1024;
    measure("1 GiB", synthetic(static_cast<std::size_t>(gib * (1ull << 30) / (kFeatures * sizeof(float))), kFeatures),
            0.0, reps);
    return 0;
}
