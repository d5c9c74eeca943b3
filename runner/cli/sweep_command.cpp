#include "runner/cli/sweep_command.hpp"

#include <algorithm>
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>

#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/cli/run_options.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/run_sweep.hpp"
#include "runner/sweep/study.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

constexpr int kHelpWidth = 100;
// Sustained training rate of one rank, for --dry-run's time estimate: below the 82-105 GFLOP/s of
// useful arithmetic the 689-wide seed rows reach in steps alone (docs/PERFORMANCE.md, one thread),
// since a unit also evaluates every epoch.
constexpr double kDefaultGflops = 60.0;

struct SweepCli {
    SweepOptions run;
    bool dry_run = false;
    std::optional<std::uint64_t> list;  // --list [N]: 0 = every configuration
    double gflops = kDefaultGflops;
    int ranks = 1;
    bool help = false;
};

po::options_description make_options(SweepCli& cli) {
    po::options_description o("Options", kHelpWidth);
    o.add_options()("out", po::value(&cli.run.out)->value_name("FILE"),
                    "results file (HDF5); an existing one for the same spec is resumed")(
        "dry-run", po::bool_switch(&cli.dry_run), "print the grid size, unit count and estimated cost; train nothing")(
        "list", po::value<std::uint64_t>()->value_name("N")->implicit_value(0, "")->notifier([&cli](std::uint64_t n) {
            cli.list = n;
        }),
        "with --dry-run: print the first N configurations (all without N) as key=value lines instead")(
        "restart", po::bool_switch(&cli.run.restart),
        "start over: move an existing --out (and its .parts folder) aside, never deleting it")(
        "array-tasks", po::value(&cli.run.array_tasks)->value_name("K")->default_value(1),
        "split the units among K independent jobs (e.g. a Slurm job array) writing into the same --out")(
        "array-task", po::value(&cli.run.array_task)->value_name("I")->default_value(0),
        "which of the K shares this job runs, 0 <= I < K")(
        "gflops", po::value(&cli.gflops)->value_name("R")->default_value(kDefaultGflops),
        "--dry-run: assumed GFLOP/s of one rank")(
        "ranks", po::value(&cli.ranks)->value_name("N")->default_value(1),
        "--dry-run: the rank count to estimate the time for (rank 0 coordinates when N > 1)");
    add_run_options(o, cli.run);
    o.add_options()("help,h", po::bool_switch(&cli.help), "print this help and exit");
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
           "  4    no space left on device (or quota): what was recorded is intact; free space, rerun to resume\n"
           "  130  a second SIGINT: exited at once (recorded units are kept)\n"
           "\nRerunning the same command resumes: recorded units are skipped. A results file of another\n"
           "spec or other data is refused (use another --out, or --restart), and so is a results file\n"
           "another sweep is writing. See docs/reliability.md.\n";
}

// `--list N` as `--list=N`: an optional value is only taken attached, and a bare count after
// --list would otherwise be read as the spec's path.
std::vector<std::string> attach_list_count(std::vector<std::string> args) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--list" && !args[i + 1].empty() &&
            std::ranges::all_of(args[i + 1], [](char c) { return c >= '0' && c <= '9'; })) {
            args[i] += "=" + args[i + 1];
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        }
    return args;
}

void parse_cli(const std::vector<std::string>& args, const po::options_description& options, SweepCli& cli) {
    parse_command_line(attach_list_count(args), options, cli.run.spec_path);
    if (cli.help) return;
    if (cli.run.spec_path.empty()) throw po::error("missing the sweep spec (dnnsweep sweep SPEC.ini --out RESULTS.h5)");
    if (cli.list && !cli.dry_run) throw po::error("--list goes with --dry-run (it prints what would run)");
    if (!cli.dry_run && cli.run.out.empty()) throw po::error("--out is required (the results file)");
    check_run_options(cli.run);
    if (!(cli.gflops > 0.0)) throw ConfigError("gflops: must be > 0");
    if (cli.ranks < 1) throw ConfigError("ranks: must be >= 1");
    if (cli.run.array_tasks < 1) throw ConfigError("array-tasks: must be >= 1");
    if (cli.run.array_task < 0 || cli.run.array_task >= cli.run.array_tasks)
        throw ConfigError("array-task: must be in [0, " + std::to_string(cli.run.array_tasks) + ")");
}

int dry_run(const SweepCli& cli) {
    const Study s = load_study(cli.run.spec_path);
    if (cli.list) {
        std::cout << config_list_text(s.spec, s.grid, *cli.list);
        return exit_code::ok;
    }
    std::cout << dry_run_text(s.spec, s.grid, shape_of(s.data), cli.gflops * 1e9, cli.ranks);
    if (s.spec.repair)
        std::cout << "repairs: derived after the grid, one per configuration diagnosed not_training, underfitting "
                     "or overfitting (at most "
                  << s.grid.size() << " more configurations x " << s.grid.folds()
                  << " folds; how many is known only once the grid's results are in), not counted above\n";
    return exit_code::ok;
}

}  // namespace

int run_sweep_command(const std::vector<std::string>& args) {
    SweepCli cli;
    const po::options_description options = make_options(cli);
    return run_command("sweep", options, [&] {
        parse_cli(args, options, cli);
        if (cli.help) {
            print_help(std::cout);
            return exit_code::ok;
        }
        if (cli.dry_run) return dry_run(cli);
        try {
            return run_sweep(cli.run);
        } catch (const std::exception& e) {
            // Past step 1 an error on one rank would leave the others waiting for it forever: end
            // the whole job.
            std::cerr << "dnnsweep sweep: error: " << error_message(e, options) << std::endl;
            MpiSession::abort(exit_code::failure);
        }
    });
}

}  // namespace dnnsweep
