#include "runner/cli/repair_command.hpp"

#include <iostream>

#include <boost/program_options.hpp>

#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/cli/run_options.hpp"
#include "runner/sweep/exit_codes.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/run_sweep.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

constexpr int kHelpWidth = 100;

struct RepairCli {
    SweepOptions run;
    bool help = false;
};

po::options_description make_options(RepairCli& cli) {
    po::options_description o("Options", kHelpWidth);
    add_run_options(o, cli.run);
    o.add_options()("help,h", po::bool_switch(&cli.help), "print this help and exit");
    return o;
}

void print_help(std::ostream& out) {
    RepairCli scratch;
    out << "Usage: dnnsweep repair RESULTS.h5 [options]\n"
           "       mpirun -np N dnnsweep repair RESULTS.h5\n\n"
           "Adds verified repairs to a study: each configuration diagnosed not_training, underfitting or\n"
           "overfitting is trained again with its first cause's one-key fix, on the same folds, into the\n"
           "same results file (its `repair_of` column links each repair to the configuration it repairs);\n"
           "`dnnsweep report` shows them as before -> after with the repair rate. The spec is the one\n"
           "RESULTS.h5 stores, its data read as that spec says; units of the grid not recorded yet run\n"
           "first. Rerunning it resumes. See docs/diagnosis.md (Fixes and repairs).\n\n"
        << make_options(scratch)
        << "\nExit codes: as `dnnsweep sweep` (0 done, 2 bad usage or input, 3 stopped: rerun to resume,\n"
           "4 no space left).\n";
}

}  // namespace

int run_repair_command(const std::vector<std::string>& args) {
    RepairCli cli;
    const po::options_description options = make_options(cli);
    return run_command("repair", options, [&] {
        parse_command_line(args, options, cli.run.out);
        if (cli.help) {
            print_help(std::cout);
            return exit_code::ok;
        }
        if (cli.run.out.empty()) throw po::error("missing the results file (dnnsweep repair RESULTS.h5)");
        check_run_options(cli.run);
        cli.run.repair = true;
        cli.run.spec_path = cli.run.out;
        try {
            return run_sweep(cli.run);
        } catch (const std::exception& e) {
            // Past the first step an error on one rank would leave the others waiting: end the job.
            std::cerr << "dnnsweep repair: error: " << error_message(e, options) << std::endl;
            MpiSession::abort(exit_code::failure);
        }
    });
}

}  // namespace dnnsweep
