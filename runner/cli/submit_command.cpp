#include "runner/cli/submit_command.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/program_options.hpp>

#include "engine/config.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/sbatch_template.hpp"  // generated from slurm/sweep.sbatch (runner/cli/CMakeLists.txt)
#include "sweeps/grid.hpp"
#include "sweeps/spec.hpp"

extern char** environ;

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
    o.add_options()
        ("out", po::value(&cli.out)->value_name("FILE"), "results file (HDF5); the script, logs and requeue log go next to it")
        ("nodes", po::value(&cli.nodes)->value_name("N")->default_value(1), "nodes (sbatch --nodes)")
        ("ntasks-per-node", po::value(&cli.ntasks_per_node)->value_name("M")->default_value(1),
         "MPI ranks per node; rank 0 coordinates and the others train (one rank alone does both)")
        ("cpus-per-task", po::value(&cli.cpus_per_task)->value_name("C"),
         "CPUs per rank (default: the spec's `threads`, 1 unless set)")
        ("time", po::value(&cli.time)->value_name("T"),
         "time limit, as sbatch takes it (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]); default: the partition's")
        ("partition", po::value(&cli.partition)->value_name("P"), "partition (sbatch --partition)")
        ("account", po::value(&cli.account)->value_name("A"), "account to charge (sbatch --account)")
        ("max-requeues", po::value(&cli.max_requeues)->value_name("R")->default_value(10),
         "times the job requeues itself after an incomplete run (a time limit) before it gives up")
        ("launcher", po::value(&cli.launcher)->value_name("L")->default_value("srun"),
         "how the ranks start: srun (srun --mpi=pmix) | mpirun (Open MPI's, inside the allocation)")
        ("array", po::value(&cli.array)->value_name("K")->default_value(1),
         "a job array of K tasks, each running 1/K of the units (dnnsweep sweep --array-tasks K), all into --out")
        ("signal-seconds", po::value(&cli.signal_seconds)->value_name("S"),
         "SIGUSR1 this many seconds before the time limit, so the sweep stops cleanly and requeues "
         "(default: a quarter of --time, between 30 and 300)")
        ("template", po::value(&cli.template_path)->value_name("FILE"),
         "batch script template to render instead of the built-in slurm/sweep.sbatch")
        ("dry-run", po::bool_switch(&cli.dry_run), "print the batch script; save and submit nothing")
        ("help,h", po::bool_switch(&cli.help), "print this help and exit");
    return o;
}

void print_help(std::ostream& out) {
    SubmitCli scratch;
    out << "Usage: dnnsweep submit SPEC.ini --out RESULTS.h5 [options]\n\n"
           "Runs a sweep as a Slurm batch job. Renders the batch script (resources, logs appended to\n"
           "RESULTS.h5.slurm-<job>.log, SIGUSR1 before the time limit, the launch line), saves it as\n"
           "RESULTS.h5.sbatch (so `sbatch RESULTS.h5.sbatch` repeats the exact job), submits it with\n"
           "sbatch and prints the job id. A run stopped by the time limit requeues the job, which\n"
           "resumes from the results file, up to --max-requeues times; each run is noted in\n"
           "RESULTS.h5.requeue.log. See docs/slurm.md.\n\n"
        << make_options(scratch)
        << "\nExit codes:\n"
           "  0  submitted (or, with --dry-run, printed)\n"
           "  1  sbatch failed (its message is above) or could not be run\n"
           "  2  bad usage or input: unknown option, bad value, a spec that does not load\n";
}

// ----------------------------------------------------------------------------- rendering helpers

long parse_count(std::string_view text, const std::string& what) {
    long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0)
        throw ConfigError(what);
    return value;
}

// Seconds of a Slurm --time value: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S"; nullopt for
// no limit. Only the signal's default needs the number; sbatch gets the text as given.
std::optional<long> slurm_time_seconds(const std::string& time) {
    std::string lower = time;
    std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "unlimited" || lower == "infinite") return std::nullopt;
    const std::string bad = "time: '" + time +
                            "' is not a Slurm time (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)";
    std::string_view rest = time;
    long days = -1;
    if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
        days = parse_count(rest.substr(0, dash), bad);
        rest.remove_prefix(dash + 1);
    }
    std::vector<long> parts;
    for (;;) {
        const auto colon = rest.find(':');
        parts.push_back(parse_count(rest.substr(0, colon), bad));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    if (parts.size() > 3) throw ConfigError(bad);
    long seconds = 0;
    if (days >= 0) {  // D-H, D-H:M, D-H:M:S
        const long scale[] = {3600, 60, 1};
        seconds = days * 86400;
        for (std::size_t i = 0; i < parts.size(); ++i) seconds += parts[i] * scale[i];
    } else if (parts.size() == 1) {
        seconds = parts[0] * 60;
    } else if (parts.size() == 2) {
        seconds = parts[0] * 60 + parts[1];
    } else {
        seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
    }
    if (seconds <= 0) throw ConfigError("time: must be more than 0, got '" + time + "'");
    return seconds;
}

// The template with every {{field}} replaced. A line holding a field whose value is empty is left
// out: that is how an #SBATCH option that was not given disappears.
std::string render_template(const std::string& text, const std::map<std::string, std::string>& fields) {
    std::string out;
    std::istringstream in(text);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        std::string rendered;
        bool drop = false;
        std::size_t pos = 0;
        for (std::size_t open; (open = line.find("{{", pos)) != std::string::npos;) {
            const std::size_t close = line.find("}}", open + 2);
            if (close == std::string::npos)
                throw ConfigError("template: line " + std::to_string(number) + ": '{{' without '}}'");
            const std::string name = line.substr(open + 2, close - open - 2);
            const auto field = fields.find(name);
            if (field == fields.end())
                throw ConfigError("template: line " + std::to_string(number) + ": unknown field {{" + name + "}}");
            drop = drop || field->second.empty();
            rendered.append(line, pos, open - pos).append(field->second);
            pos = close + 2;
        }
        rendered.append(line, pos);
        if (!drop) out += rendered + '\n';
    }
    return out;
}

// `text` as one word for bash: single-quoted, each ' written as '\''.
std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// #SBATCH lines are split at white space and may not continue over a line.
void check_directive_value(const std::string& option, const std::string& value) {
    if (value.find_first_of(" \t\r\n\"'\\") != std::string::npos)
        throw ConfigError(option + ": '" + value + "': white space, quotes and backslashes cannot go on an #SBATCH line");
}

// A job name Slurm and squeue show plainly: the spec's file name, other characters as '_'.
std::string job_name(const fs::path& spec) {
    std::string name = "dnnsweep-" + spec.stem().string();
    std::ranges::replace_if(name, [](unsigned char c) { return !std::isalnum(c) && c != '-' && c != '_' && c != '.'; }, '_');
    return name;
}

// Slurm's file name patterns treat '%' as special; "%%" is a plain '%'.
std::string escape_percent(const std::string& path) {
    std::string out;
    for (const char c : path) out += c == '%' ? std::string("%%") : std::string(1, c);
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("template: " + path + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// ----------------------------------------------------------------------------------- the job

struct Job {
    fs::path out, script;
    std::string text;
};

SubmitCli parse_cli(const std::vector<std::string>& args) {
    SubmitCli cli;
    const po::variables_map vm = parse_command_line(args, make_options(cli), cli.spec_path);
    if (cli.help) return cli;
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
    for (const auto& [option, value] : {std::pair{"time", &cli.time}, {"partition", &cli.partition}, {"account", &cli.account}})
        check_directive_value(option, *value);
    return cli;
}

// The signal must come early enough for the sweep to stop and merge, and before the limit itself.
long signal_seconds(const SubmitCli& cli) {
    const std::optional<long> limit = cli.time.empty() ? std::nullopt : slurm_time_seconds(cli.time);
    if (cli.signal_seconds > 0) {
        if (limit && cli.signal_seconds >= *limit)
            throw ConfigError("signal-seconds: " + std::to_string(cli.signal_seconds) + " is not less than --time (" +
                              std::to_string(*limit) + " s)");
        return cli.signal_seconds;
    }
    if (!limit) return 300;
    const long s = std::clamp(*limit / 4, 30L, 300L);
    return s < *limit ? s : std::max(1L, *limit / 2);
}

Job render_job(const SubmitCli& cli) {
    // A spec that does not load would fail on the cluster after waiting in the queue: refuse it now.
    const SweepSpec spec = load_spec(cli.spec_path);
    const Grid grid(spec);
    if (const PrunePolicy& p = policy(spec.prune.mode); cli.array > 1 && !p.array_tasks)
        throw ConfigError("array: " + cli.spec_path + " has prune = " + std::string(p.name) + ", which " +
                          std::string(p.one_job_because) + ": submit it as one MPI job (or use prune = chance)");

    Job job;
    job.out = fs::absolute(cli.out).lexically_normal();
    job.script = job.out;
    job.script += ".sbatch";
    check_directive_value("out", job.out.string());
    const fs::path spec_path = fs::absolute(cli.spec_path).lexically_normal();
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find the dnnsweep binary (/proc/self/exe): " + ec.message());

    const int cpus = cli.cpus_per_task > 0 ? cli.cpus_per_task : spec.threads;
    const std::string log = escape_percent(job.out.string()) + (cli.array > 1 ? ".slurm-%A_%a.log" : ".slurm-%j.log");
    const std::map<std::string, std::string> fields{
        {"job_name", job_name(spec_path)},
        {"nodes", std::to_string(cli.nodes)},
        {"ntasks_per_node", std::to_string(cli.ntasks_per_node)},
        {"cpus_per_task", std::to_string(cpus)},
        {"time", cli.time},
        {"partition", cli.partition},
        {"account", cli.account},
        {"array", cli.array > 1 ? "0-" + std::to_string(cli.array - 1) : ""},
        {"log", log},
        {"signal_seconds", std::to_string(signal_seconds(cli))},
        {"dnnsweep", shell_quote(self.string())},
        {"spec", shell_quote(spec_path.string())},
        {"out", shell_quote(job.out.string())},
        {"max_requeues", std::to_string(cli.max_requeues)},
        {"array_tasks", std::to_string(cli.array)},
        {"launcher", cli.launcher},
    };
    job.text = render_template(cli.template_path.empty() ? std::string(kSbatchTemplate) : read_file(cli.template_path),
                               fields);
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

// A file descriptor closed when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

// posix_spawn's file actions, destroyed when done.
class SpawnActions {
public:
    SpawnActions() { posix_spawn_file_actions_init(&actions_); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() { return &actions_; }

private:
    posix_spawn_file_actions_t actions_;
};

struct Captured {
    int exit_status = 0;  // 128 + N when killed by signal N
    std::string out;
};

// Runs argv[0] from PATH with stdout captured; stderr goes straight to ours, as sbatch wrote it.
// nullopt when the program is not on PATH.
std::optional<Captured> run_capturing(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    Fd read_end(fds[0]), write_end(fds[1]);
    SpawnActions actions;
    posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), STDOUT_FILENO);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int err = posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), environ);
    if (err == ENOENT) return std::nullopt;
    if (err != 0) throw std::system_error(err, std::generic_category(), argv[0]);
    write_end.reset();  // so the read below sees the end when the child exits
    Captured result;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n > 0) result.out.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR) break;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

int submit(const Job& job) {
    save_script(job);
    const std::string script = job.script.string();
    const std::optional<Captured> sbatch = run_capturing({"sbatch", "--parsable", script});
    if (!sbatch) {
        std::cerr << "dnnsweep submit: error: sbatch not found on PATH (not a Slurm login node?); the script is "
                  << script << std::endl;
        return exit_code::failure;
    }
    if (sbatch->exit_status != 0) {
        std::cerr << "dnnsweep submit: error: sbatch exited with " << sbatch->exit_status << "; the script is "
                  << script << std::endl;
        return exit_code::failure;
    }
    // --parsable prints "JOBID" or "JOBID;CLUSTER".
    std::string id = sbatch->out.substr(0, sbatch->out.find(';'));
    std::erase_if(id, [](unsigned char c) { return std::isspace(c); });
    if (id.empty()) {
        std::cerr << "dnnsweep submit: error: sbatch printed no job id; the script is " << script << std::endl;
        return exit_code::failure;
    }
    std::cout << id << std::endl;
    std::cerr << "dnnsweep submit: submitted job " << id << "; script " << script << ", logs next to it; watch with "
              << "`squeue -j " << id << "` and `dnnsweep status " << job.out.string() << "`" << std::endl;
    return exit_code::ok;
}

}  // namespace

int run_submit_command(const std::vector<std::string>& args) {
    SubmitCli cli;
    Job job;
    try {
        cli = parse_cli(args);
        if (cli.help) {
            print_help(std::cout);
            return exit_code::ok;
        }
        job = render_job(cli);
    } catch (const po::error& e) {
        std::cerr << "dnnsweep submit: error: " << e.what() << std::endl;
        return exit_code::usage;
    } catch (const ConfigError& e) {
        std::cerr << "dnnsweep submit: error: --" << e.what() << std::endl;
        return exit_code::usage;
    } catch (const SpecError& e) {
        std::cerr << "dnnsweep submit: error: " << e.what() << std::endl;
        return exit_code::usage;
    }
    if (cli.dry_run) {
        std::cout << job.text;
        return exit_code::ok;
    }
    try {
        return submit(job);
    } catch (const ConfigError& e) {
        std::cerr << "dnnsweep submit: error: --" << e.what() << std::endl;
        return exit_code::usage;
    } catch (const std::exception& e) {
        std::cerr << "dnnsweep submit: error: " << e.what() << std::endl;
        return exit_code::failure;
    }
}

}  // namespace dnnsweep
