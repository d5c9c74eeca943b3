#include "engine/dense_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

// An AVX-512 clone next to the baseline one, picked at load time by the CPU: the engine is built
// for generic x86-64, where gcc would vectorize these loops with 4-wide SSE only.
#define DNNSWEEP_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))
// Helpers must be inlined into each clone to be compiled for its instruction set.
#define DNNSWEEP_INLINE inline __attribute__((always_inline))

namespace dnnsweep::kernels {
namespace {

// One register of kLanes floats (GCC vector extension: the compiler keeps these in registers,
// where it would spill arrays of sums to the stack). Passed by reference only: by value its ABI
// would differ between the clones.
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

DNNSWEEP_INLINE void load(Vec& v, const float* p) { std::memcpy(&v, p, sizeof v); }
// dst[0, w) = v[0, w).
DNNSWEEP_INLINE void store(const Vec& v, std::size_t w, float* dst) {
    if (w == kLanes) {
        std::memcpy(dst, &v, sizeof v);
    } else {
        float tmp[kLanes];
        std::memcpy(tmp, &v, sizeof v);
        std::copy_n(tmp, w, dst);
    }
}
// v = p[0, w), zero beyond w.
DNNSWEEP_INLINE void load_partial(Vec& v, const float* p, std::size_t w) {
    float tmp[kLanes] = {};
    std::copy_n(p, w, tmp);
    load(v, tmp);
}

// Each kernel works on kGroup rows (or weight rows) at once: kGroup independent sums in flight
// hide the add latency a single running sum would wait on, and share each vector load. Every sum
// still runs over its index in order, so the grouping does not change a result.
constexpr std::size_t kGroup = 4;

template <std::size_t G>
DNNSWEEP_INLINE void forward_group(std::size_t r0, std::size_t in, std::size_t out, const float* __restrict x,
                                   const float* __restrict wt, const float* __restrict b, float* __restrict y) {
    const std::size_t ld = padded(out);
    for (std::size_t o0 = 0; o0 < out; o0 += kLanes) {
        const std::size_t w = std::min(kLanes, out - o0);
        Vec acc[G] = {};
        for (std::size_t i = 0; i < in; ++i) {
            Vec wv;
            load(wv, wt + i * ld + o0);
            for (std::size_t j = 0; j < G; ++j) acc[j] += x[(r0 + j) * in + i] * wv;
        }
        Vec bias;
        load_partial(bias, b + o0, w);
        for (std::size_t j = 0; j < G; ++j) {
            const Vec z = acc[j] + bias;
            store(z, w, y + (r0 + j) * out + o0);
        }
    }
}

template <std::size_t G>
DNNSWEEP_INLINE void weights_group(std::size_t i0, std::size_t o0, std::size_t n, std::size_t in, std::size_t ld,
                                   const float* __restrict x, const float* __restrict dz, float* __restrict dwt) {
    Vec g[G] = {};
    for (std::size_t r = 0; r < n; ++r) {
        Vec dzv;
        load(dzv, dz + r * ld + o0);
        for (std::size_t j = 0; j < G; ++j) g[j] += x[r * in + i0 + j] * dzv;
    }
    for (std::size_t j = 0; j < G; ++j) store(g[j], kLanes, dwt + (i0 + j) * ld + o0);
}

template <std::size_t G>
DNNSWEEP_INLINE void data_group(std::size_t r0, std::size_t in, std::size_t out, const float* __restrict dz,
                                std::size_t ld_dz, const float* __restrict w, float* __restrict dx) {
    const std::size_t ld = padded(in);
    for (std::size_t i0 = 0; i0 < in; i0 += kLanes) {
        Vec acc[G] = {};
        for (std::size_t o = 0; o < out; ++o) {
            Vec wv;
            load(wv, w + o * ld + i0);
            for (std::size_t j = 0; j < G; ++j) acc[j] += dz[(r0 + j) * ld_dz + o] * wv;
        }
        for (std::size_t j = 0; j < G; ++j) store(acc[j], std::min(kLanes, in - i0), dx + (r0 + j) * in + i0);
    }
}

}  // namespace

DNNSWEEP_CLONES
void dense_forward(std::size_t n, std::size_t in, std::size_t out, const float* __restrict x,
                   const float* __restrict wt, const float* __restrict b, float* __restrict y) {
    std::size_t r = 0;
    for (; r + kGroup <= n; r += kGroup) forward_group<kGroup>(r, in, out, x, wt, b, y);
    for (; r < n; ++r) forward_group<1>(r, in, out, x, wt, b, y);
}

DNNSWEEP_CLONES
void dense_backward_weights(std::size_t n, std::size_t in, std::size_t out, const float* __restrict x,
                            const float* __restrict dz, float* __restrict dwt, float* __restrict db) {
    const std::size_t ld = padded(out);
    for (std::size_t o0 = 0; o0 < out; o0 += kLanes) {
        Vec acc = {};
        for (std::size_t r = 0; r < n; ++r) {
            Vec v;
            load(v, dz + r * ld + o0);
            acc += v;
        }
        store(acc, std::min(kLanes, out - o0), db + o0);
        std::size_t i = 0;
        for (; i + kGroup <= in; i += kGroup) weights_group<kGroup>(i, o0, n, in, ld, x, dz, dwt);
        for (; i < in; ++i) weights_group<1>(i, o0, n, in, ld, x, dz, dwt);
    }
}

DNNSWEEP_CLONES
void dense_backward_data(std::size_t n, std::size_t in, std::size_t out, const float* __restrict dz, std::size_t ld_dz,
                         const float* __restrict w, float* __restrict dx) {
    std::size_t r = 0;
    for (; r + kGroup <= n; r += kGroup) data_group<kGroup>(r, in, out, dz, ld_dz, w, dx);
    for (; r < n; ++r) data_group<1>(r, in, out, dz, ld_dz, w, dx);
}

void transpose(std::size_t rows, std::size_t cols, const float* __restrict src, std::size_t ld_src,
               float* __restrict dst, std::size_t ld_dst) {
    for (std::size_t c = 0; c < cols; ++c) {
        float* __restrict d = dst + c * ld_dst;
        for (std::size_t r = 0; r < rows; ++r) d[r] = src[r * ld_src + c];
        std::fill(d + rows, d + ld_dst, 0.0f);
    }
}

// oneDNN's algorithm kind has dozens of values; these kernels handle the activations' few and
// reject the rest through `default`.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wswitch-enum"
DNNSWEEP_CLONES
void activation_forward(dnnl::algorithm a, float alpha, float* y, std::size_t count) {
    switch (a) {
    case dnnl::algorithm::eltwise_relu:
        if (alpha == 0.0f) {
            for (std::size_t i = 0; i < count; ++i) y[i] = std::max(y[i], 0.0f);
        } else {
            for (std::size_t i = 0; i < count; ++i) y[i] = y[i] > 0.0f ? y[i] : alpha * y[i];
        }
        return;
    case dnnl::algorithm::eltwise_logistic:
        for (std::size_t i = 0; i < count; ++i) y[i] = 1.0f / (1.0f + std::exp(-y[i]));
        return;
    case dnnl::algorithm::eltwise_tanh:
        for (std::size_t i = 0; i < count; ++i) y[i] = std::tanh(y[i]);
        return;
    case dnnl::algorithm::eltwise_elu:
        for (std::size_t i = 0; i < count; ++i) y[i] = y[i] > 0.0f ? y[i] : alpha * std::expm1(y[i]);
        return;
    default:
        break;
    }
    throw std::invalid_argument("activation_forward: unsupported eltwise algorithm");
}

DNNSWEEP_CLONES
void activation_backward(dnnl::algorithm a, float alpha, const float* __restrict y, float* __restrict dy,
                         std::size_t count) {
    switch (a) {
    case dnnl::algorithm::eltwise_relu_use_dst_for_bwd:
        for (std::size_t i = 0; i < count; ++i) dy[i] = y[i] > 0.0f ? dy[i] : alpha * dy[i];
        return;
    case dnnl::algorithm::eltwise_logistic_use_dst_for_bwd:
        for (std::size_t i = 0; i < count; ++i) dy[i] *= y[i] * (1.0f - y[i]);
        return;
    case dnnl::algorithm::eltwise_tanh_use_dst_for_bwd:
        for (std::size_t i = 0; i < count; ++i) dy[i] *= 1.0f - y[i] * y[i];
        return;
    case dnnl::algorithm::eltwise_elu_use_dst_for_bwd:
        // elu'(z) = alpha e^z = y + alpha below 0.
        for (std::size_t i = 0; i < count; ++i) dy[i] = y[i] > 0.0f ? dy[i] : dy[i] * (y[i] + alpha);
        return;
    default:
        break;
    }
    throw std::invalid_argument("activation_backward: unsupported eltwise algorithm");
}
#pragma GCC diagnostic pop

}  // namespace dnnsweep::kernels
