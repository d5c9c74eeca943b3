#include "runner/cli/submit_command.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <boost/program_options.hpp>

#include "engine/config.hpp"
#include "engine/read_file.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/cli/sbatch_script.hpp"
#include "runner/cli/slurm_partitions.hpp"
#include "runner/cli/subprocess.hpp"
#include "runner/sbatch_template.hpp"  // generated from slurm/sweep.sbatch (runner/cli/CMakeLists.txt)
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace {

constexpr int kHelpWidth = 100;

struct SubmitCli {
    std::string spec_path, out;
    int nodes = 1, ntasks_per_node = 1;
    int cpus_per_task = 0;  // 0: the spec's `threads`
    std::string time, partition, account;
    int max_requeues = 10;
    std::string launcher = "srun";
    int array = 1;
    long signal_seconds = 0;  // 0: derived from --time
    std::string template_path;
    bool dry_run = false;
    bool help = false;
};

po::options_description make_options(SubmitCli& cli) {
    po::options_description o("Options", kHelpWidth);
    o.add_options()("out", po::value(&cli.out)->value_name("FILE"),
                    "results file (HDF5); the script, logs and requeue log go next to it")(
        "nodes", po::value(&cli.nodes)->value_name("N")->default_value(1), "nodes (sbatch --nodes)")(
        "ntasks-per-node", po::value(&cli.ntasks_per_node)->value_name("M")->default_value(1),
        "MPI ranks per node; rank 0 coordinates and the others train (one rank alone does both)")(
        "cpus-per-task", po::value(&cli.cpus_per_task)->value_name("C"),
        "CPUs per rank (default: the spec's `threads`, 1 unless set)")(
        "time", po::value(&cli.time)->value_name("T"),
        "time limit, as sbatch takes it (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]); default: the partition's")(
        "partition", po::value(&cli.partition)->value_name("P"), "partition (sbatch --partition)")(
        "account", po::value(&cli.account)->value_name("A"), "account to charge (sbatch --account)")(
        "max-requeues", po::value(&cli.max_requeues)->value_name("R")->default_value(10),
        "times the job requeues itself after an incomplete run (a time limit) before it gives up")(
        "launcher", po::value(&cli.launcher)->value_name("L")->default_value("srun"),
        "how the ranks start: srun (srun --mpi=pmix) | mpirun (Open MPI's, inside the allocation)")(
        "array", po::value(&cli.array)->value_name("K")->default_value(1),
        "a job array of K tasks, each running 1/K of the units (dnnsweep sweep --array-tasks K), all into --out")(
        "signal-seconds", po::value(&cli.signal_seconds)->value_name("S"),
        "SIGUSR1 this many seconds before the time limit, so the sweep stops cleanly and requeues "
        "(default: a quarter of --time, between 30 and 300)")(
        "template", po::value(&cli.template_path)->value_name("FILE"),
        "batch script template to render instead of the built-in slurm/sweep.sbatch")(
        "dry-run", po::bool_switch(&cli.dry_run), "print the batch script; save and submit nothing")(
        "help,h", po::bool_switch(&cli.help), "print this help and exit");
    return o;
}

void print_help(std::ostream& out, const po::options_description& options) {
    out << "Usage: dnnsweep submit SPEC.ini --out RESULTS.h5 [options]\n\n"
           "Runs a sweep as a Slurm batch job. Renders the batch script (resources, logs appended to\n"
           "RESULTS.h5.slurm-<job>.log, SIGUSR1 before the time limit, the launch line), saves it as\n"
           "RESULTS.h5.sbatch (so `sbatch RESULTS.h5.sbatch` repeats the exact job), submits it with\n"
           "sbatch and prints the job id. A run stopped by the time limit requeues the job, which\n"
           "resumes from the results file, up to --max-requeues times; each run is noted in\n"
           "RESULTS.h5.requeue.log. See docs/slurm.md.\n\n"
        << options
        << "\nExit codes:\n"
           "  0  submitted (or, with --dry-run, printed)\n"
           "  1  sbatch failed (its message is above) or could not be run\n"
           "  2  bad usage or input: unknown option, bad value, a spec that does not load\n";
}

// ----------------------------------------------------------------------------------- the job

struct Job {
    fs::path out, script;
    std::string text;
};

void parse_cli(const std::vector<std::string>& args, const po::options_description& options, SubmitCli& cli) {
    const po::variables_map vm = parse_command_line(args, options, cli.spec_path);
    if (cli.help) return;
    if (cli.spec_path.empty()) throw po::error("missing the sweep spec (dnnsweep submit SPEC.ini --out RESULTS.h5)");
    if (cli.out.empty()) throw po::error("--out is required (the results file)");
    if (cli.nodes < 1) throw ConfigError("nodes: must be >= 1");
    if (cli.ntasks_per_node < 1) throw ConfigError("ntasks-per-node: must be >= 1");
    if (vm.count("cpus-per-task") && cli.cpus_per_task < 1) throw ConfigError("cpus-per-task: must be >= 1");
    if (cli.max_requeues < 0) throw ConfigError("max-requeues: must be >= 0");
    if (cli.array < 1) throw ConfigError("array: must be >= 1");
    if (cli.launcher != "srun" && cli.launcher != "mpirun")
        throw ConfigError("launcher: must be srun or mpirun, got '" + cli.launcher + "'");
    if (vm.count("signal-seconds") && cli.signal_seconds < 1) throw ConfigError("signal-seconds: must be >= 1");
    for (const auto& [option, value] :
         {std::pair{"time", &cli.time}, {"partition", &cli.partition}, {"account", &cli.account}})
        check_directive_value(option, *value);
}

std::string template_text(const SubmitCli& cli) {
    if (cli.template_path.empty()) return kSbatchTemplate;
    std::string error;
    const std::optional<std::string> text = try_read_file(cli.template_path, error);
    if (!text) throw ConfigError("template: " + error);
    return *text;
}

Job render_job(const SubmitCli& cli) {
    // A spec that does not load would fail on the cluster after waiting in the queue: refuse it now.
    const SweepSpec spec = load_spec(cli.spec_path);
    const Grid grid(spec);
    if (const PrunePolicy& p = policy(spec.prune.mode); cli.array > 1 && !p.array_tasks)
        throw ConfigError("array: " + array_refusal(p, cli.spec_path, "submit"));

    Job job;
    job.out = fs::absolute(cli.out).lexically_normal();
    job.script = job.out;
    job.script += ".sbatch";
    check_directive_value("out", job.out.string());
    const fs::path spec_path = fs::absolute(cli.spec_path).lexically_normal();
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find the dnnsweep binary (/proc/self/exe): " + ec.message());

    const BatchJob batch{
        .dnnsweep = self,
        .spec = spec_path,
        .out = job.out,
        .nodes = cli.nodes,
        .ntasks_per_node = cli.ntasks_per_node,
        .cpus_per_task = cli.cpus_per_task > 0 ? cli.cpus_per_task : spec.threads,
        .time = cli.time,
        .partition = cli.partition,
        .account = cli.account,
        .launcher = cli.launcher,
        .max_requeues = cli.max_requeues,
        .array_tasks = cli.array,
        .signal_seconds =
            signal_seconds(cli.signal_seconds, cli.time.empty() ? std::nullopt : slurm_time_seconds(cli.time)),
    };
    job.text = render_template(template_text(cli), batch_fields(batch));
    return job;
}

// Written whole or not at all (temporary + rename), so a resubmission never leaves half a script.
void save_script(const Job& job) {
    std::error_code ec;
    fs::create_directories(job.out.parent_path(), ec);
    if (ec) throw ConfigError("out: " + job.out.parent_path().string() + ": cannot create the folder: " + ec.message());
    fs::path tmp = job.script;
    tmp += ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << job.text;
        f.close();
        if (!f) throw ConfigError("out: " + tmp.string() + ": cannot write the batch script");
    }
    fs::rename(tmp, job.script, ec);
    if (ec) throw ConfigError("out: " + job.script.string() + ": cannot write the batch script: " + ec.message());
}

// Saves the script and hands it to sbatch; prints the job id. A failure of sbatch's is exit code 1.
void submit(const Job& job) {
    save_script(job);
    const std::string script = job.script.string();
    const std::optional<ProcessResult> sbatch = run_program({"sbatch", "--parsable", script}, Capture::Stdout);
    if (!sbatch)
        throw std::runtime_error("sbatch not found on PATH (not a Slurm login node?); the script is " + script);
    if (sbatch->exit_status != 0)
        throw std::runtime_error("sbatch exited with " + std::to_string(sbatch->exit_status) + "; the script is " +
                                 script);
    // --parsable prints "JOBID" or "JOBID;CLUSTER".
    std::string id = sbatch->captured.substr(0, sbatch->captured.find(';'));
    std::erase_if(id, [](unsigned char c) { return std::isspace(c); });
    if (id.empty()) throw std::runtime_error("sbatch printed no job id; the script is " + script);
    std::cout << id << std::endl;
    std::cerr << "dnnsweep submit: submitted job " << id << "; script " << script << ", logs next to it; watch with "
              << "`squeue -j " << id << "` and `dnnsweep status " << job.out.string() << "`" << std::endl;
}

int submit_command(const std::vector<std::string>& args, const po::options_description& options, SubmitCli& cli) {
    parse_cli(args, options, cli);
    if (cli.help) {
        print_help(std::cout, options);
        return exit_code::ok;
    }
    const Job job = render_job(cli);
    if (cli.dry_run) {
        std::cout << job.text;
        return exit_code::ok;
    }
    // A request the cluster cannot meet would wait in the queue forever: refuse it now, when sinfo
    // can tell (otherwise sbatch judges).
    if (const auto partitions = query_partitions()) check_request_fits(*partitions, cli.partition, cli.nodes);
    submit(job);
    return exit_code::ok;
}

}  // namespace

int run_submit_command(const std::vector<std::string>& args) {
    SubmitCli cli;
    const po::options_description options = make_options(cli);
    return run_command("submit", options, [&] { return submit_command(args, options, cli); });
}

}  // namespace dnnsweep
