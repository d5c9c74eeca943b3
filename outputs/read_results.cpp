// Reading a merged results file back.
#include "engine/hdf5/hdf5.hpp"
#include "outputs/class_results.hpp"
#include "outputs/configs.hpp"
#include "outputs/results_store.hpp"
#include "outputs/tables.hpp"
#include "outputs/unit_status.hpp"

#include <filesystem>
#include <map>
#include <optional>

namespace dnnsweep {

Results read_results(const std::string& path) {
    if (!std::filesystem::exists(path)) throw ResultsError(path + ": cannot open: No such file or directory");
    // A plain open: a merged file is never in SWMR mode (written whole, then renamed).
    const h5::File f = h5::File::open(path, h5::File::Access::ReadOnly);
    Results r;
    r.spec_text = f.attr_string("spec");
    r.spec_hash = f.attr_string("spec_hash");
    RunInfo& info = r.info;
    info.version = f.attr_string("version");
    info.run_id = f.attr_string("run_id");
    info.started_at = f.attr_double("started_at");
    info.finished_at = f.attr_double("finished_at");
    info.ranks = static_cast<int>(f.attr_int("ranks"));
    info.hosts = f.attr_strings("hosts");
    info.data_source = f.attr_string("data_source");
    if (f.has_attr("data_fingerprint")) info.data_fingerprint = f.attr_string("data_fingerprint");
    info.data.samples = f.attr_uint("samples");
    info.data.features = f.attr_uint("features");
    info.data.classes = static_cast<int>(f.attr_int("classes"));
    detail::read_class_info(f, info);

    const h5::Table folds = f.open_dataset("folds").read_all();
    const h5::Table curves = f.open_dataset("curves").read_all();
    const h5::Table grad_norms = f.open_dataset("grad_norms").read_all();
    // A file written before confusion matrices were recorded: its units have none.
    const std::optional<h5::Table> confusion =
        f.exists("confusion") ? std::optional(f.open_dataset("confusion").read_all()) : std::nullopt;
    r.units = detail::units_from_tables(folds, curves, grad_norms, nullptr, confusion ? &*confusion : nullptr);
    const h5::Table configs = f.open_dataset("configs").read_all();
    r.configs = detail::configs_from_table(configs);
    if (!configs.has("epochs_trained")) {
        // A file written before pruning existed: the epoch totals from its units (none was pruned).
        std::map<std::uint64_t, ConfigSummary*> by_config;
        for (ConfigSummary& c : r.configs) by_config[c.config] = &c;
        for (const UnitResult& u : r.units) {
            const auto it = by_config.find(u.config);
            if (it == by_config.end() || !unit_status::is_done(u.status)) continue;
            it->second->epochs_trained += u.epochs;
            it->second->epochs_planned += it->second->settings.epochs;
        }
    }
    return r;
}

}  // namespace dnnsweep
