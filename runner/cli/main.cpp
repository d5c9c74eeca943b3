// `dnnsweep`: dispatches to a subcommand. Adding one is adding a row to kCommands.
#include <algorithm>
#include <array>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/predict_command.hpp"
#include "runner/cli/refit_command.hpp"
#include "runner/cli/repair_command.hpp"
#include "runner/cli/report_command.hpp"
#include "runner/cli/status_command.hpp"
#include "runner/cli/submit_command.hpp"
#include "runner/cli/sweep_command.hpp"
#include "runner/cli/train_command.hpp"

namespace {

struct Command {
    std::string_view name;
    std::string_view summary;
    dnnsweep::CommandMain run;
};

constexpr std::array kCommands{
    Command{"train", "train one configuration and report its training and validation accuracy",
            dnnsweep::run_train_command},
    Command{"sweep", "run a sweep spec's grid over the MPI ranks; results in one HDF5 file",
            dnnsweep::run_sweep_command},
    Command{"repair", "add verified repairs to a study: each failing configuration with its fix, before -> after",
            dnnsweep::run_repair_command},
    Command{"report", "the leaderboard, the settings that matter and the diagnosis of a results file",
            dnnsweep::run_report_command},
    Command{"status", "done, failed and remaining units of a sweep, also while it runs", dnnsweep::run_status_command},
    Command{"submit", "run a sweep as a Slurm batch job that requeues itself until it is complete",
            dnnsweep::run_submit_command},
    Command{"refit", "train a sweep's chosen configuration on all its data and save the model",
            dnnsweep::run_refit_command},
    Command{"predict", "classify the rows of a data file with a saved model (probabilities, accuracy)",
            dnnsweep::run_predict_command},
};

// The name column: the longest name and four spaces, however long a new command's name is.
constexpr std::size_t kNameWidth =
    std::ranges::max(kCommands, {}, [](const Command& c) { return c.name.size(); }).name.size() + 4;

void print_usage(std::ostream& out) {
    out << "Usage: dnnsweep <command> [options]\n"
           "       dnnsweep <command> --help\n"
           "       dnnsweep --help | --version\n\n"
           "Hyperparameter sweeps of fully connected networks: does the network train at all, and\n"
           "does what it learns carry over to held-out data?\n\nCommands:\n";
    for (const Command& c : kCommands)
        out << "  " << c.name << std::string(kNameWidth - c.name.size(), ' ') << c.summary << '\n';
    namespace code = dnnsweep::exit_code;
    out << fmt::format(
        "\nExit codes: {} finished, {} unexpected failure, {} bad usage or input, {} incomplete (a sweep\n"
        "stopped by a signal: rerun it to resume), {} a second SIGINT (exited at once); each command's\n"
        "--help says which it uses.\n",
        code::ok, code::failure, code::usage, code::incomplete, code::interrupted);
}

int dispatch(const std::vector<std::string>& args) {
    if (args.empty()) {
        print_usage(std::cerr);
        return dnnsweep::exit_code::usage;
    }
    const std::string& first = args.front();
    if (first == "--help" || first == "-h" || first == "help") {
        print_usage(std::cout);
        return dnnsweep::exit_code::ok;
    }
    if (first == "--version") {
        std::cout << "dnnsweep " << DNNSWEEP_VERSION << '\n';
        return dnnsweep::exit_code::ok;
    }
    for (const Command& c : kCommands)
        if (c.name == first) return c.run(std::vector<std::string>(args.begin() + 1, args.end()));

    std::string names;
    for (const Command& c : kCommands) names += (names.empty() ? "" : ", ") + std::string(c.name);
    std::cerr << "dnnsweep: error: unknown command '" << first << "' (commands: " << names << "; see 'dnnsweep --help')"
              << std::endl;
    return dnnsweep::exit_code::usage;
}

}  // namespace

int main(int argc, char** argv) {
    // Commands report their own errors; this is the last line of defence, so nothing escapes as an
    // uncaught exception (which would abort with a core dump instead of a message).
    const std::vector<std::string> args(argv + 1, argv + argc);
    return dnnsweep::run_command("", boost::program_options::options_description(), [&] { return dispatch(args); });
}
