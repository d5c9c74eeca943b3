#pragma once
// The matrix products of one training step of a dense network, alone: the same oneDNN primitives
// engine/layers.cpp runs for each dense layer (matmul forward on the `oi` weights with bias and
// activation fused, inner_product backward-weights with the bias gradient, backward-data except
// for the first layer), each layer with its own weights and gradients, and no activation backward,
// loss, optimizer or copies. What a step would cost if everything between the products were free.
// Also the ceiling kind of bench_matmul_ceiling (matmul, weights in the layout oneDNN picks), at
// the hidden layer's shape, so a step's share of the ceiling comes from one process and one moment.
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

namespace dnnsweep::bench {

class StepProducts {
public:
    // widths: features, the hidden widths, classes. act: the hidden layers' fused activation.
    StepProducts(const std::vector<std::size_t>& widths, std::size_t batch, dnnl::algorithm act);
    ~StepProducts();
    void run();  // one step's products, in the step's order
    // 2 * batch * sum of K * N over the calls of one run().
    double flop() const { return flop_; }

private:
    struct Call;
    dnnl::engine eng_{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm_{eng_};
    std::vector<std::unique_ptr<Call>> forward_, backward_;
    double flop_ = 0.0;
};

// One forward matmul at batch x k x n, weights in oneDNN's chosen layout (bench_matmul_ceiling's
// `matmul/any`), no bias or activation: the ceiling's kind.
class CeilingProduct {
public:
    CeilingProduct(std::size_t batch, std::size_t k, std::size_t n);
    ~CeilingProduct();
    void run();
    double flop() const { return flop_; }

private:
    struct Call;
    dnnl::engine eng_{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm_{eng_};
    std::unique_ptr<Call> call_;
    double flop_ = 0.0;
};

}  // namespace dnnsweep::bench
