#include "sweeps/grid.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "engine/pruning.hpp"
#include "engine/text_format.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/hash.hpp"
#include "sweeps/search_space.hpp"

namespace dnnsweep {
namespace {

// What the cost estimate reads from a configuration.
struct CostParams {
    int layers = 0, width = 0, pieces = 2, epochs = 0;
    bool maxout = false;
};

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

// The share of a configuration's full training that pruning leaves, as the scheduler runs it.
// Successive halving: rung k (r_k epochs, promoted units retraining from epoch 1) is reached by
// 1/eta^k of the configurations. The chance rule stops only hopeless trainings, which no one can
// name before they run: its bound is every unit stopped at `prune-after`.
double pruned_share(const PruneSettings& prune, int epochs) {
    if (epochs <= 0) return 1.0;
    switch (prune.mode) {
    case PruneMode::Halving: {
        const std::vector<int> rungs = halving_rungs(epochs, prune);
        double spent = 0.0, reach = 1.0;
        for (const int r : rungs) {
            spent += reach * r;
            reach /= prune.halving_eta;
        }
        return std::min(1.0, spent / epochs);
    }
    case PruneMode::Chance:
        return std::min(1.0, static_cast<double>(prune.after) / epochs);
    case PruneMode::None:
        break;
    }
    return 1.0;
}

// Floating-point work in GFLOP, one decimal: "12.3 GFLOP".
std::string gflop_text(double flops) { return fixed(flops / 1e9, 1) + " GFLOP"; }

}  // namespace

Grid::Grid(const SweepSpec& spec) : spec_(spec), folds_(spec.split.folds) {
    if (folds_ < 1) throw SpecError(spec_.path + ": folds: must be >= 1");
    if (spec_.sections.empty()) spec_.sections.push_back({.name = "", .line = 0, .axes = spec_.axes, .ranges = {}});
    sections_.reserve(spec_.sections.size());
    std::uint64_t start = 0;
    for (const Section& section : spec_.sections) {
        SectionGrid grid(spec_, section);
        grid.drop_duplicates(sections_);
        starts_.push_back(start);
        if (start > std::numeric_limits<std::uint64_t>::max() - grid.kept())
            throw SpecError(spec_.path + ": the grid has more than 2^64 configurations");
        start += grid.kept();
        sections_.push_back(std::move(grid));
    }
    starts_.push_back(start);
}

std::uint64_t Grid::full_size() const {
    std::uint64_t n = 0;
    for (const SectionGrid& s : sections_) n += s.drawn() ? s.produced() : s.product_size();
    return n;
}

std::uint64_t Grid::size() const { return starts_.back() + repairs_.size(); }

void Grid::add_repairs(const std::vector<TrainConfig>& configs, const std::vector<std::string>& sections) {
    if (configs.size() != sections.size()) throw std::invalid_argument("add_repairs: one section per configuration");
    repairs_.insert(repairs_.end(), configs.begin(), configs.end());
    repair_sections_.insert(repair_sections_.end(), sections.begin(), sections.end());
}

const std::string& Grid::section_name(std::uint64_t i) const {
    return is_repair(i) && i < size() ? repair_sections_[i - spec_size()] : sections_[section_of(i)].name();
}

std::size_t Grid::section_of(std::uint64_t i) const {
    if (i >= spec_size())
        throw std::out_of_range("configuration " + std::to_string(i) + " of " + std::to_string(size()));
    // The last section starting at or before i (sections that kept nothing start where the next does).
    const auto it = std::upper_bound(starts_.begin(), starts_.end() - 1, i);
    return static_cast<std::size_t>(it - starts_.begin()) - 1;
}

TrainConfig Grid::config(std::uint64_t i) const {
    if (i >= size()) throw std::out_of_range("configuration " + std::to_string(i) + " of " + std::to_string(size()));
    TrainConfig c;
    if (is_repair(i)) {
        c = repairs_[i - spec_size()];
    } else {
        const std::size_t s = section_of(i);
        c = sections_[s].config(i - starts_[s]);
    }
    c.threads = spec_.threads;
    c.validate();
    return c;
}

std::string config_id(const TrainConfig& c) { return hex16(fnv1a64(canonical_settings(c))); }

std::string Grid::canonical(std::uint64_t i) const { return canonical_settings(config(i)); }

std::string Grid::config_id(std::uint64_t i) const { return dnnsweep::config_id(config(i)); }

std::string Grid::unit_id(std::uint64_t u) const {
    const UnitRef ref = unit(u);
    return config_id(ref.config) + "/" + std::to_string(ref.fold);
}

double Grid::unit_flops(std::uint64_t u, const DataShape& shape) const {
    const std::uint64_t i = unit(u).config;
    if (i >= size()) throw std::out_of_range("unit " + std::to_string(u) + " of " + std::to_string(unit_count()));
    CostParams p;
    if (is_repair(i)) {
        const TrainConfig& c = repairs_[i - spec_size()];
        p = {.layers = c.layers,
             .width = c.width,
             .pieces = c.maxout_pieces,
             .epochs = c.epochs,
             .maxout = c.activation == Activation::Maxout};
    } else {
        const std::size_t s = section_of(i);
        sections_[s].cost_fields(i - starts_[s], p.layers, p.width, p.pieces, p.epochs, p.maxout);
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
    const bool named = grid.sections().size() > 1 || !grid.sections().front().name().empty();
    if (named)
        for (const SectionGrid& s : grid.sections()) {
            out += "  [" + s.name() + "] " + std::to_string(s.kept()) +
                   (s.kept() == 1 ? " configuration" : " configurations");
            if (s.drawn())
                out += " (" + std::to_string(s.produced()) + " drawn, sampler " + std::string(name(spec.sampler)) + ")";
            else if (s.produced() != s.product_size())
                out += " (a sample of " + std::to_string(s.product_size()) + ")";
            if (s.dropped() > 0) out += ", " + std::to_string(s.dropped()) + " already in an earlier section";
            out += "\n";
        }
    const auto ranges_of = [&]() -> const std::vector<RangeAxis>& { return spec.sections.front().ranges; };
    if (spec.axes.empty() && !named && (spec.sections.empty() || ranges_of().empty()))
        out += "axes: none (one configuration: the defaults)\n";
    if (named && !spec.axes.empty()) out += "  every section, unless it sets the key:\n";
    for (const Axis& axis : spec.axes) {
        out += "  " + axis.key + " (" + std::to_string(axis.values.size()) + "):";
        for (std::size_t v = 0; v < axis.values.size(); ++v) out += (v ? ", " : " ") + axis.values[v];
        out += "\n";
    }
    if (!named && !spec.sections.empty())
        for (const RangeAxis& r : ranges_of()) out += "  " + r.key + ": " + r.text + "\n";
    out += "data: " + spec.data + " (" + std::to_string(shape.samples) + " samples, " + std::to_string(shape.features) +
           " features, " + std::to_string(shape.classes) + " classes)\n";

    double total = 0.0, longest = 0.0, pruned = 0.0;
    std::uint64_t longest_config = 0;
    for (std::uint64_t i = 0; i < grid.size(); ++i) {
        const double f = grid.unit_flops(i * folds, shape);
        total += f * static_cast<double>(folds);
        if (spec.prune.mode != PruneMode::None) {
            const std::size_t s = grid.section_of(i);
            int layers = 0, width = 0, pieces = 0, epochs = 0;
            bool maxout = false;
            grid.sections()[s].cost_fields(i - grid.section_start(s), layers, width, pieces, epochs, maxout);
            pruned += f * static_cast<double>(folds) * pruned_share(spec.prune, epochs);
        }
        if (f > longest) {
            longest = f;
            longest_config = i;
        }
    }
    out += "estimated work: " + gflop_text(total) + " in total; longest unit " + gflop_text(longest);
    if (grid.size() > 0) out += " (configuration " + grid.config_id(longest_config) + ")";
    out += "\n";
    if (spec.prune.mode == PruneMode::Halving)
        out += "with prune = halving: about " + gflop_text(pruned) + " (eta " + std::to_string(spec.prune.halving_eta) +
               ": 1/eta of the configurations reach each next rung; " + gflop_text(total) + " without pruning)\n";
    else if (spec.prune.mode == PruneMode::Chance)
        out += "with prune = chance: between " + gflop_text(pruned) + " (every unit stopped at epoch " +
               std::to_string(spec.prune.after) + ") and " + gflop_text(total) + " (none hopeless)\n";
    if (flops_per_second > 0.0) {
        const int workers = ranks > 1 ? ranks - 1 : 1;  // with several ranks, rank 0 coordinates
        // Units are indivisible: the sweep takes at least as long as its longest unit.
        const double seconds = std::max(total / (workers * flops_per_second), longest / flops_per_second);
        out += "estimated time: " + duration_text(seconds) + " on " + std::to_string(std::max(ranks, 1)) +
               (ranks > 1 ? " ranks (" : " rank (") + std::to_string(workers) +
               (workers == 1 ? " worker" : " workers") + " at " + gflop_text(flops_per_second) + "/s each)\n";
    }
    if (flops_per_second > 0.0 && spec.prune.mode == PruneMode::Halving) {
        const int workers = ranks > 1 ? ranks - 1 : 1;
        out += "estimated time with prune = halving: about " +
               duration_text(std::max(pruned / (workers * flops_per_second), longest / flops_per_second)) + "\n";
    }
    return out;
}

std::string config_list_text(const SweepSpec& spec, const Grid& grid, std::uint64_t limit) {
    // The keys any section sets, in the option table's order: the rest are every line's defaults.
    std::vector<const ConfigOption*> keys;
    for (const ConfigOption& opt : config_options()) {
        const bool set = std::ranges::any_of(spec.sections, [&](const Section& s) {
            return std::ranges::find(s.axes, opt.name, &Axis::key) != s.axes.end() ||
                   std::ranges::find(s.ranges, opt.name, &RangeAxis::key) != s.ranges.end();
        });
        if (set || (spec.sections.empty() && std::ranges::find(spec.axes, opt.name, &Axis::key) != spec.axes.end()))
            keys.push_back(&opt);
    }
    const std::uint64_t n = limit == 0 ? grid.size() : std::min(limit, grid.size());
    std::string out;
    for (std::uint64_t i = 0; i < n; ++i) {
        const TrainConfig c = grid.config(i);
        out += "config=" + std::to_string(i) + " config_id=" + config_id(c);
        if (!grid.section_name(i).empty()) out += " section=" + grid.section_name(i);
        for (const ConfigOption* opt : keys) out += " " + opt->name + "=" + to_text(opt->get(c));
        out += "\n";
    }
    if (n < grid.size()) out += "... " + std::to_string(grid.size() - n) + " more (--list 0 prints every one)\n";
    return out;
}

}  // namespace dnnsweep
