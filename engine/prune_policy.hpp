#pragma once
// The pruning modes (the spec's `prune` key) and what each one asks of the rest of the sweep, in
// one table: a new mode is its enumerator and its row here, plus its scheduler if it needs a new
// one (runner/sweep/scheduler.hpp), its test and its docs.
#include <string>
#include <string_view>

namespace dnnsweep {

enum class PruneMode { None, Chance, Halving };

// Which scheduler hands the units out (runner/sweep/scheduler.hpp).
enum class SchedulerKind {
    EveryUnitOnce,      // every unit once, longest first (runner/sweep/work_queue.hpp)
    SuccessiveHalving,  // rungs of epochs, promotions by rank (runner/sweep/halving_queue.hpp)
};

struct PrunePolicy {
    PruneMode mode;
    std::string_view name;  // the spec's value
    SchedulerKind scheduler;
    // A resume keeps every recorded unit's validation curve: the scheduler ranks configurations by it.
    bool resumes_from_curves;
    // Array tasks (`sweep --array-tasks`, `submit --array`) may each run a share of the units; if
    // not, `one_job_because` says why, after "which".
    bool array_tasks;
    std::string_view one_job_because;
    // A `pruned` record is the chance rule's verdict (engine/pruning.hpp hopeless_at_chance): the
    // diagnosis calls its configuration not_training.
    bool prunes_at_chance;
    // A unit's record cost the epochs of every lower rung too: a promoted unit retrains them.
    bool retrains_rungs;
};

const PrunePolicy& policy(PruneMode m);
PruneMode parse_prune_mode(std::string_view s);  // a policy's name; ConfigError otherwise
std::string_view name(PruneMode m);

// Why `spec_path`, whose policy is `p`, cannot be split into array tasks, ending with what to do:
// "<spec> has prune = halving, which ...: <verb> it as one MPI job (or use prune = chance)".
std::string array_refusal(const PrunePolicy& p, const std::string& spec_path, std::string_view verb);

}  // namespace dnnsweep
