// Where one training step's time goes: forward, loss, backward (with the optimizer fused into it
// and the dense layers' gradient norms taken in the optimizer's pass, as the trainer runs it), and,
// for comparison, backward and optimizer (no norms) run one after the other. Beside the step, in
// the same rounds: the step's oneDNN matrix products alone (step_products.hpp), the ceiling kind
// of bench_matmul_ceiling, and what the trainer adds per step around it (the batch's gather from
// shuffled rows, the running health tally), so the step's share of the ceiling is one process's.
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
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/batch_gather.hpp"
#include "engine/dataset.hpp"
#include "engine/hidden_health.hpp"
#include "engine/loss.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "engine/preprocess.hpp"
#include "engine/rng.hpp"
#include "step_products.hpp"

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

    // The products alone: the dense layers oneDNN computes in the step (the plain-loop ones, the
    // smallest layers, stay in the rest).
    std::vector<std::size_t> widths{o.features};
    for (int l = 0; l < o.layers; ++l) widths.push_back(static_cast<std::size_t>(o.width));
    widths.push_back(static_cast<std::size_t>(o.classes));
    std::size_t onednn_layers = 0;  // the leading layers above the plain-loop size
    while (onednn_layers + 1 < widths.size() &&
           (o.kernel == DenseKernel::OneDnn ||
            (o.kernel == DenseKernel::Auto &&
             DenseLayer::auto_kernel(widths[onednn_layers], widths[onednn_layers + 1]) == DenseKernel::OneDnn)))
        ++onednn_layers;
    std::optional<bench::StepProducts> products;
    // Every hidden layer through oneDNN (the output layer may be a plain-loop one); maxout has no
    // fused activation to copy.
    if (onednn_layers > 0 && onednn_layers + 2 >= widths.size() && eltwise_for(c))
        products.emplace(
            std::vector<std::size_t>(widths.begin(), widths.begin() + static_cast<std::ptrdiff_t>(onednn_layers) + 1),
            o.batch, eltwise_for(c)->forward);
    bench::CeilingProduct ceiling(o.batch, static_cast<std::size_t>(o.width), static_cast<std::size_t>(o.width));
    // Useful training FLOP of a step (bench_vs_torch.py's): forward and both backward products of
    // every dense layer, less the first layer's backward-data, which nobody needs.
    double useful_flop = 0.0;
    for (std::size_t l = 0; l + 1 < widths.size(); ++l)
        useful_flop += static_cast<double>(o.batch * widths[l] * widths[l + 1]) * (l == 0 ? 4.0 : 6.0);

    // What the trainer adds per step: the batch gathered from shuffled rows of the training part
    // (8,000 rows here, MNIST's) and, in epochs with running figures, the hidden units' health tally.
    // The part is built by the trainer's own `gather` (huge pages where the kernel allows them) and
    // the batch by its `gather_batch`, so the figure is the trainer's.
    constexpr std::size_t kTrainRows = 8000;
    Dataset all;
    all.x = Matrix(kTrainRows, o.features);
    all.y.assign(kTrainRows, 0);
    for (std::size_t i = 0; i < kTrainRows * o.features; ++i) all.x.row(0)[i] = rng.uniform(0.0f, 1.0f);
    std::vector<std::uint32_t> order(kTrainRows);
    for (std::size_t i = 0; i < kTrainRows; ++i) order[i] = static_cast<std::uint32_t>(i);
    const Dataset part = gather(all, order);
    const Matrix& rows = part.x;
    shuffle(order, rng);
    std::size_t next_row = 0;
    std::vector<float> gathered(o.batch * o.features);
    HiddenHealth health(net, o.activation);
    health.start();

    // Rotate the variants in rounds, so a change in the machine's load hits all of them.
    double t_forward = 0, t_loss = 0, t_fused = 0, t_backward = 0, t_optimizer = 0, t_products = 0, t_ceiling = 0;
    double t_gather = 0, t_health = 0;
    long steps_fused = 0, steps_split = 0, products_runs = 0, ceiling_runs = 0;
    constexpr int kVariants = 4, kWarmRounds = 2 * kVariants;
    const double start = cpu_seconds();
    for (int round = 0; round < 2 * kWarmRounds || cpu_seconds() - start < o.seconds; ++round) {
        const int variant = round % kVariants;
        const bool timed = round >= kWarmRounds;
        for (int s = 0; s < 5; ++s) {
            if (variant == 2) {
                const double t0 = cpu_seconds();
                if (products) products->run();
                if (timed) t_products += cpu_seconds() - t0, ++products_runs;
                continue;
            }
            if (variant == 3) {
                const double t0 = cpu_seconds();
                ceiling.run();
                if (timed) t_ceiling += cpu_seconds() - t0, ++ceiling_runs;
                continue;
            }
            const bool fused = variant == 0;
            const double tg = cpu_seconds();
            if (next_row + o.batch > kTrainRows) next_row = 0;
            gather_batch(rows, order.data() + next_row, o.batch, gathered.data());
            next_row += o.batch;
            const double t0 = cpu_seconds();
            const float* z = net.forward(o.batch, Mode::Train);
            const double t1 = cpu_seconds();
            evaluate_loss(Loss::CrossEntropy, z, y.data(), o.batch, o.classes, net.diff_logits());
            const double t2 = cpu_seconds();
            if (fused) {
                health.add(o.batch);
                const double th = cpu_seconds();
                net.backward(o.batch, fused_update);
                if (timed) {
                    t_health += th - t2;
                    t_fused += cpu_seconds() - th;
                    ++steps_fused;
                }
            } else {
                net.backward(o.batch);
                const double t3 = cpu_seconds();
                whole.step(net.params(), net.grads());
                if (timed) {
                    t_backward += t3 - t2;
                    t_optimizer += cpu_seconds() - t3;
                    ++steps_split;
                }
            }
            if (timed) {
                t_gather += t0 - tg;
                t_forward += t1 - t0;
                t_loss += t2 - t1;
            }
        }
    }
    const double n = static_cast<double>(steps_fused + steps_split), us = 1e6;
    const double forward = t_forward / n * us, loss = t_loss / n * us, gather = t_gather / n * us;
    const double fused = t_fused / static_cast<double>(steps_fused) * us;
    const double health_us = t_health / static_cast<double>(steps_fused) * us;
    const double backward = t_backward / static_cast<double>(steps_split) * us;
    const double optimizer = t_optimizer / static_cast<double>(steps_split) * us;
    const double products_us = products ? t_products / static_cast<double>(products_runs) * us : 0.0;
    const double step = forward + loss + fused;
    // GFLOP/s in CPU time: flop per microsecond / 1000.
    const double ceiling_gflops = ceiling.flop() / (t_ceiling / static_cast<double>(ceiling_runs) * us) * 1e-3;
    const double step_gflops = useful_flop / step * 1e-3;
    const double products_gflops = products ? products->flop() / products_us * 1e-3 : 0.0;
    std::printf(
        "{\"layers\": %d, \"width\": %d, \"features\": %zu, \"classes\": %d, \"batch\": %zu, "
        "\"forward_us\": %.2f, \"loss_us\": %.2f, \"backward_and_fused_optimizer_us\": %.2f, "
        "\"backward_us\": %.2f, \"optimizer_us\": %.2f, \"step_us\": %.2f, \"step_unfused_us\": %.2f, "
        "\"gather_us\": %.2f, \"health_us\": %.2f",
        o.layers, o.width, o.features, o.classes, o.batch, forward, loss, fused, backward, optimizer, step,
        forward + loss + backward + optimizer, gather, health_us);
    // The products and the shares of the ceiling mean something only for a network whose dense
    // layers oneDNN computes with the hidden activation fused (not maxout, not the tiny ones).
    if (products) {
        std::printf(
            ", \"products_us\": %.2f, \"products_gflops\": %.2f, \"useful_mflop\": %.2f, "
            "\"step_gflops\": %.2f, \"ceiling_gflops\": %.2f, \"step_pct_ceiling\": %.1f, "
            "\"products_pct_ceiling\": %.1f",
            products_us, products_gflops, useful_flop * 1e-6, step_gflops, ceiling_gflops,
            100.0 * step_gflops / ceiling_gflops, 100.0 * products_gflops / ceiling_gflops);
    } else {
        std::printf(
            ", \"products_us\": null, \"products_gflops\": null, \"useful_mflop\": null, "
            "\"step_gflops\": null, \"ceiling_gflops\": null, \"step_pct_ceiling\": null, "
            "\"products_pct_ceiling\": null");
    }
    std::printf("}\n");
    if (!std::isfinite(grad_norm_sum)) return 1;  // keeps the norms from being optimised away
    return 0;
}
