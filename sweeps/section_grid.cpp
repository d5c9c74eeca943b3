#include "sweeps/section_grid.hpp"

#include <algorithm>
#include <limits>

#include "engine/rng.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/hash.hpp"
#include "sweeps/search_space.hpp"
#include "sweeps/sobol.hpp"

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

// A section's own seed: the sole unnamed section uses `sample-seed` itself (as specs without
// sections always have); named sections mix in their name, so they draw independently.
std::uint64_t section_seed(const SweepSpec& spec, const std::string& name) {
    return name.empty() ? spec.sample_seed : fnv1a64(name, spec.sample_seed);
}

const TrainConfig& defaults() {
    static const TrainConfig d;
    return d;
}

// An option's value in a section that does not set it: its default, or for the one option
// without one (learning-rate) what the configuration's other settings resolve it to.
std::string unset_text(const ConfigOption& opt, const TrainConfig& c) {
    if (opt.has_default) return to_text(opt.get(defaults()));
    TrainConfig unset = c;
    unset.learning_rate.reset();
    return to_text(opt.get(unset));
}

}  // namespace

std::string canonical_settings(const TrainConfig& c) {
    std::string out;
    for (const ConfigOption& opt : config_options())
        if (opt.name != kThreads && identifies(opt, c))
            out.append(opt.name).append("=").append(to_text(opt.get(c))).append(";");
    return out;
}

SectionGrid::SectionGrid(const SweepSpec& spec, const Section& section)
    : name_(section.name), axes_(section.axes), ranges_(section.ranges) {
    const std::string where = spec.path + (name_.empty() ? "" : ": [" + name_ + "]");
    for (const Axis& axis : axes_) {
        const ConfigOption* opt = find_config_option(axis.key);
        if (!opt || opt->name == kThreads) throw SpecError(where + ": " + axis.key + ": not a sweep axis");
        const std::uint64_t n = axis.values.size();
        if (n == 0) throw SpecError(where + ": " + axis.key + ": no values");
        if (product_ > std::numeric_limits<std::uint64_t>::max() / n)
            throw SpecError(where + ": the grid has more than 2^64 configurations");
        product_ *= n;
        radix_.push_back(n);
        auto& configs = axis_configs_.emplace_back();
        for (const std::string& value : axis.values) {
            TrainConfig c;
            set_config_option(c, axis.key, value);
            configs.push_back(c);
        }
    }
    const std::uint64_t seed = section_seed(spec, name_);
    if (!ranges_.empty()) {
        if (!spec.sample) throw SpecError(where + ": " + ranges_.front().key + ": a range needs 'sample = N'");
        kind_ = Kind::Draws;
        // One dimension per key, in the option table's order: lists are drawn as choices.
        struct Dim {
            const ConfigOption* opt;
            const Axis* axis;
            const RangeAxis* range;
        };
        std::vector<Dim> dims;
        for (const ConfigOption& opt : config_options()) {
            const auto a = std::ranges::find(axes_, opt.name, &Axis::key);
            const auto r = std::ranges::find(ranges_, opt.name, &RangeAxis::key);
            if (a != axes_.end()) dims.push_back({&opt, &*a, nullptr});
            if (r != ranges_.end()) dims.push_back({&opt, nullptr, &*r});
        }
        Rng rng(seed, Stream::Shuffle);
        ScrambledSobol sobol(dims.size(), seed);
        draws_.reserve(*spec.sample);
        for (std::uint64_t n = 0; n < *spec.sample; ++n) {
            std::vector<double> u;
            if (spec.sampler == Sampler::Sobol) {
                u = sobol.next();
            } else {
                for (std::size_t d = 0; d < dims.size(); ++d) u.push_back(rng.uniform());
            }
            TrainConfig c;
            for (std::size_t d = 0; d < dims.size(); ++d) {
                if (dims[d].axis) {
                    const auto& values = dims[d].axis->values;
                    const auto pick = std::min<std::size_t>(
                        static_cast<std::size_t>(u[d] * static_cast<double>(values.size())), values.size() - 1);
                    set_config_option(c, dims[d].opt->name, values[pick]);
                } else {
                    set_config_option(c, dims[d].opt->name, draw_value(*dims[d].opt, *dims[d].range, u[d]));
                }
            }
            try {
                c.validate();
            } catch (const ConfigError& e) {
                throw SpecError(where + ": draw " + std::to_string(n) + " is not a valid configuration: " + e.what());
            }
            draws_.push_back(c);
        }
    } else if (spec.sample && *spec.sample < product_) {
        kind_ = Kind::Subset;
        subset_ = sample_indices(product_, *spec.sample, seed);
    }
}

std::uint64_t SectionGrid::produced() const {
    switch (kind_) {
    case Kind::Product:
        return product_;
    case Kind::Subset:
        return subset_.size();
    case Kind::Draws:
        return draws_.size();
    }
    return 0;
}

std::uint64_t SectionGrid::local(std::uint64_t k) const {
    if (dropped_.empty()) return k;
    // The kept index k is produced index k + j, where j counts the dropped d with d - (its rank) <= k.
    std::size_t lo = 0, hi = dropped_.size();
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (dropped_[mid] - mid <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return k + lo;
}

TrainConfig SectionGrid::from_product(std::uint64_t p) const {
    // Mixed radix, last axis fastest: peel digits from the last axis.
    std::vector<std::uint64_t> digit(radix_.size());
    for (std::size_t a = radix_.size(); a-- > 0;) {
        digit[a] = p % radix_[a];
        p /= radix_[a];
    }
    TrainConfig c;
    for (std::size_t a = 0; a < radix_.size(); ++a) set_config_option(c, axes_[a].key, axes_[a].values[digit[a]]);
    return c;
}

TrainConfig SectionGrid::local_config(std::uint64_t l) const {
    return kind_ == Kind::Draws ? draws_[l] : from_product(product_index(l));
}

TrainConfig SectionGrid::config(std::uint64_t k) const { return local_config(local(k)); }

void SectionGrid::cost_fields(std::uint64_t k, int& layers, int& width, int& pieces, int& epochs, bool& maxout) const {
    const std::uint64_t l = local(k);
    if (kind_ == Kind::Draws) {
        const TrainConfig& c = draws_[l];
        layers = c.layers, width = c.width, pieces = c.maxout_pieces, epochs = c.epochs;
        maxout = c.activation == Activation::Maxout;
        return;
    }
    // Each axis's prepared config differs from the defaults in that axis's field only, so taking
    // every cost field that differs from the default composes the configuration without parsing.
    const TrainConfig& d = defaults();
    layers = d.layers, width = d.width, pieces = d.maxout_pieces, epochs = d.epochs;
    maxout = d.activation == Activation::Maxout;
    std::uint64_t rest = product_index(l);
    for (std::size_t a = radix_.size(); a-- > 0;) {
        const TrainConfig& v = axis_configs_[a][rest % radix_[a]];
        rest /= radix_[a];
        if (v.layers != d.layers) layers = v.layers;
        if (v.width != d.width) width = v.width;
        if (v.maxout_pieces != d.maxout_pieces) pieces = v.maxout_pieces;
        if (v.epochs != d.epochs) epochs = v.epochs;
        if (v.activation != d.activation) maxout = v.activation == Activation::Maxout;
    }
}

std::optional<std::uint64_t> SectionGrid::position_in_product(const TrainConfig& c) const {
    std::uint64_t index = 0;
    std::size_t a = 0;  // axes_ are in the option table's order
    for (const ConfigOption& opt : config_options()) {
        if (opt.name == kThreads) continue;
        const std::string v = to_text(opt.get(c));
        if (a < axes_.size() && axes_[a].key == opt.name) {
            const auto it = std::ranges::find(axes_[a].values, v);
            if (it == axes_[a].values.end()) return std::nullopt;
            index = index * radix_[a] + static_cast<std::uint64_t>(it - axes_[a].values.begin());
            ++a;
        } else if (v != unset_text(opt, c)) {
            return std::nullopt;
        }
    }
    return index;
}

bool SectionGrid::produces(const TrainConfig& c, const std::string& canonical) const {
    if (kind_ == Kind::Product) return position_in_product(c).has_value();
    return seen_.contains(canonical);
}

void SectionGrid::drop_from_product(const SectionGrid& earlier, std::vector<std::uint64_t>& out) const {
    if (earlier.kind_ != Kind::Product) {
        for (std::uint64_t l = 0; l < earlier.produced(); ++l)
            if (const auto p = position_in_product(earlier.local_config(l))) out.push_back(*p);
        return;
    }
    // Both products: candidates are the values each axis shares with the earlier section (a
    // superset where learning-rate resolves from the optimizer); each is then checked exactly.
    const auto shared_value = [&](const ConfigOption& opt, const std::string& v) {
        const auto a = std::ranges::find(earlier.axes_, opt.name, &Axis::key);
        if (a != earlier.axes_.end()) return std::ranges::find(a->values, v) != a->values.end();
        return !opt.has_default || v == to_text(opt.get(defaults()));
    };
    for (const Axis& theirs : earlier.axes_) {
        const ConfigOption& opt = *find_config_option(theirs.key);
        if (opt.has_default && std::ranges::find(axes_, theirs.key, &Axis::key) == axes_.end() &&
            !shared_value(opt, to_text(opt.get(defaults()))))
            return;
    }
    std::vector<std::vector<std::uint64_t>> candidates;
    for (const Axis& axis : axes_) {
        const ConfigOption& opt = *find_config_option(axis.key);
        auto& keep = candidates.emplace_back();
        for (std::uint64_t j = 0; j < axis.values.size(); ++j)
            if (shared_value(opt, axis.values[j])) keep.push_back(j);
        if (keep.empty()) return;
    }
    std::vector<std::size_t> at(candidates.size(), 0);
    while (true) {
        std::uint64_t p = 0;
        for (std::size_t a = 0; a < candidates.size(); ++a) p = p * radix_[a] + candidates[a][at[a]];
        const TrainConfig c = from_product(p);
        if (earlier.produces(c, canonical_settings(c))) out.push_back(p);
        std::size_t a = candidates.size();
        while (a > 0 && ++at[a - 1] == candidates[a - 1].size()) at[--a] = 0;
        if (a == 0) break;
    }
}

void SectionGrid::drop_duplicates(const std::vector<SectionGrid>& earlier) {
    if (kind_ == Kind::Product) {
        for (const SectionGrid& e : earlier) drop_from_product(e, dropped_);
        std::ranges::sort(dropped_);
        dropped_.erase(std::unique(dropped_.begin(), dropped_.end()), dropped_.end());
        return;
    }
    for (std::uint64_t l = 0; l < produced(); ++l) {
        const TrainConfig c = local_config(l);
        std::string canonical = canonical_settings(c);
        const bool before =
            std::ranges::any_of(earlier, [&](const SectionGrid& e) { return e.produces(c, canonical); });
        if (!seen_.insert(std::move(canonical)).second || before) dropped_.push_back(l);
    }
}

}  // namespace dnnsweep
