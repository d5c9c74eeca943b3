#pragma once
// The configurations of a spec and their units. A grid of a million configurations is never
// materialised: configuration i is decoded from i on demand (mixed radix over the axes, the last
// axis fastest), and `sample` keeps only a sorted list of the chosen indices. With sections, the
// configurations are the sections' in order, each section without those an earlier one produced
// (sweeps/section_grid.hpp).
//
// Identity: a configuration's id is a hash of its canonical settings (every option of the table,
// resolved, as "name=value;..." in table order, `threads` excluded), so the same settings give the
// same id whatever the spec's layout, key order or list order; a unit's id is the configuration's
// id and the fold.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "sweeps/section_grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

struct UnitRef {
    std::uint64_t config = 0;  // index into the grid (after sampling), [0, size())
    int fold = 0;              // [0, folds)
};

// What the cost estimate needs to know about the data.
struct DataShape {
    std::size_t samples = 0;  // the whole dataset
    std::size_t features = 0;
    int classes = 0;
};

class Grid {
public:
    explicit Grid(const SweepSpec& spec);

    std::uint64_t size() const;       // configurations (after `sample`), repairs included
    std::uint64_t full_size() const;  // before `sample` and deduplication (draws count as drawn)
    int folds() const { return folds_; }
    std::uint64_t unit_count() const { return size() * static_cast<std::uint64_t>(folds_); }

    TrainConfig config(std::uint64_t i) const;  // validated; threads = spec.threads
    std::string canonical(std::uint64_t i) const;
    std::string config_id(std::uint64_t i) const;  // 16 hex digits
    // The sections, in spec order, and the one configuration i comes from (the first to produce it).
    const std::vector<SectionGrid>& sections() const { return sections_; }
    std::size_t section_of(std::uint64_t i) const;
    std::uint64_t section_start(std::size_t s) const { return starts_[s]; }
    // A repair's section is its parent's.
    const std::string& section_name(std::uint64_t i) const;

    // Repairs (outputs/repairs.hpp): configurations added after the spec's own, from index
    // spec_size() on, in the order given; each with the section of the configuration it repairs.
    void add_repairs(const std::vector<TrainConfig>& configs, const std::vector<std::string>& sections);
    void clear_repairs() {
        repairs_.clear();
        repair_sections_.clear();
    }
    std::uint64_t spec_size() const { return starts_.back(); }
    std::uint64_t spec_unit_count() const { return spec_size() * static_cast<std::uint64_t>(folds_); }
    bool is_repair(std::uint64_t i) const { return i >= spec_size(); }
    UnitRef unit(std::uint64_t u) const {
        return {u / static_cast<std::uint64_t>(folds_), static_cast<int>(u % static_cast<std::uint64_t>(folds_))};
    }
    std::string unit_id(std::uint64_t u) const;  // config_id + "/" + fold, e.g. "3fa2...c1/2"

    // Estimated training FLOPs of unit u: 6 * sum over dense layers of (in * out) per training
    // sample per epoch (forward, backward-data, backward-weights), times training samples per
    // fold, times epochs, plus the per-epoch evaluation forward passes.
    double unit_flops(std::uint64_t u, const DataShape& shape) const;
    // All unit indices, longest expected cost first (ties: lower index first).
    std::vector<std::uint64_t> schedule(const DataShape& shape) const;

private:
    SweepSpec spec_;
    int folds_ = 1;
    std::vector<SectionGrid> sections_;
    std::vector<std::uint64_t> starts_;  // the first configuration of each section, then spec_size()
    std::vector<TrainConfig> repairs_;
    std::vector<std::string> repair_sections_;
};

// A configuration's id (16 hex digits) from its canonical settings (sweeps/section_grid.hpp), as
// Grid gives them for its own.
std::string config_id(const TrainConfig& c);

// `dnnsweep sweep SPEC --dry-run`: grid size, units, the axes, estimated total FLOPs and time at
// the given rate (FLOP/s per rank) and rank count.
std::string dry_run_text(const SweepSpec& spec, const Grid& grid, const DataShape& shape, double flops_per_second,
                         int ranks);

// `--dry-run --list [N]`: the first `limit` configurations (all when 0), one line each: the
// configuration index, its id, its section, then `key=value` for every option the spec sets.
std::string config_list_text(const SweepSpec& spec, const Grid& grid, std::uint64_t limit);

}  // namespace dnnsweep
