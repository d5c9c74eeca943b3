// The optimizer update against the memory system: the engine's own update (OptimizerState, as the
// trainer steps each layer) for Adam and plain SGD, beside a memcpy of the same bytes, over a
// layer's or a network's parameter count. Adam reads the weights, gradients and both moments and
// writes back three of them: 28 bytes a parameter; plain SGD 12; memcpy 8. When the bytes per
// second of the update match the memcpy's, the update runs at the core's memory bandwidth and no
// rewrite of its arithmetic can make it faster (docs/PERFORMANCE.md, "The speed issue's targets").
//
//   bench_update_bandwidth [--params N,N,...] [--seconds 1]
//
// Each size is measured twice: `reuse` steps one set of buffers again and again (what fits the
// caches stays there), `memory` cycles through copies of the buffers totalling at least 256 MiB,
// so every step reads them from memory as an 11 x 689 network's layers do. Wall time, one thread.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "comma_list.hpp"
#include "engine/optimizer.hpp"

namespace {

using namespace dnnsweep;
using Clock = std::chrono::steady_clock;

struct Buffers {
    std::vector<float> w, g, copy;
    OptimizerState adam, sgd;
    explicit Buffers(std::size_t n)
        : w(n, 0.01f),
          g(n, 0.001f),
          copy(n),
          adam(settings(Optimizer::Adam, 1e-3), std::vector<std::uint8_t>(n, 1)),
          sgd(settings(Optimizer::Sgd, 0.1), std::vector<std::uint8_t>(n, 1)) {}
    static OptimizerSettings settings(Optimizer kind, double lr) {
        OptimizerSettings s;
        s.kind = kind;
        s.learning_rate = lr;
        return s;
    }
};

// Seconds per call of `step(buffers)` over `sets` in turn, for about `seconds` after a warm-up round.
double per_call(std::vector<Buffers>& sets, double seconds, const std::function<void(Buffers&)>& step) {
    for (auto& b : sets) step(b);
    long calls = 0;
    const auto t0 = Clock::now();
    double elapsed = 0.0;
    while (elapsed < seconds) {
        for (auto& b : sets) step(b);
        calls += static_cast<long>(sets.size());
        elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    return elapsed / static_cast<double>(calls);
}

}  // namespace

int main(int argc, char** argv) try {
    // By default a 689 x 689 layer, and the 3 x 689 and 11 x 689 MNIST networks (784 inputs, 10
    // classes), biases included.
    const auto dense = [](std::size_t in, std::size_t out) { return in * out + out; };
    const auto mnist_net = [&](std::size_t hidden) {
        return dense(784, 689) + (hidden - 1) * dense(689, 689) + dense(689, 10);
    };
    std::vector<std::uint64_t> sizes{dense(689, 689), mnist_net(3), mnist_net(11)};
    double seconds = 1.0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--params")
            sizes = bench::comma_list(argv[i + 1]);
        else if (key == "--seconds")
            seconds = std::stod(argv[i + 1]);
        else
            throw std::invalid_argument("unknown option " + key + " (options: --params N,N,... --seconds S)");
    }
    if (argc % 2 == 0) throw std::invalid_argument(std::string("option without a value: ") + argv[argc - 1]);
    constexpr std::size_t kMemoryBytes = std::size_t{256} << 20;
    for (const std::size_t n : sizes) {
        const std::size_t per_set = n * 5 * sizeof(float);  // w, g, copy and Adam's two moments
        for (const bool from_memory : {false, true}) {
            const std::size_t count = from_memory ? (kMemoryBytes + per_set - 1) / per_set : 1;
            std::vector<Buffers> sets;
            sets.reserve(count);
            for (std::size_t k = 0; k < count; ++k) sets.emplace_back(n);
            const struct {
                const char* kind;
                double bytes;
                std::function<void(Buffers&)> step;
            } kinds[] = {
                {"adam", 28, [](Buffers& b) { b.adam.step_and_sum_squares(b.w, b.g); }},
                {"sgd", 12, [](Buffers& b) { b.sgd.step_and_sum_squares(b.w, b.g); }},
                {"memcpy", 8, [](Buffers& b) { std::memcpy(b.copy.data(), b.g.data(), b.g.size() * sizeof(float)); }},
            };
            for (const auto& k : kinds) {
                const double s = per_call(sets, seconds, k.step);
                std::printf(
                    "{\"kind\": \"%s\", \"params\": %zu, \"where\": \"%s\", \"us\": %.1f, \"ns_per_param\": %.3f, "
                    "\"bytes_per_param\": %.0f, \"gb_per_s\": %.1f}\n",
                    k.kind, n, from_memory ? "memory" : "reuse", s * 1e6, s * 1e9 / static_cast<double>(n), k.bytes,
                    k.bytes * static_cast<double>(n) / s / 1e9);
                std::fflush(stdout);
            }
        }
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_update_bandwidth: %s\n", e.what());
    return 2;
}
