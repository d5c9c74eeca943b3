// Where one training step's time goes: forward, loss, backward (with the optimizer fused into it
// and the dense layers' gradient norms taken in the optimizer's pass, as the trainer runs it), and,
// for comparison, backward and optimizer (no norms) run one after the other.
// Thread CPU time, not wall time, so a busy machine inflates the figures less (it still does:
// caches and a shared core are not accounted for). One thread, synthetic inputs.
//
//   bench_step_profile --layers 3 --width 689 --features 784 --classes 10 --optimizer adam
//   bench_step_profile --layers 3 --width 16 --features 4 --classes 9 --kernel onednn
#include <omp.h>
#include <time.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/loss.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "engine/rng.hpp"

namespace {

using namespace dnnsweep;

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Options {
    int layers = 3, width = 689, classes = 10;
    std::size_t features = 784, batch = 100;
    Optimizer optimizer = Optimizer::Adam;
    Activation activation = Activation::Relu;
    DenseKernel kernel = DenseKernel::Auto;
    double seconds = 2.0;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--layers")
            o.layers = std::stoi(value);
        else if (key == "--width")
            o.width = std::stoi(value);
        else if (key == "--features")
            o.features = std::stoul(value);
        else if (key == "--classes")
            o.classes = std::stoi(value);
        else if (key == "--batch")
            o.batch = std::stoul(value);
        else if (key == "--seconds")
            o.seconds = std::stod(value);
        else if (key == "--optimizer")
            o.optimizer = parse_optimizer(value);
        else if (key == "--activation")
            o.activation = parse_activation(value);
        else if (key == "--kernel" && (value == "auto" || value == "onednn" || value == "loops"))
            o.kernel = value == "onednn"  ? DenseKernel::OneDnn
                       : value == "loops" ? DenseKernel::Loops
                                          : DenseKernel::Auto;
        else
            throw std::invalid_argument("unknown option or value: " + key + " " + value);
    }
    if (argc % 2 == 0) throw std::invalid_argument(std::string("option without a value: ") + argv[argc - 1]);
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_step_profile: %s\n", e.what());
        return 2;
    }
    omp_set_num_threads(1);
    TrainConfig c;
    c.layers = o.layers;
    c.width = o.width;
    c.activation = o.activation;
    c.optimizer = o.optimizer;
    Network net(c, o.features, o.classes, o.batch, 0, o.kernel);
    net.initialize(1);
    OptimizerState whole(OptimizerSettings::from(c), net.decay_mask());
    std::vector<OptimizerState> per_layer;
    for (const auto& r : net.param_ranges()) {
        const auto mask = net.decay_mask().begin() + static_cast<std::ptrdiff_t>(r.offset);
        per_layer.emplace_back(OptimizerSettings::from(c),
                               std::vector<std::uint8_t>(mask, mask + static_cast<std::ptrdiff_t>(r.count)));
    }
    Rng rng(3, Stream::Noise);
    for (std::size_t i = 0; i < o.batch * o.features; ++i) net.input()[i] = rng.uniform(0.0f, 1.0f);
    std::vector<std::int32_t> y(o.batch);
    for (auto& v : y) v = static_cast<std::int32_t>(rng.below(static_cast<std::uint32_t>(o.classes)));
    // As the trainer does: each dense layer's gradient norm too (per-epoch health figures).
    const auto& dense = net.dense_params();
    std::vector<bool> is_dense(net.param_ranges().size(), false);
    for (std::size_t k = 0; k < is_dense.size(); ++k)
        for (const auto& d : dense) is_dense[k] = is_dense[k] || d.offset == net.param_ranges()[k].offset;
    double grad_norm_sum = 0.0;
    const auto fused_update = [&](std::size_t k, const ParamRange& r) {
        const auto params = net.params().subspan(r.offset, r.count);
        const auto grads = net.grads().subspan(r.offset, r.count);
        if (is_dense[k])
            grad_norm_sum += std::sqrt(per_layer[k].step_and_sum_squares(params, grads));
        else
            per_layer[k].step(params, grads);
    };

    // Alternate the two variants in rounds, so a change in the machine's load hits both.
    double t_forward = 0, t_loss = 0, t_fused = 0, t_backward = 0, t_optimizer = 0;
    long steps_fused = 0, steps_split = 0;
    const double start = cpu_seconds();
    for (int round = 0; round < 4 || cpu_seconds() - start < o.seconds;
         ++round) {  // 2 warm-up rounds, then at least one each
        const bool fused = round % 2 == 0;
        for (int s = 0; s < 5; ++s) {
            const double t0 = cpu_seconds();
            const float* z = net.forward(o.batch, Mode::Train);
            const double t1 = cpu_seconds();
            evaluate_loss(Loss::CrossEntropy, z, y.data(), o.batch, o.classes, net.diff_logits());
            const double t2 = cpu_seconds();
            if (fused) {
                net.backward(o.batch, fused_update);
                t_fused += cpu_seconds() - t2;
                ++steps_fused;
            } else {
                net.backward(o.batch);
                const double t3 = cpu_seconds();
                whole.step(net.params(), net.grads());
                t_backward += t3 - t2;
                t_optimizer += cpu_seconds() - t3;
                ++steps_split;
            }
            if (round > 1) {
                t_forward += t1 - t0;
                t_loss += t2 - t1;
            } else if (fused) {
                t_fused = 0;
                steps_fused = 0;
            } else {
                t_backward = t_optimizer = 0;
                steps_split = 0;
            }
        }
    }
    const double n = static_cast<double>(steps_fused + steps_split), us = 1e6;
    const double forward = t_forward / n * us, loss = t_loss / n * us;
    const double fused = t_fused / static_cast<double>(steps_fused) * us;
    const double backward = t_backward / static_cast<double>(steps_split) * us;
    const double optimizer = t_optimizer / static_cast<double>(steps_split) * us;
    std::printf(
        "{\"layers\": %d, \"width\": %d, \"features\": %zu, \"classes\": %d, \"batch\": %zu, "
        "\"forward_us\": %.2f, \"loss_us\": %.2f, \"backward_and_fused_optimizer_us\": %.2f, "
        "\"backward_us\": %.2f, \"optimizer_us\": %.2f, \"step_us\": %.2f, \"step_unfused_us\": %.2f}\n",
        o.layers, o.width, o.features, o.classes, o.batch, forward, loss, fused, backward, optimizer,
        forward + loss + fused, forward + loss + backward + optimizer);
    if (!std::isfinite(grad_norm_sum)) return 1;  // keeps the norms from being optimised away
    return 0;
}
