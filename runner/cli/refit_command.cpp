#include "runner/cli/refit_command.hpp"

#include <iostream>
#include <optional>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "engine/text_format.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/refit.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

struct RefitCli {
    std::string results, config, model, data;
    std::size_t rank = 0;
    int threads = 0;
    bool force = false, quiet = false, help = false;
};

po::options_description make_options(RefitCli& cli) {
    po::options_description options("Options");
    options.add_options()("model", po::value(&cli.model)->value_name("FILE"),
                          "write the model here (HDF5, docs/model-format.md); required")(
        "config", po::value(&cli.config)->value_name("ID"), "the configuration to refit: its id (or a unique prefix)")(
        "rank", po::value(&cli.rank)->value_name("N"), "the leaderboard's N-th configuration (default: 1, the best)")(
        "force", po::bool_switch(&cli.force), "replace an existing --model file")(
        "data", po::value(&cli.data)->value_name("SPEC"),
        "the study's data, where the spec's `data` path does not reach it from here")(
        "threads", po::value(&cli.threads)->value_name("N"), "OpenMP threads (default: the spec's `threads`)")(
        "quiet", po::bool_switch(&cli.quiet), "no per-epoch lines")("help,h", po::bool_switch(&cli.help),
                                                                    "print this help and exit");
    return options;
}

constexpr const char* kUsage =
    "Usage: dnnsweep refit RESULTS.h5 [--config ID | --rank N] --model MODEL.h5 [--force]\n\n"
    "Trains the chosen configuration of a finished sweep (default: the leaderboard's first) on every\n"
    "row outside the study's test set, for the median of its folds' best epochs (the epoch early\n"
    "stopping kept under `patience`, else the configured epochs), with the same seed and the input\n"
    "scaling fit on those rows; measures it on the held-out test set and writes the model file.\n"
    "Under mpirun, rank 0 trains and the other ranks wait and exit (for a Slurm job step).\n\n";
constexpr const char* kExitCodes =
    "\nExit codes: 0 done, 2 bad usage or input (a results file that is missing or has no successful\n"
    "fold, a configuration id not in it, data of another shape, an existing --model without --force),\n"
    "1 unexpected failure (the refit diverged, out of memory, ...).\n";

int refit_on_rank0(const RefitCli& cli) {
    RefitRequest req;
    req.results_path = cli.results;
    if (!cli.config.empty()) req.config_id = cli.config;
    if (cli.rank > 0) req.rank = cli.rank;
    req.model_path = cli.model;
    req.force = cli.force;
    req.data = cli.data;
    req.threads = cli.threads;
    const EpochCallback progress = [&](const EpochMetrics& m) {
        if (!cli.quiet)
            std::cout << "Epoch " << m.epoch << " - " << fixed(m.seconds, 1) << "s - loss: " << fixed(m.train_loss, 4)
                      << " - accuracy: " << fixed(m.train_acc, 4) << std::endl;
        return true;
    };
    const RefitOutcome o = refit(req, progress);
    std::cout << refit_summary(o, cli.model);
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("standard output: write failed");
    return exit_code::ok;
}

int refit_command(const std::vector<std::string>& args, const po::options_description& options, RefitCli& cli) {
    const po::variables_map vm = parse_command_line(args, options, cli.results);
    if (cli.help) {
        std::cout << kUsage << options << kExitCodes;
        return exit_code::ok;
    }
    if (cli.results.empty()) throw po::error("missing the results file (dnnsweep refit RESULTS.h5 --model MODEL.h5)");
    if (cli.model.empty()) throw po::error("missing --model (where to write the model)");
    if (vm.count("config") && vm.count("rank")) throw po::error("give --config or --rank, not both");
    if (vm.count("rank") && cli.rank < 1) throw ConfigError("rank: must be >= 1 (1 is the best configuration)");
    if (vm.count("threads") && cli.threads < 1) throw ConfigError("threads: must be >= 1");

    // Under mpirun every rank runs this: rank 0 refits, the others sleep in the barrier until it is
    // done (so the job step ends together) and exit 0; rank 0's exit code is the job's.
    MpiSession mpi;
    int code = exit_code::ok;
    if (mpi.rank() == 0) code = run_command("refit", options, [&] { return refit_on_rank0(cli); });
    if (mpi.size() > 1) barrier();
    return code;
}

}  // namespace

int run_refit_command(const std::vector<std::string>& args) {
    RefitCli cli;
    const po::options_description options = make_options(cli);
    return run_command("refit", options, [&] { return refit_command(args, options, cli); });
}

}  // namespace dnnsweep
