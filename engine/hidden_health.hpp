#pragma once
// The hidden units' health figures over a pass of forward calls: the share of relu-like units that
// never fired and the share of sigmoid/tanh outputs in their flat tails. The trainer's inference
// pass over the training part and the epoch's own training batches both tally them.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/activation.hpp"
#include "engine/network.hpp"

namespace dnnsweep {

class HiddenHealth {
public:
    // `net` must outlive the tally.
    HiddenHealth(const Network& net, Activation activation);

    // Forget the last pass's figures.
    void start();
    // Counts the first `rows` rows of the hidden outputs of `net`'s last forward call.
    void add(std::size_t rows);
    // Fraction of hidden relu-like units whose output was <= 0 on every row added (0 for others).
    double dead_relu() const;
    // Fraction of hidden sigmoid/tanh outputs in the flat tails (0 for other activations).
    double saturated() const;
    // False for activations with no health figure: add() would count nothing.
    bool tracks() const { return track_dead_ || track_saturation_; }

private:
    const Network& net_;
    bool track_dead_, track_saturation_;
    bool sigmoid_;
    std::vector<std::uint8_t> alive_;
    std::size_t saturated_ = 0, rows_ = 0;
};

}  // namespace dnnsweep
