#include "runner/sweep/run_sweep.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "engine/data_fingerprint.hpp"
#include "engine/prune_policy.hpp"
#include "engine/text_format.hpp"
#include "engine/user_error.hpp"
#include "outputs/results_store.hpp"
#include "runner/sweep/exit_codes.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/parent_watch.hpp"
#include "runner/sweep/progress.hpp"
#include "runner/sweep/refit.hpp"
#include "runner/sweep/repair_phase.hpp"
#include "runner/sweep/results_dir.hpp"
#include "runner/sweep/shared_dataset.hpp"
#include "runner/sweep/signals.hpp"
#include "runner/sweep/study.hpp"
#include "runner/sweep/sweep_lock.hpp"
#include "runner/sweep/sweep_protocol.hpp"
#include "runner/sweep/sweep_roles.hpp"

namespace dnnsweep {
namespace fs = std::filesystem;
namespace {

double now_unix() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Who this sweep is, for the lock on its results file.
LockHolder lock_holder(const SweepOptions& o, const SweepSpec& spec, const std::string& host) {
    LockHolder me;
    me.host = host;
    me.pid = static_cast<long>(getpid());
    me.started_at = now_unix();
    // The tasks of a Slurm job array share one array job id; a plain job has its own id.
    for (const char* name : {"SLURM_ARRAY_JOB_ID", "SLURM_JOB_ID"})
        if (const char* job = std::getenv(name); job != nullptr && *job != '\0') {
            me.job = job;
            break;
        }
    me.spec_hash = spec.hash;
    me.array_tasks = o.array_tasks;
    return me;
}

SpecSource spec_source(const SweepOptions& o) {
    return o.repair ? SpecSource{.path = o.out, .stored_in_results = true} : SpecSource{.path = o.spec_path};
}

// What rank 0 alone holds for the whole run: the lock on --out and what --out already holds.
struct Inputs {
    // Rank 0's spec and data, read while MPI starts (read_early); otherwise read in check_inputs.
    std::optional<std::future<Study>> early;
    std::optional<SweepLock> lock;
    Recorded done;
    std::string fingerprint;  // of the data loaded
};

// What rank 0's checks found: nothing (empty), an input to fix, or no room to write in.
struct InputError {
    std::string message;
    bool no_space = false;
};

// Rank 0's checks of everything a user can get wrong, before anyone trains: the spec and data
// (`study`), what the policy allows, that no other sweep writes --out, and --out itself (same
// spec, same data).
InputError check_inputs(const SweepOptions& o, const std::string& host, std::optional<Study>& study, Inputs& in) {
    try {
        study = in.early ? in.early->get() : load_study(spec_source(o));
        // The option's name as the user typed it, as the command line's own errors spell it.
        if (const PrunePolicy& p = policy(study->spec.prune.mode); o.array_tasks > 1 && !p.array_tasks)
            throw ConfigError("--array-tasks: " + array_refusal(p, o.spec_path, "run"));
        make_parts_dir(o.out);  // a folder that cannot take results is named as such, before the lock
        in.lock.emplace(o.out, lock_holder(o, study->spec, host));  // before --restart moves anything
        if (o.restart) restart_out(o.out);
        in.fingerprint = data_fingerprint(study->data);
        in.done = check_out(
            o.out, study->spec,
            {.data_fingerprint = in.fingerprint, .data_source = study->data.source, .retry_failed = o.retry_failed});
    } catch (const Hdf5NoSpaceError& e) {
        return {.message = e.what(), .no_space = true};
    } catch (const UserError& e) {
        return {.message = e.what()};
    } catch (const fs::filesystem_error& e) {
        return {.message = e.what()};
    }
    return {};
}

// Step 1: rank 0 validates, then tells the others whether to go on. Returns the exit code of a
// run that stops here, nothing when it goes on.
std::optional<int> validate(const SweepOptions& o, int rank, const std::string& host, std::optional<Study>& study,
                            Inputs& in) {
    InputError error;
    if (rank == 0) {
        error = check_inputs(o, host, study, in);
        const char* command = o.repair ? "dnnsweep repair" : "dnnsweep sweep";
        if (error.no_space)  // the message ends with the system's words: "No space left on device"
            std::cerr << command << ": " << error.message << ": free space and rerun the same command" << std::endl;
        else if (!error.message.empty())
            std::cerr << command << ": error: " << error.message << std::endl;
    }
    const std::uint64_t word = broadcast_word(error.no_space          ? protocol::kQuitNoSpace
                                              : error.message.empty() ? protocol::kGo
                                                                      : protocol::kQuit);
    if (word == protocol::kGo) return std::nullopt;
    return word == protocol::kQuitNoSpace ? exit_code::no_space : exit_code::usage;
}

// A word every rank gets from rank 0, unique to this run: the run id.
std::uint64_t broadcast_run_nonce() {
    return broadcast_word(static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
                          (static_cast<std::uint64_t>(getpid()) << 48));
}

// Rank 0's fingerprint of the data, on every rank (two words: 128 bits).
std::string broadcast_fingerprint(const std::string& fingerprint) {
    const auto half = [&](std::size_t at) {
        return fingerprint.empty() ? 0 : std::stoull(fingerprint.substr(at, 16), nullptr, 16);
    };
    const std::uint64_t high = broadcast_word(half(0)), low = broadcast_word(half(16));
    return fmt::format("{:016x}{:016x}", high, low);
}

// The run's identity and inputs as the results file records them.
RunInfo run_info(MpiSession& mpi, std::uint64_t run_nonce, const Study& study, std::string fingerprint) {
    RunInfo info;
    info.version = DNNSWEEP_VERSION;
    info.run_id = fmt::format("{:016x}", run_nonce);
    info.started_at = now_unix();
    info.ranks = mpi.size();
    info.hosts = mpi.gather_hosts();
    info.data = shape_of(study.data);
    info.data_source = study.data.source;
    info.data_fingerprint = std::move(fingerprint);
    info.class_names = study.data.class_names;
    info.class_rows = study.class_rows;
    info.chance = study.chance;
    // Under Slurm, which job wrote the results and how often it was requeued (docs/slurm.md).
    if (const char* job = std::getenv("SLURM_JOB_ID")) {
        info.slurm_job_id = job;
        const char* restarts = std::getenv("SLURM_RESTART_COUNT");
        info.slurm_restart_count = restarts ? std::atoi(restarts) : 0;
    }
    return info;
}

void print_plan(const SweepOptions& o, const Study& study, const Plan& plan, int ranks) {
    std::cerr << "dnnsweep sweep: " << study.grid.size() << " configurations x " << study.grid.folds()
              << " folds = " << study.grid.unit_count() << " units";
    if (o.array_tasks > 1)
        std::cerr << "; array task " << o.array_task << " of " << o.array_tasks << ": " << plan.units << " of them";
    std::cerr << " (" << plan.pending.size() << " to run) on " << ranks << (ranks == 1 ? " rank" : " ranks")
              << std::endl;
}

// The two figures that say whether the coordinator design holds up (docs/PERFORMANCE.md).
void print_coordinator_figures(const RunSummary& summary, int ranks, double wall, double cpu) {
    const double units = static_cast<double>(std::max<std::size_t>(1, summary.reports));
    const double busy_wall = std::max(wall, 1e-9);
    std::cerr << "dnnsweep sweep: coordinator CPU " << fixed(cpu, 2) << " s over " << fixed(wall, 1) << " s ("
              << fixed(100.0 * cpu / busy_wall, 2) << "% of a core); parallel efficiency "
              << fixed(100.0 * summary.unit_seconds / (busy_wall * (ranks - 1)), 1) << "% (unit training seconds / ("
              << ranks - 1 << " workers x wall)); per unit: " << fixed(1e6 * summary.handling_seconds / units, 1)
              << " us at rank 0 (its share of answering a request), " << fixed(1e3 * summary.wait_seconds / units, 2)
              << " ms waiting for it (worker), " << fixed(1e3 * summary.record_seconds / units, 2)
              << " ms recording (worker's shard append); "
              << fixed(static_cast<double>(summary.reports) /
                           static_cast<double>(std::max<std::size_t>(1, summary.batches)),
                       1)
              << " units per batch (one sync and one report each)" << std::endl;
}

// Rank 0: the units over the workers, or alone over itself; then the closing figures.
RunSummary execute(const SweepOptions& o, const Study& study, const Plan& plan, const RunInfo& info,
                   const std::string& host) {
    Progress progress(Progress::parse(o.progress, stderr), stderr, plan.units, plan.already_done, plan.pending_flops,
                      o.progress_interval);
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    RunSummary summary;
    if (info.ranks == 1) {
        summary = work_alone(study, plan, o.out, info, host, o.retries, progress);
        progress.finish();
    } else {
        summary = coordinate(study, plan, info.ranks, o.retries, progress);
        progress.finish();
        print_coordinator_figures(summary, info.ranks,
                                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                                  cpu_seconds() - cpu0);
    }
    if (summary.setup_seconds + summary.unit_seconds > 0.0)  // what a unit costs besides training
        std::cerr << "dnnsweep sweep: unit set-up (fold rows, input scaling, model build) "
                  << fixed(100.0 * summary.setup_seconds / (summary.setup_seconds + summary.unit_seconds), 1)
                  << "% of the units' time" << std::endl;
    return summary;
}

// Rank 0: every shard into --out. Returns the file that could not be written for lack of space
// (empty when all went well).
std::string merge(const SweepOptions& o, const Study& study, const RunInfo& info, const RunSummary& summary) {
    std::string no_space_in;  // the file that could not be written, if space ran out
    if (summary.no_space_rank >= 0) no_space_in = shard_path(o.out, summary.no_space_rank, info.run_id);
    try {
        const MergeLock lock(o.out);
        merge_results(o.out, study.spec, study.grid, info);
    } catch (const Hdf5NoSpaceError&) {
        // The previous merge stays, and the shards hold every unit recorded: a resume merges them.
        if (no_space_in.empty()) no_space_in = o.out;
    }
    return no_space_in;
}

// Repairs run in this job: asked for, and not one task of an array (the tasks end in no set order;
// `dnnsweep repair` adds them once every task is done).
bool runs_repairs(const SweepOptions& o, const SweepSpec& spec) { return spec.repair && o.array_tasks == 1; }

// The shards of a repair round: named apart from the grid phase's of the same run, and from the
// other round's.
RunInfo repair_run_info(RunInfo info, int round) {
    info.run_id += round == 1 ? "-repairs" : "-repairs" + std::to_string(round);
    return info;
}

// The repair rounds together, for the closing line: the last round's plan counts the units of every
// round (the repairs' units recorded before it among them); the summaries are summed.
struct RepairRounds {
    Plan last;                // the plan of the last round looked at (run or not)
    RunSummary last_summary;  // what the last round ran (nothing when it had nothing to run)
    std::size_t failed = 0, pruned = 0;
    std::int64_t epochs = 0;
    bool stopped = false;
    std::string no_space_in;  // a file a round's merge could not write

    std::uint64_t recorded() const { return last.already_done + last_summary.done + last_summary.failed; }
};

// Rank 0's side of the repair phase (runner/sweep/repair_phase.hpp), after the grid's merge; `go`:
// the grid phase ended without a stop. A round runs the repairs the merged results call for and is
// merged; then the next round's repairs are derived from those results, until a round has nothing to
// run. Repairs have two levels (outputs/repairs.hpp), so two rounds run everything, a resume's
// leftovers included; the bound also keeps `--retry-failed` from retrying a failing unit forever.
// Returns the rounds when the grid is complete.
std::optional<RepairRounds> coordinate_repairs(const SweepOptions& o, Study& study, const RunInfo& info,
                                               const std::string& host, bool go) {
    constexpr int kRounds = 2;
    std::optional<RepairRounds> rounds;
    for (int round = 1;; ++round) {
        barrier();  // the workers wait here for the last merge (the grid's, then each round's)
        std::optional<Plan> plan;
        if (go && stop_signal() == 0 && round <= kRounds) {
            RepairWork w = repair_work(o.out, study, o.retry_failed);
            study.grid.clear_repairs();
            study.grid.add_repairs(w.add.configs, w.add.sections);
            plan = make_repair_plan(study, std::move(w.recorded));
            if (!rounds) rounds.emplace();
            rounds->last = *plan;
            rounds->last_summary = {};
        }
        if (broadcast_word(plan && !plan->pending.empty() ? 1 : 0) == 0) {
            if (round == 1 && plan && plan->units == 0)
                std::cerr << "dnnsweep sweep: repairs: none to run (no failing configuration has a one-key fix "
                             "outside the grid)"
                          << std::endl;
            return rounds;
        }
        RepairConfigs added;
        for (std::uint64_t i = study.grid.spec_size(); i < study.grid.size(); ++i) {
            added.configs.push_back(study.grid.config(i));
            added.sections.push_back(study.grid.section_name(i));
        }
        broadcast_text(encode_repair_configs(added));
        std::cerr << "dnnsweep sweep: repairs" << (round > 1 ? " (round " + std::to_string(round) + ")" : "") << ": "
                  << added.configs.size() << (added.configs.size() == 1 ? " configuration x " : " configurations x ")
                  << study.grid.folds() << " folds = " << plan->units << " units (" << plan->pending.size()
                  << " to run)" << std::endl;
        const RunInfo round_info = repair_run_info(info, round);
        RunSummary summary = execute(o, study, *plan, round_info, host);
        RunInfo merged_info = info;
        merged_info.finished_at = summary.stopped ? 0.0 : now_unix();
        rounds->no_space_in = merge(o, study, merged_info, summary);
        if (summary.no_space_rank >= 0)  // the round's own shard, not the grid phase's
            rounds->no_space_in = shard_path(o.out, summary.no_space_rank, round_info.run_id);
        rounds->failed += summary.failed;
        rounds->pruned += summary.pruned;
        rounds->epochs += summary.epochs_trained;
        rounds->stopped = summary.stopped;
        rounds->last_summary = summary;
        go = !summary.stopped && rounds->no_space_in.empty();
    }
}

// A worker's side of the repair phase: one round after another, as rank 0 says.
void work_repairs(Study& study, const std::string& out, const RunInfo& info, int rank, const std::string& host) {
    for (int round = 1;; ++round) {
        barrier();  // asleep while rank 0 merges
        if (broadcast_word(0) == 0) return;
        const RepairConfigs added = decode_repair_configs(broadcast_text({}), study.spec.threads);
        study.grid.clear_repairs();
        study.grid.add_repairs(added.configs, added.sections);
        work(study, out, repair_run_info(info, round), rank, host);
    }
}

// Rank 0, last: the merge (the workers wait for it), the repairs, the results line and the exit code.
int finish(const SweepOptions& o, Study& study, const Plan& plan, RunInfo info, const RunSummary& summary,
           const std::string& host) {
    info.finished_at = summary.stopped ? 0.0 : now_unix();
    std::string no_space_in = merge(o, study, info, summary);
    std::optional<RepairRounds> repairs;
    if (runs_repairs(o, study.spec)) {
        repairs = coordinate_repairs(o, study, info, host, !summary.stopped && no_space_in.empty());
        if (repairs && !repairs->no_space_in.empty()) no_space_in = repairs->no_space_in;
    }
    const bool stopped = summary.stopped || (repairs && repairs->stopped);
    const int refit_code = study.spec.refit && !stopped && no_space_in.empty()
                               ? refit_after_sweep(o.out, study.grid.unit_count(), study.data)
                               : exit_code::ok;
    barrier();  // the workers wait for the merge (and a refit) here
    if (!no_space_in.empty()) {
        std::cerr << "dnnsweep sweep: no space left on device writing " << no_space_in
                  << ": free space and rerun the same command to resume" << std::endl;
        return exit_code::no_space;
    }
    std::uint64_t units = plan.units, recorded = plan.already_done + summary.done + summary.failed;
    std::size_t failed = summary.failed, pruned = summary.pruned;
    std::int64_t epochs = summary.epochs_trained;
    if (repairs) {
        units += repairs->last.units;
        recorded += repairs->recorded();
        failed += repairs->failed;
        pruned += repairs->pruned;
        epochs += repairs->epochs;
    }
    std::cout << "results: " << o.out << " (" << recorded << " of " << units << " units"
              << (o.array_tasks > 1 ? " of this array task" : "") << ", " << failed << " failed"
              << (pruned > 0 ? ", " + std::to_string(pruned) + " pruned in this run" : std::string()) << "; " << epochs
              << " epochs trained in this run)" << std::endl;
    if (stopped) {
        std::cerr << "dnnsweep sweep: stopped"
                  << (stop_signal() ? std::string(" by ") + signal_label(stop_signal()) : "") << ": "
                  << units - recorded << " units not run yet; run the same command again to resume" << std::endl;
        return exit_code::incomplete;
    }
    return refit_code;
}

// A resume's records of repairs stay out of the grid phase's plan (successive halving ranks the
// grid's records only); the repair phase reads them from the merged file.
Recorded grid_records(Recorded done, const Grid& grid) {
    const std::uint64_t n = grid.spec_unit_count();
    std::erase_if(done.units, [n](std::uint64_t u) { return u >= n; });
    std::erase_if(done.pruned, [n](std::uint64_t u) { return u >= n; });
    std::erase_if(done.records, [n](const auto& r) { return r.first >= n; });
    return done;
}

}  // namespace

int run_sweep(const SweepOptions& o) {
    // Before MPI_Init, which can take seconds under a loaded launcher (a stop signal arriving then
    // must stop the sweep cleanly, not kill the rank) and starts threads of its own.
    install_stop_signals();
    exit_with_launcher();
    Inputs in;  // rank 0's: the lock is released when the sweep returns
    // Rank 0 reads the spec and the data while MPI_Init waits for the launcher and the other ranks
    // (under mpirun 0.4-1 s on a loaded machine, the data 0.35 s for MNIST): nothing in that read
    // has a side effect, and its errors are reported after MPI_Init as before.
    if (launcher_rank() == 0)
        in.early = std::async(std::launch::async, [source = spec_source(o)] { return load_study(source); });
    MpiSession mpi;
    const int rank = mpi.rank();
    const std::string host = mpi.host();

    std::optional<Study> study;
    if (const std::optional<int> stop = validate(o, rank, host, study, in)) return *stop;
    const std::uint64_t run_nonce = broadcast_run_nonce();
    const std::string fingerprint = broadcast_fingerprint(in.fingerprint);
    // One copy of the rows per node, in shared memory, not one per rank (runner/sweep/shared_dataset.hpp);
    // rank 0's spec is valid, so the others' is too.
    if (mpi.size() > 1) study = share_study(std::move(study), spec_source(o), fingerprint);
    study->sync_shards = !o.no_sync;
    study->batch_seconds = o.batch_seconds;
    const RunInfo info = run_info(mpi, run_nonce, *study, fingerprint);

    if (rank != 0) {
        work(*study, o.out, info, rank, host);
        if (runs_repairs(o, study->spec)) work_repairs(*study, o.out, info, rank, host);
        barrier();             // asleep while rank 0 merges: freeing the shared dataset and MPI_Finalize would spin
        return exit_code::ok;  // rank 0 decides the job's exit code
    }
    const Plan plan = make_plan(*study, grid_records(std::move(in.done), study->grid), o.array_task, o.array_tasks);
    print_plan(o, *study, plan, info.ranks);
    if (study->spec.repair && o.array_tasks > 1)
        std::cerr << "dnnsweep sweep: repairs wait for every array task: run `dnnsweep repair " << o.out
                  << "` once they are all done" << std::endl;
    const RunSummary summary = execute(o, *study, plan, info, host);
    return finish(o, *study, plan, info, summary, host);
}

}  // namespace dnnsweep
