#include "sweeps/grid.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unordered_set>

#include "engine/rng.hpp"
#include "engine/text_format.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/hash.hpp"

namespace dnnsweep {
namespace {

// `threads` is per rank: it never changes what a configuration computes, so it is not identity.
constexpr std::string_view kThreads = "threads";

// Uniform in [0, n) for any 64-bit n (Rng::below stops at 2^32): rejection of the biased low range.
std::uint64_t below64(Rng& rng, std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (true) {
        const std::uint64_t r = rng.next();
        if (r >= threshold) return r % n;
    }
}

// Floyd's algorithm: k distinct indices of [0, n), k < n, in O(k) draws; sorted. Only membership
// decides each step, so a bitmap (small grids) and a hash set (huge ones) choose the same set.
std::vector<std::uint64_t> sample_indices(std::uint64_t n, std::uint64_t k, std::uint64_t seed) {
    Rng rng(seed, Stream::Shuffle);
    std::vector<std::uint64_t> out;
    out.reserve(k);
    if (n <= (std::uint64_t{1} << 27)) {  // at most 16 MB of bits
        std::vector<bool> chosen(n);
        for (std::uint64_t j = n - k; j < n; ++j) {
            const std::uint64_t t = below64(rng, j + 1);
            chosen[chosen[t] ? j : t] = true;
        }
        for (std::uint64_t i = 0; i < n; ++i)
            if (chosen[i]) out.push_back(i);
    } else {
        std::unordered_set<std::uint64_t> chosen;
        chosen.reserve(k);
        for (std::uint64_t j = n - k; j < n; ++j)
            if (!chosen.insert(below64(rng, j + 1)).second) chosen.insert(j);
        out.assign(chosen.begin(), chosen.end());
        std::ranges::sort(out);
    }
    return out;
}

// What the cost estimate reads from a configuration.
struct CostParams {
    int layers = 0, width = 0, pieces = 2, epochs = 0;
    bool maxout = false;
};

CostParams cost_params(const TrainConfig& c) {
    return {c.layers, c.width, c.maxout_pieces, c.epochs, c.activation == Activation::Maxout};
}

// Multiply-accumulates of one forward pass of one sample: sum of in * out over the dense layers.
double dense_macs(const CostParams& p, const DataShape& shape) {
    const double outs = static_cast<double>(p.width) * (p.maxout ? p.pieces : 1);  // maxout: pieces outputs per unit
    double in = static_cast<double>(shape.features);
    double macs = 0.0;
    for (int l = 0; l < p.layers; ++l) {
        macs += in * outs;
        in = p.width;
    }
    return macs + in * shape.classes;
}

// Floating-point work in GFLOP, one decimal: "12.3 GFLOP".
std::string gflop_text(double flops) { return fixed(flops / 1e9, 1) + " GFLOP"; }

}  // namespace

Grid::Grid(const SweepSpec& spec) : spec_(spec), folds_(spec.split.folds) {
    if (folds_ < 1) throw SpecError(spec_.path + ": folds: must be >= 1");
    std::uint64_t full = 1;
    for (const Axis& axis : spec_.axes) {
        const ConfigOption* opt = find_config_option(axis.key);
        if (!opt || opt->name == kThreads) throw SpecError(spec_.path + ": " + axis.key + ": not a sweep axis");
        const std::uint64_t n = axis.values.size();
        if (n == 0) throw SpecError(spec_.path + ": " + axis.key + ": no values");
        if (full > std::numeric_limits<std::uint64_t>::max() / n)
            throw SpecError(spec_.path + ": the grid has more than 2^64 configurations");
        full *= n;
        radix_.push_back(n);
        auto& configs = axis_configs_.emplace_back();
        for (const std::string& value : axis.values) {
            TrainConfig c;
            set_config_option(c, axis.key, value);
            configs.push_back(c);
        }
    }
    if (spec_.sample && *spec_.sample < full) sampled_ = sample_indices(full, *spec_.sample, spec_.sample_seed);
}

std::uint64_t Grid::full_size() const {
    return std::accumulate(radix_.begin(), radix_.end(), std::uint64_t{1}, std::multiplies<>());
}

std::uint64_t Grid::size() const { return sampled_.empty() ? full_size() : sampled_.size(); }

TrainConfig Grid::config(std::uint64_t i) const {
    if (i >= size()) throw std::out_of_range("configuration " + std::to_string(i) + " of " + std::to_string(size()));
    std::uint64_t rest = sampled_.empty() ? i : sampled_[i];
    // Mixed radix, last axis fastest: peel digits from the last axis.
    std::vector<std::uint64_t> digit(radix_.size());
    for (std::size_t a = radix_.size(); a-- > 0;) {
        digit[a] = rest % radix_[a];
        rest /= radix_[a];
    }
    TrainConfig c;
    for (std::size_t a = 0; a < radix_.size(); ++a)
        set_config_option(c, spec_.axes[a].key, spec_.axes[a].values[digit[a]]);
    c.threads = spec_.threads;
    c.validate();
    return c;
}

std::string Grid::canonical(std::uint64_t i) const {
    const TrainConfig c = config(i);
    std::string out;
    for (const ConfigOption& opt : config_options())
        if (opt.name != kThreads) out.append(opt.name).append("=").append(to_text(opt.get(c))).append(";");
    return out;
}

std::string Grid::config_id(std::uint64_t i) const { return hex16(fnv1a64(canonical(i))); }

std::string Grid::unit_id(std::uint64_t u) const {
    const UnitRef ref = unit(u);
    return config_id(ref.config) + "/" + std::to_string(ref.fold);
}

double Grid::unit_flops(std::uint64_t u, const DataShape& shape) const {
    const std::uint64_t i = unit(u).config;
    if (i >= size()) throw std::out_of_range("unit " + std::to_string(u) + " of " + std::to_string(unit_count()));
    // Each axis's prepared config differs from the defaults in that axis's field only, so taking
    // every cost field that differs from the default composes the configuration without parsing.
    const CostParams defaults = cost_params(TrainConfig{});
    CostParams p = defaults;
    std::uint64_t rest = sampled_.empty() ? i : sampled_[i];
    for (std::size_t a = radix_.size(); a-- > 0;) {
        const CostParams v = cost_params(axis_configs_[a][rest % radix_[a]]);
        rest /= radix_[a];
        if (v.layers != defaults.layers) p.layers = v.layers;
        if (v.width != defaults.width) p.width = v.width;
        if (v.pieces != defaults.pieces) p.pieces = v.pieces;
        if (v.epochs != defaults.epochs) p.epochs = v.epochs;
        if (v.maxout != defaults.maxout) p.maxout = v.maxout;
    }
    const double macs = dense_macs(p, shape);
    const double non_test = static_cast<double>(shape.samples) * (1.0 - spec_.split.test_fraction);
    const double train =
        folds_ > 1 ? non_test * (folds_ - 1) / folds_ : non_test * (1.0 - spec_.split.validation_fraction);
    // Forward, backward-data and backward-weights on the training rows; a forward pass over the
    // training and validation rows for each epoch's evaluation.
    return p.epochs * (6.0 * macs * train + 2.0 * macs * non_test);
}

std::vector<std::uint64_t> Grid::schedule(const DataShape& shape) const {
    // A configuration's folds cost the same, so sort configurations and expand: a stable sort of
    // the units without a cost per unit.
    const std::uint64_t n = size();
    std::vector<double> cost(n);
    for (std::uint64_t i = 0; i < n; ++i) cost[i] = unit_flops(i * static_cast<std::uint64_t>(folds_), shape);
    std::vector<std::uint64_t> order(n);
    std::iota(order.begin(), order.end(), std::uint64_t{0});
    std::ranges::stable_sort(order, [&](std::uint64_t a, std::uint64_t b) { return cost[a] > cost[b]; });
    std::vector<std::uint64_t> units;
    units.reserve(unit_count());
    for (const std::uint64_t i : order)
        for (int f = 0; f < folds_; ++f)
            units.push_back(i * static_cast<std::uint64_t>(folds_) + static_cast<std::uint64_t>(f));
    return units;
}

std::string dry_run_text(const SweepSpec& spec, const Grid& grid, const DataShape& shape, double flops_per_second,
                         int ranks) {
    const auto folds = static_cast<std::uint64_t>(grid.folds());
    std::string out = "spec: " + spec.path + " (hash " + spec.hash + ")\n";
    out += "grid: " + std::to_string(grid.size()) + (grid.size() == 1 ? " configuration" : " configurations");
    if (grid.size() != grid.full_size())
        out += " (a sample of " + std::to_string(grid.full_size()) + ", sample-seed " +
               std::to_string(spec.sample_seed) + ")";
    out += " x " + std::to_string(grid.folds()) + (grid.folds() == 1 ? " fold" : " folds") + " = " +
           std::to_string(grid.unit_count()) + " units\n";
    if (spec.axes.empty()) out += "axes: none (one configuration: the defaults)\n";
    for (const Axis& axis : spec.axes) {
        out += "  " + axis.key + " (" + std::to_string(axis.values.size()) + "):";
        for (std::size_t v = 0; v < axis.values.size(); ++v) out += (v ? ", " : " ") + axis.values[v];
        out += "\n";
    }
    out += "data: " + spec.data + " (" + std::to_string(shape.samples) + " samples, " + std::to_string(shape.features) +
           " features, " + std::to_string(shape.classes) + " classes)\n";

    double total = 0.0, longest = 0.0;
    std::uint64_t longest_config = 0;
    for (std::uint64_t i = 0; i < grid.size(); ++i) {
        const double f = grid.unit_flops(i * folds, shape);
        total += f * static_cast<double>(folds);
        if (f > longest) {
            longest = f;
            longest_config = i;
        }
    }
    out += "estimated work: " + gflop_text(total) + " in total; longest unit " + gflop_text(longest);
    if (grid.size() > 0) out += " (configuration " + grid.config_id(longest_config) + ")";
    out += "\n";
    if (flops_per_second > 0.0) {
        const int workers = ranks > 1 ? ranks - 1 : 1;  // with several ranks, rank 0 coordinates
        // Units are indivisible: the sweep takes at least as long as its longest unit.
        const double seconds = std::max(total / (workers * flops_per_second), longest / flops_per_second);
        out += "estimated time: " + duration_text(seconds) + " on " + std::to_string(std::max(ranks, 1)) +
               (ranks > 1 ? " ranks (" : " rank (") + std::to_string(workers) +
               (workers == 1 ? " worker" : " workers") + " at " + gflop_text(flops_per_second) + "/s each)\n";
    }
    return out;
}

}  // namespace dnnsweep
