#include "outputs/repairs.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "engine/text_format.hpp"
#include "outputs/configs.hpp"
#include "outputs/unit_status.hpp"

namespace dnnsweep {

std::optional<Fix> repair_fix(const ConfigSummary& c) {
    std::optional<Fix> fix;
    switch (c.verdict) {
    case Verdict::NotTraining:
        if (!c.causes.empty()) fix = fix_for(c.causes.front(), c.settings);
        break;
    case Verdict::Underfitting:
        fix = c.causes.empty() ? fix_for_underfitting(c.settings) : fix_for(c.causes.front(), c.settings);
        break;
    case Verdict::Overfitting:
        // The root cause's fix when the gap has one (input_shift, unscaled_inputs), as the reason leads with.
        fix = c.causes.empty() ? fix_for_overfitting(c.settings) : fix_for(c.causes.front(), c.settings);
        break;
    case Verdict::Good:
    case Verdict::Failed:
        break;
    }
    if (!fix || !fix->applies()) return std::nullopt;
    return fix;
}

namespace {

// repair_fix, when the configuration it gives is valid: a change past an option's range (a width
// doubled too far) is no repair.
std::optional<Fix> valid_repair_fix(const ConfigSummary& c) {
    std::optional<Fix> fix = repair_fix(c);
    if (!fix) return fix;
    try {
        fix->repaired.validate();
    } catch (const ConfigError&) {
        return std::nullopt;
    }
    return fix;
}

}  // namespace

std::vector<Repair> derive_repairs(const std::vector<ConfigSummary>& configs, const Grid& grid) {
    std::vector<Repair> out;
    for (const ConfigSummary& c : configs) {
        if (grid.is_repair(c.config)) continue;  // the first round repairs the grid's own
        std::optional<Fix> fix = valid_repair_fix(c);
        if (!fix) continue;
        const std::string id = config_id(fix->repaired);
        out.push_back({.parent = c.config, .parent_id = c.config_id, .fix = std::move(*fix), .repaired_id = id});
    }
    return out;
}

RepairConfigs new_repair_configs(const std::vector<Repair>& repairs, const Grid& grid) {
    RepairConfigs out;
    if (repairs.empty()) return out;
    std::set<std::string> held;
    for (std::uint64_t i = 0; i < grid.size(); ++i) held.insert(grid.config_id(i));
    for (const Repair& r : repairs)
        if (held.insert(r.repaired_id).second) {
            out.configs.push_back(r.fix.repaired);
            out.sections.push_back(grid.section_name(r.parent));
        }
    return out;
}

std::vector<Repair> derive_second_repairs(const std::vector<ConfigSummary>& repaired,
                                          const std::vector<ConfigSummary>& parents,
                                          const std::vector<Repair>& first_round, const Grid& grid) {
    std::map<std::string, const ConfigSummary*> parent_by_id;
    for (const ConfigSummary& p : parents) parent_by_id.emplace(p.config_id, &p);
    std::vector<Repair> out;
    for (const ConfigSummary& c : repaired) {
        if (!grid.is_repair(c.config)) continue;  // a configuration of the grid had its own first round
        const auto first = std::ranges::find(first_round, c.config_id, &Repair::repaired_id);
        if (first == first_round.end()) continue;
        const auto parent = parent_by_id.find(first->parent_id);
        if (parent == parent_by_id.end() || better_verdict(c.verdict, parent->second->verdict)) continue;
        std::optional<Fix> fix = valid_repair_fix(c);
        if (!fix) continue;
        std::string id = config_id(fix->repaired);
        if (id == first->parent_id) continue;  // back where it started (a rate lowered, then raised)
        out.push_back({.parent = c.config,
                       .parent_id = c.config_id,
                       .fix = std::move(*fix),
                       .repaired_id = std::move(id),
                       .round = 2});
    }
    return out;
}

namespace {

// Whether every unit in [first, end) has a record (any status but stopped) among `units`.
bool units_recorded(const std::vector<UnitResult>& units, std::uint64_t first, std::uint64_t end) {
    std::vector<bool> seen(end - first, false);
    std::uint64_t count = 0;
    for (const UnitResult& u : units)
        if (u.unit >= first && u.unit < end && u.status != UnitStatus::Stopped && !seen[u.unit - first]) {
            seen[u.unit - first] = true;
            ++count;
        }
    return count == end - first;
}

// One record per unit by the merge's rule (outputs/unit_status.hpp).
std::vector<UnitResult> one_record_each(std::vector<UnitResult> records) {
    std::map<std::uint64_t, UnitResult> kept;
    for (UnitResult& u : records) {
        const auto [it, inserted] = kept.try_emplace(u.unit, u);
        if (!inserted && unit_status::replaces(u.status, u.epochs, it->second.status, it->second.epochs))
            it->second = std::move(u);
    }
    std::vector<UnitResult> out;
    out.reserve(kept.size());
    for (auto& [unit, u] : kept) out.push_back(std::move(u));
    return out;
}

// Repair configurations by config id, with their index in the grid.
using RepairIndex = std::map<std::string, std::uint64_t>;

// Adds the repairs' new configurations to `grid` and to `index_of`.
void add_to_grid(const std::vector<Repair>& repairs, Grid& grid, RepairIndex& index_of) {
    const RepairConfigs added = new_repair_configs(repairs, grid);
    const std::uint64_t first = grid.size();
    grid.add_repairs(added.configs, added.sections);
    for (std::size_t k = 0; k < added.configs.size(); ++k) index_of[config_id(added.configs[k])] = first + k;
}

// Copies of the records of repairs (units past the spec's grid) whose configuration `index_of`
// knows, at their index in this grid (a record carries the index of the run that wrote it).
std::vector<UnitResult> repair_records(const std::vector<UnitResult>& units, const RepairIndex& index_of,
                                       std::uint64_t spec_units, std::uint64_t folds) {
    std::vector<UnitResult> out;
    for (const UnitResult& u : units) {
        if (u.unit < spec_units) continue;
        const auto it = index_of.find(u.config_id);
        if (it == index_of.end()) continue;
        UnitResult& m = out.emplace_back(u);
        m.config = it->second;
        m.unit = it->second * folds + static_cast<std::uint64_t>(u.fold);
    }
    return one_record_each(std::move(out));
}

}  // namespace

bool spec_grid_recorded(const std::vector<UnitResult>& units, const Grid& grid) {
    return units_recorded(units, 0, grid.spec_unit_count());
}

std::vector<Repair> place_repairs(std::vector<UnitResult>& units, const SweepSpec& spec, Grid& grid,
                                  const Chance& chance, const std::string& out_path) {
    const std::uint64_t spec_units = grid.spec_unit_count();
    const bool recorded_repairs = std::ranges::any_of(units, [&](const UnitResult& u) { return u.unit >= spec_units; });
    if (!(spec.repair || recorded_repairs) || !spec_grid_recorded(units, grid)) return {};
    std::vector<UnitResult> grid_units;
    for (const UnitResult& u : units)
        if (u.unit < spec_units) grid_units.push_back(u);
    const std::vector<ConfigSummary> parents =
        detail::summarize(one_record_each(std::move(grid_units)), spec, grid, chance);
    std::vector<Repair> repairs = derive_repairs(parents, grid);
    RepairIndex index_of;
    add_to_grid(repairs, grid, index_of);

    // The second round, once the first round's new configurations are all recorded.
    const auto folds = static_cast<std::uint64_t>(grid.folds());
    const std::uint64_t first_round_end = grid.size();
    if (first_round_end > grid.spec_size()) {
        const std::vector<UnitResult> first = repair_records(units, index_of, spec_units, folds);
        if (units_recorded(first, spec_units, first_round_end * folds)) {
            const std::vector<Repair> second =
                derive_second_repairs(detail::summarize(first, spec, grid, chance), parents, repairs, grid);
            add_to_grid(second, grid, index_of);
            repairs.insert(repairs.end(), second.begin(), second.end());
        }
    }

    const auto dropped = std::erase_if(units, [&](UnitResult& u) {
        if (u.unit < spec_units) return false;
        const auto it = index_of.find(u.config_id);
        if (it == index_of.end()) return true;
        u.config = it->second;
        u.unit = it->second * folds + static_cast<std::uint64_t>(u.fold);
        return false;
    });
    if (dropped > 0)
        std::cerr << "dnnsweep: " << out_path << ": " << dropped
                  << " recorded folds of repairs that are no longer derived (a parent's verdict changed) are left out"
                  << std::endl;
    return repairs;
}

void link_repairs(std::vector<ConfigSummary>& configs, const std::vector<Repair>& repairs) {
    std::map<std::string, std::string> parents;
    for (const Repair& r : repairs) {
        std::string& p = parents[r.repaired_id];
        p += (p.empty() ? "" : " ") + r.parent_id;
    }
    for (ConfigSummary& c : configs)
        if (const auto it = parents.find(c.config_id); it != parents.end()) c.repair_of = it->second;
}

bool better_verdict(Verdict after, Verdict before) {
    const auto rank = [](Verdict v) {
        switch (v) {
        case Verdict::Failed:
            return 0;
        case Verdict::NotTraining:
            return 1;
        case Verdict::Underfitting:
        case Verdict::Overfitting:
            return 2;
        case Verdict::Good:
            return 3;
        }
        return 0;
    };
    return rank(after) > rank(before);
}

std::vector<RepairOutcome> repair_outcomes(const std::vector<ConfigSummary>& configs, std::uint64_t spec_configs) {
    std::map<std::string, const ConfigSummary*> repaired_of;  // a parent's id -> its repair
    for (const ConfigSummary& c : configs) {
        std::istringstream parents(c.repair_of);
        for (std::string id; parents >> id;) repaired_of[id] = &c;
    }
    const auto repair_of = [&](const ConfigSummary& c) -> const ConfigSummary* {
        const auto it = repaired_of.find(c.config_id);
        return it == repaired_of.end() ? nullptr : it->second;
    };
    std::vector<RepairOutcome> out;
    for (const ConfigSummary& parent : configs) {
        if (spec_configs > 0 && parent.config >= spec_configs) continue;  // a second round: its first's `then`
        const ConfigSummary* repaired = repair_of(parent);
        std::optional<Fix> fix = repaired ? repair_fix(parent) : std::nullopt;
        if (!fix) continue;
        RepairOutcome r{.parent = &parent, .repaired = repaired, .fix = std::move(*fix), .then = std::nullopt};
        if (!better_verdict(repaired->verdict, parent.verdict))
            if (const ConfigSummary* next = repair_of(*repaired); next && next != &parent)
                if (std::optional<Fix> second = repair_fix(*repaired))
                    r.then = RepairStep{.fix = std::move(*second), .repaired = next};
        r.better = better_verdict(r.last().verdict, parent.verdict);
        out.push_back(std::move(r));
    }
    std::ranges::stable_sort(out, {}, [](const RepairOutcome& r) { return r.parent->config; });
    return out;
}

std::string repair_line(const RepairOutcome& r) {
    const std::string& label = r.parent->section.empty() ? r.parent->config_id : r.parent->section;
    std::string line = label + ": " + r.fix.change() + ": validation " + fixed(r.parent->mean_val_acc, 2) + " -> " +
                       fixed(r.repaired->mean_val_acc, 2) + ", " + std::string(name(r.repaired->verdict));
    if (r.then)
        line += "; then " + r.then->fix.change() + ": " + fixed(r.repaired->mean_val_acc, 2) + " -> " +
                fixed(r.then->repaired->mean_val_acc, 2) + ", " + std::string(name(r.then->repaired->verdict));
    return line;
}

}  // namespace dnnsweep
