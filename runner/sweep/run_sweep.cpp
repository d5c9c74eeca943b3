#include "runner/sweep/run_sweep.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "engine/prune_policy.hpp"
#include "engine/text_format.hpp"
#include "engine/user_error.hpp"
#include "outputs/results_store.hpp"
#include "runner/sweep/exit_codes.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/progress.hpp"
#include "runner/sweep/results_dir.hpp"
#include "runner/sweep/shared_dataset.hpp"
#include "runner/sweep/signals.hpp"
#include "runner/sweep/study.hpp"
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

// Rank 0's checks of everything a user can get wrong, before anyone trains: the spec and data
// (`study`), what the policy allows, and --out (`done`: what it already holds). Returns the error
// to report, empty when all is well.
std::string check_inputs(const SweepOptions& o, std::optional<Study>& study, Recorded& done) {
    try {
        study = load_study(o.spec_path);
        // The option's name as the user typed it, as the command line's own errors spell it.
        if (const PrunePolicy& p = policy(study->spec.prune.mode); o.array_tasks > 1 && !p.array_tasks)
            throw ConfigError("--array-tasks: " + array_refusal(p, o.spec_path, "run"));
        if (o.restart) restart_out(o.out);
        done = check_out(o.out, study->spec);
    } catch (const UserError& e) {
        return e.what();
    } catch (const fs::filesystem_error& e) {
        return e.what();
    }
    return {};
}

// Step 1: rank 0 validates, then tells the others whether to go on. Returns whether to go on.
bool validate(const SweepOptions& o, int rank, std::optional<Study>& study, Recorded& done) {
    std::string error;
    if (rank == 0) {
        error = check_inputs(o, study, done);
        if (!error.empty()) std::cerr << "dnnsweep sweep: error: " << error << std::endl;
    }
    return broadcast_word(error.empty() ? protocol::kGo : protocol::kQuit) != protocol::kQuit;
}

// A word every rank gets from rank 0, unique to this run: the run id.
std::uint64_t broadcast_run_nonce() {
    return broadcast_word(static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
                          (static_cast<std::uint64_t>(getpid()) << 48));
}

// The run's identity and inputs as the results file records them.
RunInfo run_info(MpiSession& mpi, std::uint64_t run_nonce, const Study& study) {
    RunInfo info;
    info.version = DNNSWEEP_VERSION;
    info.run_id = fmt::format("{:016x}", run_nonce);
    info.started_at = now_unix();
    info.ranks = mpi.size();
    info.hosts = mpi.gather_hosts();
    info.data = shape_of(study.data);
    info.data_source = study.data.source;
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
    const double requests = static_cast<double>(std::max<std::size_t>(1, summary.requests));
    const double busy_wall = std::max(wall, 1e-9);
    std::cerr << "dnnsweep sweep: coordinator CPU " << fixed(cpu, 2) << " s over " << fixed(wall, 1) << " s ("
              << fixed(100.0 * cpu / busy_wall, 2) << "% of a core); parallel efficiency "
              << fixed(100.0 * summary.unit_seconds / (busy_wall * (ranks - 1)), 1) << "% (unit training seconds / ("
              << ranks - 1 << " workers x wall)); per unit: " << fixed(1e6 * summary.handling_seconds / requests, 1)
              << " us at rank 0 (answer a request), " << fixed(1e3 * summary.wait_seconds / units, 2)
              << " ms waiting for it (worker), " << fixed(1e3 * summary.record_seconds / units, 2)
              << " ms recording (worker's shard append)" << std::endl;
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

// Rank 0, last: the merge (the workers wait for it), the results line and the exit code.
int finish(const SweepOptions& o, const Study& study, const Plan& plan, RunInfo info, const RunSummary& summary) {
    info.finished_at = summary.stopped ? 0.0 : now_unix();
    {
        const MergeLock lock(o.out);
        merge_results(o.out, study.spec, study.grid, info);
    }
    barrier();  // the workers wait for the merge here
    const std::uint64_t recorded = plan.already_done + summary.done + summary.failed;
    std::cout << "results: " << o.out << " (" << recorded << " of " << plan.units << " units"
              << (o.array_tasks > 1 ? " of this array task" : "") << ", " << summary.failed << " failed"
              << (summary.pruned > 0 ? ", " + std::to_string(summary.pruned) + " pruned in this run" : std::string())
              << "; " << summary.epochs_trained << " epochs trained in this run)" << std::endl;
    if (summary.stopped) {
        std::cerr << "dnnsweep sweep: stopped"
                  << (stop_signal() ? std::string(" by ") + signal_label(stop_signal()) : "") << ": "
                  << plan.units - recorded << " units not run yet; run the same command again to resume" << std::endl;
        return exit_code::incomplete;
    }
    return exit_code::ok;
}

}  // namespace

int run_sweep(const SweepOptions& o) {
    // Before MPI_Init, which can take seconds under a loaded launcher (a stop signal arriving then
    // must stop the sweep cleanly, not kill the rank) and starts threads of its own.
    install_stop_signals();
    MpiSession mpi;
    const int rank = mpi.rank();
    const std::string host = mpi.host();

    std::optional<Study> study;
    Recorded done;
    if (!validate(o, rank, study, done)) return exit_code::usage;
    const std::uint64_t run_nonce = broadcast_run_nonce();
    // One copy of the rows per node, in shared memory, not one per rank (runner/sweep/shared_dataset.hpp);
    // rank 0's spec is valid, so the others' is too.
    if (mpi.size() > 1) study = share_study(std::move(study), o.spec_path);
    const RunInfo info = run_info(mpi, run_nonce, *study);

    if (rank != 0) {
        work(*study, o.out, info, rank, host);
        barrier();             // asleep while rank 0 merges: freeing the shared dataset and MPI_Finalize would spin
        return exit_code::ok;  // rank 0 decides the job's exit code
    }
    const Plan plan = make_plan(*study, std::move(done), o.array_task, o.array_tasks);
    print_plan(o, *study, plan, info.ranks);
    const RunSummary summary = execute(o, *study, plan, info, host);
    return finish(o, *study, plan, info, summary);
}

}  // namespace dnnsweep
