#pragma once
// The results of a sweep on disk (HDF5, layout in docs/hdf5-layout.md).
//
// `--out results.h5` is the one path a user opens. While a sweep runs, each rank appends the units
// it finishes to its own shard, `results.h5.parts/rank-<rank>-<run>.h5` (SWMR mode, one flush per
// unit, the unit's `folds` row written last as its completion mark), so ranks never contend on a
// file and a unit is durable as soon as it is written. When the sweep ends (or stops), rank 0
// merges every shard into results.h5 (written to a temporary name, then renamed: the file is always
// either the previous complete merge or the new one, and it always opens plainly).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/cause.hpp"
#include "engine/chance.hpp"
#include "engine/hdf5/hdf5.hpp"
#include "engine/user_error.hpp"
#include "engine/verdict.hpp"
#include "outputs/unit_result.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

// Results live in HDF5 files: a results error is the HDF5 layer's error, so one catch takes both.
using ResultsError = Hdf5Error;

// What the run was: stored as attributes of the results file.
struct RunInfo {
    std::string version;       // dnnsweep version
    std::string run_id;        // unique per invocation (time + pid of rank 0)
    double started_at = 0.0;   // Unix seconds
    double finished_at = 0.0;  // 0 while running
    int ranks = 1;
    std::vector<std::string> hosts;  // distinct hosts, rank order
    DataShape data;                  // the dataset as loaded
    std::string data_source;
    std::string data_fingerprint;           // engine/data_fingerprint.hpp; empty in files written before it
    std::vector<std::string> class_names;   // the data's names of its classes (empty: 0..classes-1)
    std::vector<std::uint64_t> class_rows;  // training rows per class (the test set left out); may be empty
    Chance chance;                          // what the diagnosis judged against (engine/chance.hpp)
    std::string slurm_job_id;               // SLURM_JOB_ID when run as a Slurm job, else empty (and the two
    int slurm_restart_count = 0;            //   slurm_* attributes are not written); times it was requeued
};

// Appends units to one shard (SWMR). Creating it creates the parts folder if needed. Every HDF5
// error becomes a ResultsError naming the file.
class ShardWriter {
public:
    // sync: fsync the shard after every append (and once created), so an appended unit survives a
    // power loss of the node; false (--no-sync) for scratch file systems, where a flush suffices.
    ShardWriter(const std::string& path, const SweepSpec& spec, const RunInfo& info, int rank, bool sync = true);
    ~ShardWriter();
    ShardWriter(const ShardWriter&) = delete;
    ShardWriter& operator=(const ShardWriter&) = delete;
    // Appends the units in order, flushed (and synced, see above) when it returns: one sync for
    // all of them (group commit: a worker's short units cost one sync a batch, not one each).
    void append(std::span<const UnitResult> units);
    void append(const UnitResult& r) { append(std::span(&r, 1)); }
    const std::string& path() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string parts_dir(const std::string& out_path);  // out_path + ".parts"
std::string shard_path(const std::string& out_path, int rank, const std::string& run_id);

// Every complete unit of one shard (units whose `folds` row was written), tolerating a shard whose
// writer was killed (opened in SWMR-read mode).
std::vector<UnitResult> read_shard(const std::string& path);

// Writes results.h5 from every unit of the shards in parts_dir(out_path) and of the existing
// out_path (a unit recorded twice is kept once: the first complete record), with the `configs`
// table (fold means and stds, diagnosis) computed from the grid. Atomic (temporary + rename).
void merge_results(const std::string& out_path, const SweepSpec& spec, const Grid& grid, const RunInfo& info);
// The same from units already combined (unit order, each once), without shards: for tools and tests
// that make results without a sweep.
void write_merged_results(const std::string& out_path, const SweepSpec& spec, const Grid& grid, const RunInfo& info,
                          const std::vector<UnitResult>& units);

// The `configs` row of one configuration.
struct ConfigSummary {
    std::uint64_t config = 0;
    std::string config_id;
    std::string section;  // the first spec section producing it ("" without sections)
    TrainConfig settings;
    int folds_done = 0;    // ok or diverged
    int folds_failed = 0;  // threw
    int folds_pruned = 0;  // stopped by pruning (with those never started: 0 epochs)
    double mean_train_acc = 0, std_train_acc = 0, mean_val_acc = 0, std_val_acc = 0;
    double mean_train_loss = 0, std_train_loss = 0, mean_val_loss = 0, std_val_loss = 0;
    double mean_test_acc = 0;  // NaN without a test set
    double bias = 0, variance = 0;
    Verdict verdict = Verdict::Good;
    std::string reason;
    std::vector<Cause> causes;
    double seconds = 0;  // sum over its folds
    // Over its recorded folds (every status but `stopped`): epochs run; the configuration's `epochs`
    // for each; and what pruning saved, its `epochs` minus the epochs run of each pruned fold.
    std::int64_t epochs_trained = 0, epochs_planned = 0, epochs_saved = 0;
    std::string repair_of;  // the configurations it repairs (outputs/repairs.hpp), ids space-separated
};

// Reads a merged results file.
struct Results {
    std::string spec_text, spec_hash;
    RunInfo info;
    std::vector<UnitResult> units;  // the `folds` table, with each unit's curve in history
    std::vector<ConfigSummary> configs;
};
Results read_results(const std::string& path);

}  // namespace dnnsweep
