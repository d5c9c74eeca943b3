#include "engine/hidden_health.hpp"

#include <algorithm>

namespace dnnsweep {
namespace {

// The tallies run after every training step in epochs with running figures (a 3 x 689 sigmoid
// network: 207k outputs a step), so they are written for the vector units: byte flags and 32-bit
// counts in blocks, in an AVX-512 clone picked at load time (the engine is built for generic
// x86-64). The results are the same integers as an element-by-element count.
__attribute__((target_clones("arch=x86-64-v4", "default"))) void mark_alive(const float* out, std::size_t rows,
                                                                            std::size_t width,
                                                                            std::uint8_t* __restrict alive) {
    for (std::size_t r = 0; r < rows; ++r) {
        const float* __restrict row = out + r * width;
        for (std::size_t u = 0; u < width; ++u) alive[u] |= static_cast<std::uint8_t>(row[u] > 0.0f);
    }
}

__attribute__((target_clones("arch=x86-64-v4", "default"))) std::size_t count_outside(const float* __restrict x,
                                                                                      std::size_t count, float lo,
                                                                                      float hi) {
    constexpr std::size_t kBlock = std::size_t{1} << 20;  // 32-bit counts cannot overflow within a block
    std::size_t total = 0;
    for (std::size_t start = 0; start < count; start += kBlock) {
        const std::size_t end = std::min(count, start + kBlock);
        std::uint32_t n = 0;
        for (std::size_t i = start; i < end; ++i) n += static_cast<std::uint32_t>((x[i] < lo) | (x[i] > hi));
        total += n;
    }
    return total;
}

}  // namespace

HiddenHealth::HiddenHealth(const Network& net, Activation activation)
    : net_(net),
      track_dead_(family(activation) == ActivationFamily::ReluLike),
      track_saturation_(family(activation) == ActivationFamily::Sigmoid ||
                        family(activation) == ActivationFamily::Tanh),
      sigmoid_(family(activation) == ActivationFamily::Sigmoid) {}

void HiddenHealth::start() {
    if (track_dead_) alive_.assign(net_.hidden_outputs().size() * net_.hidden_width(), 0);
    saturated_ = 0;
    rows_ = 0;
}

void HiddenHealth::add(std::size_t rows) {
    const std::size_t w = net_.hidden_width();
    const auto outputs = net_.hidden_outputs();
    rows_ += rows;
    if (track_dead_) {
        for (std::size_t l = 0; l < outputs.size(); ++l) mark_alive(outputs[l], rows, w, alive_.data() + l * w);
    }
    if (track_saturation_) {
        // The flat tails where the activation's derivative is below about 1% of its peak.
        const float lo = sigmoid_ ? 0.01f : -0.99f, hi = 0.99f;
        for (const float* out : outputs) saturated_ += count_outside(out, rows * w, lo, hi);
    }
}

double HiddenHealth::dead_relu() const {
    if (!track_dead_ || alive_.empty()) return 0.0;
    return static_cast<double>(std::count(alive_.begin(), alive_.end(), std::uint8_t{0})) /
           static_cast<double>(alive_.size());
}

double HiddenHealth::saturated() const {
    const std::size_t hidden = net_.hidden_outputs().size() * net_.hidden_width();
    if (!track_saturation_ || hidden == 0 || rows_ == 0) return 0.0;
    return static_cast<double>(saturated_) / (static_cast<double>(hidden) * static_cast<double>(rows_));
}

}  // namespace dnnsweep
