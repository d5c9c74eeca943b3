#include "runner/sweep/repair_phase.hpp"

#include <stdexcept>

#include "engine/prune_policy.hpp"
#include "outputs/class_results.hpp"
#include "outputs/unit_status.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

// Fields of one configuration's line: its section, then name=value per option. Neither a section
// name nor an option's text holds these characters.
constexpr char kField = '\x1f';
constexpr char kLine = '\n';

}  // namespace

RepairWork repair_work(const std::string& out, const Study& s, bool retry_failed) {
    Results merged = read_results(out);
    Grid grid = s.grid;
    grid.clear_repairs();
    RepairWork w;
    place_repairs(merged.units, s.spec, grid, run_chance(merged.info), out);
    for (std::uint64_t i = grid.spec_size(); i < grid.size(); ++i) {
        w.add.configs.push_back(grid.config(i));
        w.add.sections.push_back(grid.section_name(i));
    }
    const bool keep_curves = policy(s.spec.prune.mode).resumes_from_curves;
    for (const UnitResult& u : merged.units) {  // one record per unit: the merge kept it
        if (u.unit < grid.spec_unit_count() || (retry_failed && u.status == UnitStatus::Failed)) continue;
        w.recorded.units.insert(u.unit);
        if (u.status == UnitStatus::Pruned) w.recorded.pruned.insert(u.unit);
        if (!keep_curves) continue;
        RecordedUnit& r = w.recorded.records[u.unit];
        r.status = u.status;
        r.epochs = u.epochs;
        for (const EpochMetrics& m : u.history) r.val_acc.push_back(m.val_acc);
    }
    return w;
}

std::string encode_repair_configs(const RepairConfigs& r) {
    std::string text;
    for (std::size_t k = 0; k < r.configs.size(); ++k) {
        text.append(r.sections[k]).append(1, kField).append(config_id(r.configs[k]));
        for (const ConfigOption& opt : config_options())
            text.append(1, kField).append(opt.name).append("=").append(to_text(opt.get(r.configs[k])));
        text += kLine;
    }
    return text;
}

RepairConfigs decode_repair_configs(const std::string& text, int threads) {
    RepairConfigs r;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t end = text.find(kLine, at);
        const std::string line = text.substr(at, end - at);
        at = end == std::string::npos ? text.size() : end + 1;
        std::size_t field = line.find(kField);
        r.sections.push_back(line.substr(0, field));
        const std::size_t id_end = line.find(kField, field + 1);
        const std::string id = line.substr(field + 1, id_end - field - 1);
        field = id_end;
        TrainConfig c;
        while (field != std::string::npos) {
            const std::size_t next = line.find(kField, field + 1);
            const std::string kv =
                line.substr(field + 1, next == std::string::npos ? std::string::npos : next - field - 1);
            const std::size_t eq = kv.find('=');
            set_config_option(c, kv.substr(0, eq), kv.substr(eq + 1));
            field = next;
        }
        c.threads = threads;
        c.validate();
        if (config_id(c) != id) throw std::logic_error("repair configuration " + id + " changed in its broadcast");
        r.configs.push_back(c);
    }
    return r;
}

Plan make_repair_plan(const Study& s, Recorded recorded) {
    Plan p;
    for (const std::uint64_t u : recorded.pruned) p.pruned_configs.insert(s.grid.unit(u).config);
    for (const std::uint64_t u : s.grid.schedule(shape_of(s.data))) {
        if (u < s.grid.spec_unit_count()) continue;
        p.share.push_back(u);
        if (!recorded.units.contains(u)) {
            p.pending.push_back(u);
            p.pending_flops += s.grid.unit_flops(u, shape_of(s.data));
        }
    }
    p.units = p.share.size();
    p.already_done = p.units - p.pending.size();
    p.recorded = std::move(recorded);
    return p;
}

}  // namespace dnnsweep
