#pragma once
// One section of a spec as configurations: the cartesian product of its lists, a seeded subset of
// it (`sample` without ranges), or `sample` draws of its ranges (lists drawn as choices). The
// union of sections (sweeps/grid.hpp) drops each configuration an earlier section (or an earlier
// draw) already produced; a section keeps only the sorted list of its dropped positions, so a
// product of a million configurations costs no memory per configuration.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/config.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

// A configuration's identity text: every option but `threads`, resolved, "name=value;" in table
// order.
std::string canonical_settings(const TrainConfig& c);

class SectionGrid {
public:
    // `index` decorrelates the draws of sections that share a seed; the sole section of a spec
    // without sections draws exactly as specs always have.
    SectionGrid(const SweepSpec& spec, const Section& section);

    const std::string& name() const { return name_; }
    bool drawn() const { return !draws_.empty() || !ranges_.empty(); }
    std::uint64_t product_size() const { return product_; }  // the lists' product (draws: the sample)
    std::uint64_t produced() const;                          // before dropping duplicates
    std::uint64_t kept() const { return produced() - dropped_.size(); }
    std::uint64_t dropped() const { return dropped_.size(); }

    // The k-th kept configuration, k < kept(); not validated, threads unset.
    TrainConfig config(std::uint64_t k) const;
    // What the cost estimate reads, without parsing: layers, width, maxout pieces, epochs, maxout.
    void cost_fields(std::uint64_t k, int& layers, int& width, int& pieces, int& epochs, bool& maxout) const;

    // Drops what `earlier` sections produced, and repeated draws. Call once, in section order.
    void drop_duplicates(const std::vector<SectionGrid>& earlier);

    // Whether this section produces configuration `c` (canonical: canonical_settings(c)), dropped
    // or not.
    bool produces(const TrainConfig& c, const std::string& canonical) const;

private:
    enum class Kind { Product, Subset, Draws };
    std::uint64_t local(std::uint64_t k) const;  // kept index -> produced index
    std::uint64_t product_index(std::uint64_t l) const { return kind_ == Kind::Subset ? subset_[l] : l; }
    TrainConfig local_config(std::uint64_t l) const;
    TrainConfig from_product(std::uint64_t p) const;
    std::optional<std::uint64_t> position_in_product(const TrainConfig& c) const;
    void drop_from_product(const SectionGrid& earlier, std::vector<std::uint64_t>& out) const;

    std::string name_;
    Kind kind_ = Kind::Product;
    std::vector<Axis> axes_;
    std::vector<RangeAxis> ranges_;
    std::vector<std::uint64_t> radix_;
    std::uint64_t product_ = 1;
    // Per axis and value: the default config with that value applied (costs without parsing).
    std::vector<std::vector<TrainConfig>> axis_configs_;
    std::vector<std::uint64_t> subset_;     // Subset: sorted product indices
    std::vector<TrainConfig> draws_;        // Draws: every draw, in order
    std::unordered_set<std::string> seen_;  // Subset, Draws: canonical text of every produced one
    std::vector<std::uint64_t> dropped_;    // sorted produced indices
};

}  // namespace dnnsweep
