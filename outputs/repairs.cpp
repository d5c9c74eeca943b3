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

std::vector<Repair> derive_repairs(const std::vector<ConfigSummary>& configs, const Grid& grid) {
    std::vector<Repair> out;
    for (const ConfigSummary& c : configs) {
        if (grid.is_repair(c.config)) continue;  // one round
        std::optional<Fix> fix = repair_fix(c);
        if (!fix) continue;
        try {
            fix->repaired.validate();  // a change past an option's range (a width doubled too far) is no repair
        } catch (const ConfigError&) {
            continue;
        }
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

bool spec_grid_recorded(const std::vector<UnitResult>& units, const Grid& grid) {
    const std::uint64_t n = grid.spec_unit_count();
    std::vector<bool> seen(n, false);
    std::uint64_t count = 0;
    for (const UnitResult& u : units)
        if (u.unit < n && u.status != UnitStatus::Stopped && !seen[u.unit]) {
            seen[u.unit] = true;
            ++count;
        }
    return count == n;
}

std::vector<Repair> place_repairs(std::vector<UnitResult>& units, const SweepSpec& spec, Grid& grid,
                                  const Chance& chance, const std::string& out_path) {
    const std::uint64_t spec_units = grid.spec_unit_count();
    const bool recorded_repairs = std::ranges::any_of(units, [&](const UnitResult& u) { return u.unit >= spec_units; });
    if (!(spec.repair || recorded_repairs) || !spec_grid_recorded(units, grid)) return {};
    // The grid's units, one record each by the merge's rule.
    std::map<std::uint64_t, const UnitResult*> kept;
    for (const UnitResult& u : units) {
        if (u.unit >= spec_units) continue;
        const auto [it, inserted] = kept.try_emplace(u.unit, &u);
        if (!inserted && unit_status::replaces(u.status, u.epochs, it->second->status, it->second->epochs))
            it->second = &u;
    }
    std::vector<UnitResult> grid_units;
    grid_units.reserve(kept.size());
    for (const auto& [unit, u] : kept) grid_units.push_back(*u);
    const std::vector<Repair> repairs = derive_repairs(detail::summarize(grid_units, spec, grid, chance), grid);
    const RepairConfigs added = new_repair_configs(repairs, grid);
    grid.add_repairs(added.configs, added.sections);

    std::map<std::string, std::uint64_t> index_of;
    for (std::size_t k = 0; k < added.configs.size(); ++k) index_of[config_id(added.configs[k])] = grid.spec_size() + k;
    const auto folds = static_cast<std::uint64_t>(grid.folds());
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

std::vector<RepairOutcome> repair_outcomes(const std::vector<ConfigSummary>& configs) {
    std::map<std::string, const ConfigSummary*> by_id;
    for (const ConfigSummary& c : configs) by_id[c.config_id] = &c;
    std::vector<RepairOutcome> out;
    for (const ConfigSummary& c : configs) {
        std::istringstream parents(c.repair_of);
        for (std::string id; parents >> id;) {
            const auto it = by_id.find(id);
            if (it == by_id.end()) continue;
            std::optional<Fix> fix = repair_fix(*it->second);
            if (!fix) continue;
            out.push_back({.parent = it->second,
                           .repaired = &c,
                           .fix = std::move(*fix),
                           .better = better_verdict(c.verdict, it->second->verdict)});
        }
    }
    std::ranges::stable_sort(out, {}, [](const RepairOutcome& r) { return r.parent->config; });
    return out;
}

std::string repair_line(const RepairOutcome& r) {
    const std::string& label = r.parent->section.empty() ? r.parent->config_id : r.parent->section;
    return label + ": " + r.fix.change() + ": validation " + fixed(r.parent->mean_val_acc, 2) + " -> " +
           fixed(r.repaired->mean_val_acc, 2) + ", " + std::string(name(r.repaired->verdict));
}

}  // namespace dnnsweep
