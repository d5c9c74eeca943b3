// The final merge: every shard (and the previous merge) into one plain results file.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/class_results.hpp"
#include "outputs/configs.hpp"
#include "outputs/data_check.hpp"
#include "outputs/importance.hpp"
#include "outputs/repairs.hpp"
#include "outputs/results_store.hpp"
#include "outputs/shard.hpp"
#include "outputs/spec_grid_configs.hpp"
#include "outputs/study_findings.hpp"
#include "outputs/tables.hpp"
#include "outputs/unit_status.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

constexpr const char* kResultsFormat = "dnnsweep-results 1";

// Deletes the temporary file unless the merge got as far as renaming it.
class TempFile {
public:
    explicit TempFile(std::string path) : path_(std::move(path)) {
        std::error_code ec;
        fs::remove(path_, ec);  // a leftover of an earlier failed merge by a process of this pid
    }
    ~TempFile() {
        if (!committed_) {
            std::error_code ec;
            fs::remove(path_, ec);
        }
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }
    void commit(const std::string& target) {
        std::error_code ec;
        fs::rename(path_, target, ec);  // atomic within a directory: readers see old or new, whole
        if (ec) throw ResultsError("renaming " + path_ + " to " + target + ": " + ec.message());
        committed_ = true;
    }

private:
    std::string path_;
    bool committed_ = false;
};

void refuse_other_spec(const std::string& path, const std::string& hash, const SweepSpec& spec) {
    if (hash != spec.hash)
        throw ResultsError(path + ": results of another spec (hash " + hash + ", this spec " + spec.hash +
                           "): not merged");
}

// The sweep checked its data before it ran (runner/sweep/results_dir.hpp); this guards the merge too.
void refuse_other_data(const std::string& path, const std::string& recorded, const RunInfo& info) {
    if (!info.data_fingerprint.empty())
        check_fingerprint(path, recorded, info.data_fingerprint, info.data_source, "not merged");
}

void write_results(const std::string& path, const SweepSpec& spec, const Grid& grid, const RunInfo& info,
                   const std::vector<UnitResult>& units, const std::vector<ConfigSummary>& configs) {
    h5::File f = h5::File::create(path, h5::File::Format::V18);
    f.set_attr("format", std::string(kResultsFormat));
    f.set_attr("spec", spec.text);
    f.set_attr("spec_hash", spec.hash);
    f.set_attr("version", info.version);
    f.set_attr("run_id", info.run_id);
    f.set_attr("started_at", info.started_at);
    f.set_attr("finished_at", info.finished_at);
    f.set_attr("ranks", std::int64_t{info.ranks});
    f.set_attr("hosts", info.hosts);
    f.set_attr("data_source", info.data_source);
    f.set_attr("data_fingerprint", info.data_fingerprint);
    if (!info.slurm_job_id.empty()) {
        f.set_attr("slurm_job_id", info.slurm_job_id);
        f.set_attr("slurm_restart_count", std::int64_t{info.slurm_restart_count});
    }
    f.set_attr("samples", std::uint64_t{info.data.samples});
    f.set_attr("features", std::uint64_t{info.data.features});
    f.set_attr("classes", std::int64_t{info.data.classes});
    f.set_attr("configs_total", grid.size());
    f.set_attr("folds_per_config", std::int64_t{grid.folds()});
    f.set_attr("units_total", grid.unit_count());
    const auto done = std::ranges::count_if(units, [](const UnitResult& u) { return unit_status::is_done(u.status); });
    f.set_attr("units_done", static_cast<std::uint64_t>(done));
    f.set_attr("study_findings", study_findings_attribute(study_findings(configs, run_chance(info), spec.thresholds)));

    const detail::UnitTables t = detail::unit_tables(units, detail::Flavor::Merged);
    const h5::ChunkOptions small{.chunk_rows = 1024, .compress = true}, large{.chunk_rows = 8192, .compress = true};
    {
        h5::Dataset ds = f.create_table("configs", detail::configs_table(configs), small);
        ds.set_attr("description", std::string("one row per configuration with a finished unit"));
        ds.close("closing 'configs'");
    }
    write_importance_dataset(f, SpecGridConfigs(configs, grid.spec_size()).get());
    {
        h5::Dataset ds = f.create_table("folds", t.folds, small);
        ds.set_attr("description", std::string("one row per (configuration, fold) unit recorded"));
        ds.close("closing 'folds'");
    }
    {
        h5::Dataset ds = f.create_table("curves", t.curves, large);
        ds.set_attr("description", std::string("one row per (unit, epoch)"));
        ds.close("closing 'curves'");
    }
    {
        h5::Dataset ds = f.create_table("grad_norms", t.grad_norms, large);
        ds.set_attr("description", std::string("one row per (unit, epoch, dense layer from input to output): "
                                               "mean over the epoch's steps of the weight+bias gradient's L2 norm"));
        ds.close("closing 'grad_norms'");
    }
    {
        h5::Dataset ds = f.create_table("confusion", t.confusion, large);
        ds.set_attr("description", std::string("per unit, its final model's confusion matrix on the validation "
                                               "part and the test set: non-zero cells"));
        ds.close("closing 'confusion'");
    }
    detail::write_class_results(f, info, units, configs);
    f.close("closing");  // checked: the rename must only happen for a completely written file
}

}  // namespace

void merge_results(const std::string& out_path, const SweepSpec& spec, const Grid& grid, const RunInfo& info) {
    std::vector<UnitResult> records;
    if (fs::exists(out_path)) {
        Results previous = read_results(out_path);
        refuse_other_spec(out_path, previous.spec_hash, spec);
        refuse_other_data(out_path, previous.info.data_fingerprint, info);
        records = std::move(previous.units);
    }
    const fs::path parts = parts_dir(out_path);
    std::vector<std::string> shards;
    if (fs::is_directory(parts))
        for (const fs::directory_entry& e : fs::directory_iterator(parts))
            if (e.is_regular_file() && e.path().extension() == ".h5") shards.push_back(e.path().string());
    std::ranges::sort(shards);  // a deterministic "first record"
    for (const std::string& path : shards) {
        detail::ShardContents c = detail::read_shard_contents(path);
        refuse_other_spec(path, c.spec_hash, spec);
        refuse_other_data(path, c.data_fingerprint, info);
        for (UnitResult& u : c.units) records.push_back(std::move(u));
    }

    // The repairs follow from the grid's records alone (outputs/repairs.hpp), whatever `grid` held.
    // The grid is copied only in a study with repairs: one of many drawn configurations is large.
    std::optional<Grid> with_repairs;
    std::vector<Repair> repairs;
    if (spec.repair || grid.size() != grid.spec_size() ||
        std::ranges::any_of(records, [&](const UnitResult& u) { return u.unit >= grid.spec_unit_count(); })) {
        with_repairs.emplace(grid);
        with_repairs->clear_repairs();
        repairs = place_repairs(records, spec, *with_repairs, run_chance(info), out_path);
    }
    const Grid& study_grid = with_repairs ? *with_repairs : grid;
    std::map<std::uint64_t, UnitResult> by_unit;
    for (UnitResult& u : records) {
        if (u.unit >= study_grid.unit_count() || study_grid.unit(u.unit).config != u.config ||
            study_grid.unit(u.unit).fold != u.fold)
            throw ResultsError(out_path + ": unit " + std::to_string(u.unit) + " (" + u.unit_id +
                               ") does not belong to this spec's grid");
        const auto [it, inserted] = by_unit.try_emplace(u.unit, std::move(u));
        // One rule with the report of a running sweep (outputs/unit_status.hpp).
        if (!inserted && unit_status::replaces(u.status, u.epochs, it->second.status, it->second.epochs))
            it->second = std::move(u);
    }
    std::vector<UnitResult> units;
    units.reserve(by_unit.size());
    for (auto& [unit, u] : by_unit) units.push_back(std::move(u));

    std::vector<ConfigSummary> configs = detail::summarize(units, spec, study_grid, run_chance(info));
    link_repairs(configs, repairs);
    TempFile tmp(out_path + ".tmp-" + std::to_string(::getpid()));
    write_results(tmp.path(), spec, study_grid, info, units, configs);
    tmp.commit(out_path);
}

void write_merged_results(const std::string& out_path, const SweepSpec& spec, const Grid& grid, const RunInfo& info,
                          const std::vector<UnitResult>& units) {
    const std::vector<ConfigSummary> configs = detail::summarize(units, spec, grid, info.data.classes);
    TempFile tmp(out_path + ".tmp-" + std::to_string(::getpid()));
    write_results(tmp.path(), spec, grid, info, units, configs);
    tmp.commit(out_path);
}

}  // namespace dnnsweep
