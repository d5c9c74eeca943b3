#pragma once
// Plain-loop kernels for dense layers too small for oneDNN: at 16 units a oneDNN call costs more
// in dispatch than the arithmetic it does. Every loop runs along contiguous, zero-padded rows of
// kLanes floats (one AVX-512 register) with its sums held in registers, and has a fixed order:
// results are bit-identical from run to run.
#include <cstddef>

#include <oneapi/dnnl/dnnl.hpp>

namespace dnnsweep::kernels {

constexpr std::size_t kLanes = 16;
constexpr std::size_t padded(std::size_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// y (n x out) = x (n x in) * wt + b, wt in x padded(out) (the transposed weights, padding zero).
void dense_forward(std::size_t n, std::size_t in, std::size_t out, const float* x, const float* wt, const float* b,
                   float* y);
// dwt (in x padded(out)) = x^T dz and db = column sums of dz (both overwritten), dz n x padded(out)
// with zero padding, so the padding of dwt is written zero.
void dense_backward_weights(std::size_t n, std::size_t in, std::size_t out, const float* x, const float* dz, float* dwt,
                            float* db);
// dx (n x in) = dz * w, dz n x ld_dz (ld_dz >= out), w the out x padded(in) weights (padding zero).
void dense_backward_data(std::size_t n, std::size_t in, std::size_t out, const float* dz, std::size_t ld_dz,
                         const float* w, float* dx);
// dst (cols x ld_dst) = src^T, src rows x ld_src; columns ld_dst beyond rows are zeroed.
void transpose(std::size_t rows, std::size_t cols, const float* src, std::size_t ld_src, float* dst,
               std::size_t ld_dst);

// The element-wise activations oneDNN's eltwise algorithms compute (logistic, tanh, relu with
// slope alpha below 0, elu), in place on y; and their backward from the forward output y, in
// place on dy (the *_use_dst_for_bwd algorithms).
void activation_forward(dnnl::algorithm a, float alpha, float* y, std::size_t count);
void activation_backward(dnnl::algorithm a, float alpha, const float* y, float* dy, std::size_t count);

}  // namespace dnnsweep::kernels
