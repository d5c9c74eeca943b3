#pragma once
// The --out of a sweep as a place on disk: checking it belongs to this spec before anything runs,
// salvaging what a crash left unreadable, --restart, and the lock that serialises merges.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/unit_status.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {

// --restart: the previous results and shards go aside (`*.replaced-<time>`), never deleted.
void restart_out(const std::string& out);

// A unit's record that counts (outputs/unit_status.hpp: the merge's rule), as a resume needs it.
struct RecordedUnit {
    UnitStatus status = UnitStatus::Stopped;
    int epochs = 0;
    std::vector<double> val_acc;  // per epoch: successive halving ranks by it at each rung
};

// The units a previous run recorded (resume): all of them, those of them recorded pruned, and
// (with `prune = halving`, which resumes from them) each one's record.
struct Recorded {
    std::set<std::uint64_t> units;
    std::set<std::uint64_t> pruned;
    std::map<std::uint64_t, RecordedUnit> records;
};

// Creates --out's shards folder if needed; ResultsError when it cannot be made or written.
void make_parts_dir(const std::string& out);

// What a resume checks --out against, and what it may redo.
struct OutCheck {
    std::string data_fingerprint;  // the data at hand (engine/data_fingerprint.hpp)
    std::string data_source;       // where it was loaded from, for the refusal
    bool retry_failed = false;     // --retry-failed: units recorded failed count as not recorded
};

// Refuses an --out that cannot be ours before anything runs: results or shards of another spec or
// of other data, or a folder where the shards cannot be written (ResultsError). A file a crash
// left unreadable is moved aside (`*.unreadable-<time>`, with a warning on stderr); its units run
// again. Returns the units already recorded.
Recorded check_out(const std::string& out, const SweepSpec& spec, const OutCheck& check);

// Array tasks of one sweep merge into the same file as they finish: one merge at a time (an
// advisory lock next to the results), so the last one to merge sees every task's shards complete.
class MergeLock {
public:
    // Also removes what a merge killed half-way (SIGKILL, a node lost) left: `out.tmp-<pid>`.
    // Under the lock no other merge of `out` is writing one, so any found is stale.
    explicit MergeLock(const std::string& out);
    ~MergeLock();  // closing releases the lock
    MergeLock(const MergeLock&) = delete;
    MergeLock& operator=(const MergeLock&) = delete;

private:
    static void remove_stale_merges(const std::string& out);
    int fd_;
};

}  // namespace dnnsweep
