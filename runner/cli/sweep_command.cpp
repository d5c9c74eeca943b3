#include "runner/cli/sweep_command.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include <boost/program_options.hpp>

#include "outputs/results_store.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/progress.hpp"
#include "runner/sweep/results_dir.hpp"
#include "runner/sweep/shared_dataset.hpp"
#include "runner/sweep/signals.hpp"
#include "runner/sweep/study.hpp"
#include "runner/sweep/sweep_protocol.hpp"
#include "runner/sweep/sweep_roles.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace {

constexpr int kHelpWidth = 100;
// Sustained training rate of one rank, for --dry-run's time estimate (docs/PERFORMANCE.md: about
// 70 GFLOP/s of useful arithmetic on the 689-wide seed rows, one thread).
constexpr double kDefaultGflops = 60.0;

struct SweepCli {
    std::string spec_path;
    std::string out;
    bool dry_run = false;
    std::string progress = "auto";
    double progress_interval = 10.0;
    double gflops = kDefaultGflops;
    int ranks = 1;
    int retries = 1;
    int array_task = 0, array_tasks = 1;
    bool restart = false;
    bool help = false;
};

po::options_description make_options(SweepCli& cli) {
    po::options_description o("Options", kHelpWidth);
    o.add_options()
        ("out", po::value(&cli.out)->value_name("FILE"), "results file (HDF5); an existing one for the same spec is resumed")
        ("dry-run", po::bool_switch(&cli.dry_run), "print the grid size, unit count and estimated cost; train nothing")
        ("restart", po::bool_switch(&cli.restart),
         "start over: move an existing --out (and its .parts folder) aside, never deleting it")
        ("retries", po::value(&cli.retries)->value_name("N")->default_value(1),
         "times a failed unit (one that threw) is run again before it is kept as failed")
        ("array-tasks", po::value(&cli.array_tasks)->value_name("K")->default_value(1),
         "split the units among K independent jobs (e.g. a Slurm job array) writing into the same --out")
        ("array-task", po::value(&cli.array_task)->value_name("I")->default_value(0),
         "which of the K shares this job runs, 0 <= I < K")
        ("progress", po::value(&cli.progress)->value_name("STYLE")->default_value("auto"),
         "auto (a bar on a terminal, else lines) | bar | lines | none")
        ("progress-interval", po::value(&cli.progress_interval)->value_name("S")->default_value(10.0),
         "seconds between progress lines")
        ("gflops", po::value(&cli.gflops)->value_name("R")->default_value(kDefaultGflops),
         "--dry-run: assumed GFLOP/s of one rank")
        ("ranks", po::value(&cli.ranks)->value_name("N")->default_value(1),
         "--dry-run: the rank count to estimate the time for (rank 0 coordinates when N > 1)")
        ("help,h", po::bool_switch(&cli.help), "print this help and exit");
    return o;
}

void print_help(std::ostream& out) {
    SweepCli scratch;
    out << "Usage: dnnsweep sweep SPEC.ini --out RESULTS.h5 [options]\n"
           "       mpirun -np N dnnsweep sweep SPEC.ini --out RESULTS.h5\n\n"
           "Runs every configuration of a sweep spec (docs/sweep-spec.md) on every fold, spread over\n"
           "the MPI ranks (rank 0 coordinates, the others train; alone, one rank does everything),\n"
           "and writes one HDF5 file (docs/hdf5-layout.md) with each configuration's fold metrics,\n"
           "learning curves and diagnosis.\n\n"
        << make_options(scratch)
        << "\nExit codes:\n"
           "  0    every unit ran (units that failed or diverged are recorded as such)\n"
           "  1    unexpected failure (an MPI or HDF5 error, ...); what was recorded stays, rerun to resume\n"
           "  2    bad usage or input: unknown option, bad spec, missing or malformed data, unusable --out\n"
           "  3    incomplete: stopped by SIGTERM, SIGINT or SIGUSR1; rerun the same command to resume\n"
           "  130  a second SIGINT: exited at once (recorded units are kept)\n"
           "\nRerunning the same command resumes: recorded units are skipped. A results file of another\n"
           "spec is refused (use another --out, or --restart). See docs/reliability.md.\n";
}

SweepCli parse_cli(const std::vector<std::string>& args) {
    SweepCli cli;
    parse_command_line(args, make_options(cli), cli.spec_path);
    if (cli.help) return cli;
    if (cli.spec_path.empty()) throw po::error("missing the sweep spec (dnnsweep sweep SPEC.ini --out RESULTS.h5)");
    if (!cli.dry_run && cli.out.empty()) throw po::error("--out is required (the results file)");
    if (!(cli.progress_interval > 0.0)) throw ConfigError("progress-interval: must be > 0");
    if (!(cli.gflops > 0.0)) throw ConfigError("gflops: must be > 0");
    if (cli.ranks < 1) throw ConfigError("ranks: must be >= 1");
    if (cli.retries < 0) throw ConfigError("retries: must be >= 0");
    if (cli.array_tasks < 1) throw ConfigError("array-tasks: must be >= 1");
    if (cli.array_task < 0 || cli.array_task >= cli.array_tasks)
        throw ConfigError("array-task: must be in [0, " + std::to_string(cli.array_tasks) + ")");
    return cli;
}

double now_unix() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

int dry_run(const SweepCli& cli) {
    const Study s = load_study(cli.spec_path);
    std::cout << dry_run_text(s.spec, s.grid, shape_of(s.data), cli.gflops * 1e9, cli.ranks);
    return exit_code::ok;
}

int run_sweep(const SweepCli& cli) {
    // Before MPI_Init, which can take seconds under a loaded launcher (a stop signal arriving then
    // must stop the sweep cleanly, not kill the rank) and starts threads of its own.
    install_stop_signals();
    MpiSession mpi;
    const int rank = mpi.rank(), ranks = mpi.size();
    const std::string host = mpi.host();

    // Step 1: rank 0 validates everything a user can get wrong, then tells the others to go on.
    std::optional<Study> study;
    Recorded done;
    std::string error;
    if (rank == 0) {
        try {
            study = load_study(cli.spec_path);
            if (cli.array_tasks > 1 && study->spec.prune.mode == PruneMode::Halving)
                throw ConfigError("array-tasks: " + cli.spec_path +
                                  " has prune = halving, which ranks every configuration against the others "
                                  "from one coordinator: run it as one MPI job (or use prune = chance)");
            if (cli.restart) restart_out(cli.out);
            done = check_out(cli.out, study->spec);
        } catch (const SpecError& e) {
            error = e.what();
        } catch (const DataError& e) {
            error = e.what();
        } catch (const ConfigError& e) {
            error = e.what();
        } catch (const ResultsError& e) {
            error = e.what();
        } catch (const fs::filesystem_error& e) {
            error = e.what();
        }
        if (!error.empty()) std::cerr << "dnnsweep sweep: error: " << error << std::endl;
    }
    if (broadcast_word(error.empty() ? protocol::kGo : protocol::kQuit) == protocol::kQuit) return exit_code::usage;
    const std::uint64_t run_nonce = broadcast_word(
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
        (static_cast<std::uint64_t>(getpid()) << 48));
    // One copy of the rows per node, in shared memory, not one per rank (runner/sweep/shared_dataset.hpp);
    // rank 0's spec is valid, so the others' is too.
    if (ranks > 1) study = share_study(std::move(study), cli.spec_path);

    RunInfo info;
    info.version = DNNSWEEP_VERSION;
    char id[32];
    std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(run_nonce));
    info.run_id = id;
    info.started_at = now_unix();
    info.ranks = ranks;
    info.hosts = mpi.gather_hosts();
    info.data = shape_of(study->data);
    info.data_source = study->data.source;
    // Under Slurm, which job wrote the results and how often it was requeued (docs/slurm.md).
    if (const char* job = std::getenv("SLURM_JOB_ID")) {
        info.slurm_job_id = job;
        const char* restarts = std::getenv("SLURM_RESTART_COUNT");
        info.slurm_restart_count = restarts ? std::atoi(restarts) : 0;
    }

    if (rank != 0) {
        work(*study, cli.out, info, rank, host);
        barrier();  // asleep while rank 0 merges: freeing the shared dataset and MPI_Finalize would spin
        return exit_code::ok;  // rank 0 decides the job's exit code
    }

    const Plan plan = make_plan(*study, std::move(done), cli.array_task, cli.array_tasks);
    std::cerr << "dnnsweep sweep: " << study->grid.size() << " configurations x " << study->grid.folds()
              << " folds = " << study->grid.unit_count() << " units";
    if (cli.array_tasks > 1)
        std::cerr << "; array task " << cli.array_task << " of " << cli.array_tasks << ": " << plan.units << " of them";
    std::cerr << " (" << plan.pending.size() << " to run) on " << ranks << (ranks == 1 ? " rank" : " ranks") << std::endl;
    Progress progress(Progress::parse(cli.progress, stderr), stderr, plan.units, plan.already_done,
                      plan.pending_flops, cli.progress_interval);
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    RunSummary summary;
    if (ranks == 1) {
        summary = work_alone(*study, plan, cli.out, info, host, cli.retries, progress);
        progress.finish();
    } else {
        summary = coordinate(*study, plan, ranks, cli.retries, progress);
        progress.finish();
        // The two figures that say whether the coordinator design holds up (docs/PERFORMANCE.md).
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = cpu_seconds() - cpu0;
        const double units = static_cast<double>(std::max<std::size_t>(1, summary.reports));
        char line[400];
        std::snprintf(line, sizeof line,
                      "dnnsweep sweep: coordinator CPU %.2f s over %.1f s (%.2f%% of a core); parallel efficiency "
                      "%.1f%% (unit training seconds / (%d workers x wall)); per unit: %.1f us at rank 0 "
                      "(answer a request), %.2f ms waiting for it (worker), %.2f ms recording (worker's shard append)",
                      cpu, wall, 100.0 * cpu / std::max(wall, 1e-9),
                      100.0 * summary.unit_seconds / (std::max(wall, 1e-9) * (ranks - 1)), ranks - 1,
                      1e6 * summary.handling_seconds / static_cast<double>(std::max<std::size_t>(1, summary.requests)),
                      1e3 * summary.wait_seconds / units, 1e3 * summary.record_seconds / units);
        std::cerr << line << std::endl;
    }
    if (summary.setup_seconds + summary.unit_seconds > 0.0) {
        // What a unit costs besides training (the target: under 5% for the seed table's units).
        char line[200];
        std::snprintf(line, sizeof line,
                      "dnnsweep sweep: unit set-up (fold rows, input scaling, model build) %.1f%% of the units' time",
                      100.0 * summary.setup_seconds / (summary.setup_seconds + summary.unit_seconds));
        std::cerr << line << std::endl;
    }

    info.finished_at = summary.stopped ? 0.0 : now_unix();
    {
        const MergeLock lock(cli.out);
        merge_results(cli.out, study->spec, study->grid, info);
    }
    barrier();  // the workers wait for the merge here
    const std::uint64_t recorded = plan.already_done + summary.done + summary.failed;
    std::cout << "results: " << cli.out << " (" << recorded << " of " << plan.units << " units"
              << (cli.array_tasks > 1 ? " of this array task" : "") << ", " << summary.failed << " failed"
              << (summary.pruned > 0 ? ", " + std::to_string(summary.pruned) + " pruned in this run" : std::string()) << "; "
              << summary.epochs_trained << " epochs trained in this run)" << std::endl;
    if (summary.stopped) {
        std::cerr << "dnnsweep sweep: stopped" << (stop_signal() ? std::string(" by ") + signal_label(stop_signal()) : "")
                  << ": " << plan.units - recorded << " units not run yet; run the same command again to resume"
                  << std::endl;
        return exit_code::incomplete;
    }
    return exit_code::ok;
}

}  // namespace

int run_sweep_command(const std::vector<std::string>& args) {
    SweepCli cli;
    try {
        cli = parse_cli(args);
    } catch (const po::error& e) {
        std::cerr << "dnnsweep sweep: error: " << e.what() << std::endl;
        return exit_code::usage;
    } catch (const ConfigError& e) {
        std::cerr << "dnnsweep sweep: error: --" << e.what() << std::endl;
        return exit_code::usage;
    }
    if (cli.help) {
        print_help(std::cout);
        return exit_code::ok;
    }
    if (cli.dry_run) {
        try {
            return dry_run(cli);
        } catch (const std::exception& e) {
            std::cerr << "dnnsweep sweep: error: " << e.what() << std::endl;
            return exit_code::usage;
        }
    }
    try {
        return run_sweep(cli);
    } catch (const std::exception& e) {
        // Past step 1 an error on one rank would leave the others waiting for it forever: end
        // the whole job.
        std::cerr << "dnnsweep sweep: error: " << e.what() << std::endl;
        MpiSession::abort(exit_code::failure);
    }
}

}  // namespace dnnsweep
