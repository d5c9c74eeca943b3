#include "engine/batch_gather.hpp"

#include <cstring>

namespace dnnsweep {
namespace {

// How many rows ahead the lines are requested: a 784-feature row is 49 cache lines, so two rows
// ahead keeps about a hundred lines in flight, which one core's fill buffers already cover; more
// gained nothing in the probe.
constexpr std::size_t kAhead = 2;
constexpr std::size_t kLine = 64;

void request(const float* row, std::size_t bytes) {
    const auto* p = reinterpret_cast<const char*>(row);
    for (std::size_t b = 0; b < bytes; b += kLine) __builtin_prefetch(p + b);
}

}  // namespace

void gather_batch(const Matrix& x, const std::uint32_t* order, std::size_t m, float* out) {
    const std::size_t cols = x.cols;
    const std::size_t bytes = cols * sizeof(float);
    for (std::size_t r = 0; r < m && r < kAhead; ++r) request(x.row(order[r]), bytes);
    for (std::size_t r = 0; r < m; ++r) {
        if (r + kAhead < m) request(x.row(order[r + kAhead]), bytes);
        std::memcpy(out + r * cols, x.row(order[r]), bytes);
    }
}

}  // namespace dnnsweep
