#include "runner/sweep_command.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <tuple>

#include <boost/program_options.hpp>

#include "engine/folds.hpp"
#include "engine/stop.hpp"
#include "outputs/results_store.hpp"
#include "outputs/shard.hpp"
#include "runner/command.hpp"
#include "runner/mpi.hpp"
#include "runner/progress.hpp"
#include "runner/sweep_protocol.hpp"
#include "runner/signals.hpp"
#include "runner/unit_runner.hpp"
#include "runner/work_queue.hpp"
#include "sweeps/config_options.hpp"
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
    po::options_description options = make_options(cli);
    po::options_description all(options);
    all.add_options()("spec", po::value(&cli.spec_path));
    po::positional_options_description positional;
    positional.add("spec", 1);
    const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).style(style).run(), vm);
    po::notify(vm);
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

DataShape shape_of(const Dataset& d) { return {d.size(), d.features(), d.classes}; }

double now_unix() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The inputs every rank needs; rank 0 validates them before anyone trains.
struct Study {
    SweepSpec spec;
    Grid grid;
    Dataset data;
};

// A batch larger than a fold's training part is almost certainly a mistake (the run would silently
// train full-batch): refuse it and name `full`, which says so on purpose.
void check_batch_sizes(const SweepSpec& spec, const Dataset& data) {
    const auto axis = std::ranges::find(spec.axes, std::string("batch-size"), &Axis::key);
    if (axis == spec.axes.end()) return;
    std::size_t smallest = std::numeric_limits<std::size_t>::max();
    for (int f = 0; f < spec.split.folds; ++f)
        smallest = std::min(smallest, unit_rows(spec.split, data.y, data.classes, f).train.size());
    for (const std::string& v : axis->values)
        if (v != "full" && std::stoull(v) > smallest)
            throw SpecError(spec.path + ": batch-size: " + v + " is larger than a fold's training part (" +
                            std::to_string(smallest) + " rows); use 'full' for whole-set batches");
}

Study load_study(const std::string& spec_path) {
    SweepSpec spec = load_spec(spec_path);
    Grid grid(spec);
    Dataset data = load_dataset(spec.data, spec.label_format);
    try {
        validate_split(spec.split, data.y, data.classes);
    } catch (const ConfigError& e) {
        throw SpecError(spec.path + ": " + e.what());
    }
    check_batch_sizes(spec, data);
    return {std::move(spec), std::move(grid), std::move(data)};
}

std::string timestamp() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&t));
    return buf;
}

// Renames `path` to `path.<why>-<time>` (never deleting anything) and says so on stderr.
void move_aside(const fs::path& path, const std::string& why, const std::string& reason) {
    fs::path target = path;
    target += "." + why + "-" + timestamp();
    for (int i = 1; fs::exists(target); ++i) target.replace_extension("." + std::to_string(i));
    fs::rename(path, target);
    std::cerr << "dnnsweep sweep: warning: " << path.string() << ": " << reason << "; moved aside to "
              << target.string() << std::endl;
}

// --restart: the previous results and shards go aside, under names that say when.
void restart_out(const std::string& out) {
    if (fs::exists(out)) move_aside(out, "replaced", "--restart");
    if (fs::exists(parts_dir(out))) move_aside(parts_dir(out), "replaced", "--restart");
}

// Refuses an --out that cannot be ours before anything runs: results or shards of another spec, or
// a folder where the shards cannot be written. A file a crash left unreadable is moved aside (its
// units run again). Returns the units already recorded (resume).
std::set<std::uint64_t> check_out(const std::string& out, const SweepSpec& spec) {
    std::set<std::uint64_t> done;
    const auto refuse = [&](const std::string& file, const std::string& hash) {
        throw ResultsError(file + ": holds the results of another sweep spec (hash " + hash + ", this spec " +
                           spec.hash + "); choose another --out, or --restart to move the old results aside");
    };
    if (fs::exists(out)) {
        std::optional<Results> previous;
        try {
            previous = read_results(out);
        } catch (const ResultsError& e) {
            move_aside(out, "unreadable", std::string("cannot be read (") + e.what() + ")");
        }
        if (previous) {
            if (previous->spec_hash != spec.hash) refuse(out, previous->spec_hash);
            for (const UnitResult& u : previous->units) done.insert(u.unit);
        }
    }
    const fs::path parts = parts_dir(out);
    std::error_code ec;
    fs::create_directories(parts, ec);
    if (ec) throw ResultsError(parts.string() + ": cannot create the results folder: " + ec.message());
    if (access(parts.c_str(), W_OK) != 0) throw ResultsError(parts.string() + ": not writable");
    std::vector<fs::path> shards;
    for (const auto& entry : fs::directory_iterator(parts))
        if (entry.path().extension() == ".h5") shards.push_back(entry.path());
    for (const fs::path& shard : shards) {
        std::optional<detail::ShardContents> contents;
        try {
            contents = detail::read_shard_contents(shard.string());
        } catch (const ResultsError& e) {
            move_aside(shard, "unreadable", std::string("cannot be read (") + e.what() + ")");
            continue;
        }
        if (contents->spec_hash != spec.hash) refuse(shard.string(), contents->spec_hash);
        for (const UnitResult& u : contents->units)
            if (u.status != "stopped") done.insert(u.unit);
    }
    return done;
}

protocol::UnitStatus status_of(const UnitResult& r) {
    if (r.status == "failed") return protocol::UnitStatus::Failed;
    if (r.status == "diverged") return protocol::UnitStatus::Diverged;
    if (r.status == "stopped") return protocol::UnitStatus::Stopped;
    return protocol::UnitStatus::Ok;
}

Outcome outcome_of(protocol::UnitStatus s) {
    switch (s) {
        case protocol::UnitStatus::Failed: return Outcome::Failed;
        case protocol::UnitStatus::Stopped: return Outcome::Stopped;
        default: return Outcome::Done;
    }
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// ------------------------------------------------------------------------------- the two roles

struct Plan {
    std::vector<std::uint64_t> todo;  // longest first
    std::uint64_t units = 0;          // this run's share of the grid (all of it without --array-tasks)
    std::uint64_t already_done = 0;   // of that share
    double todo_flops = 0.0;
};

// The units this run is responsible for: all of them, or with --array-tasks K every K-th of the
// longest-first schedule from position --array-task (so the K tasks get similar total cost, and a
// task's share never depends on what is already done).
Plan make_plan(const Study& s, const std::set<std::uint64_t>& done, int array_task, int array_tasks) {
    Plan p;
    const auto schedule = s.grid.schedule(shape_of(s.data));
    std::uint64_t mine = 0;
    for (std::size_t i = 0; i < schedule.size(); ++i) {
        if (static_cast<int>(i % static_cast<std::size_t>(array_tasks)) != array_task) continue;
        ++mine;
        const std::uint64_t u = schedule[i];
        if (!done.contains(u)) {
            p.todo.push_back(u);
            p.todo_flops += s.grid.unit_flops(u, shape_of(s.data));
        }
    }
    p.already_done = mine - p.todo.size();
    p.units = mine;
    return p;
}

// Array tasks of one sweep merge into the same file as they finish: one merge at a time (an
// advisory lock next to the results), so the last one to merge sees every task's shards complete.
class MergeLock {
public:
    explicit MergeLock(const std::string& out) : fd_(::open((out + ".lock").c_str(), O_CREAT | O_RDWR, 0644)) {
        if (fd_ < 0) throw ResultsError(out + ".lock: cannot open the merge lock: " + std::strerror(errno));
        if (flock(fd_, LOCK_EX) != 0) {
            const int err = errno;
            ::close(fd_);
            throw ResultsError(out + ".lock: cannot take the merge lock: " + std::strerror(err));
        }
    }
    ~MergeLock() { ::close(fd_); }  // closing releases the lock
    MergeLock(const MergeLock&) = delete;
    MergeLock& operator=(const MergeLock&) = delete;

private:
    int fd_;
};

// What rank 0 saw of the run, for the closing lines and the exit code.
struct RunSummary {
    std::size_t done = 0, failed = 0, abandoned = 0;
    double unit_seconds = 0.0;    // the workers' training seconds, summed
    double record_seconds = 0.0;  // the workers' shard appends, summed
    double handling_seconds = 0.0;  // rank 0's time answering requests (receive, bookkeeping, send)
    std::size_t requests = 0, reports = 0;  // requests answered; of them, reports of a finished unit
    bool stopped = false;
};

// Rank 0 of a multi-rank job: hands out units, never trains, never spins (protocol steps 2-6).
RunSummary coordinate(const Study& s, const Plan& plan, int ranks, int retries, Progress& progress) {
    WorkQueue queue(plan.todo, retries);
    RunSummary summary;
    std::vector<std::uint64_t> busy(static_cast<std::size_t>(ranks), protocol::kNoUnit);  // unit per worker
    int closed = 0;
    Backoff backoff;
    // Stopping: a signal here, or a worker that reports it stopped (it got the signal). Busy
    // workers are told to abandon their unit; every request is answered with kStop.
    const auto begin_stop = [&] {
        if (summary.stopped) return;
        summary.stopped = true;
        for (int w = 1; w < ranks; ++w)
            if (busy[static_cast<std::size_t>(w)] != protocol::kNoUnit) send_words({0}, w, protocol::kAbort);
    };
    while (closed < ranks - 1) {
        if (stop_signal() != 0) begin_stop();
        MPI_Status status;
        if (!probe_any(status)) {
            backoff.wait();
            continue;
        }
        backoff.reset();
        const auto handling_start = std::chrono::steady_clock::now();
        const int worker = status.MPI_SOURCE;
        if (status.MPI_TAG == protocol::kRequest) {
            const auto report = recv_words(protocol::kRequestWords, worker, protocol::kRequest);
            busy[static_cast<std::size_t>(worker)] = protocol::kNoUnit;
            if (report[0] != protocol::kNoUnit) {
                const auto unit_status = static_cast<protocol::UnitStatus>(report[1]);
                if (unit_status == protocol::UnitStatus::Stopped) begin_stop();
                if (queue.report(report[0], outcome_of(unit_status)))
                    progress.unit_done(unit_status == protocol::UnitStatus::Failed,
                                       s.grid.unit_flops(report[0], shape_of(s.data)));
                summary.unit_seconds += std::bit_cast<double>(report[2]);
                summary.record_seconds += std::bit_cast<double>(report[3]);
                ++summary.reports;
            }
            const std::optional<std::uint64_t> next = summary.stopped ? std::nullopt : queue.next();
            if (next) {
                busy[static_cast<std::size_t>(worker)] = *next;
                send_words({*next}, worker, protocol::kAssign);
            } else {
                send_words({0}, worker, protocol::kStop);
            }
            summary.handling_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - handling_start).count();
            ++summary.requests;
        } else if (status.MPI_TAG == protocol::kClosed) {
            recv_words(protocol::kEmptyWords, worker, protocol::kClosed);
            ++closed;
        } else {
            throw MpiError("coordinator: unexpected message tag " + std::to_string(status.MPI_TAG) + " from rank " +
                           std::to_string(worker));
        }
    }
    summary.done = queue.final_done();
    summary.failed = queue.final_failed();
    summary.abandoned = queue.abandoned();
    return summary;
}

// Worker: the unit in training is abandoned at the next mini-batch when this rank got a stop
// signal or the coordinator sent kAbort (it got one, or another worker did).
bool g_abort_received = false;
bool worker_should_stop() {
    if (stop_signal() != 0 || g_abort_received) return true;
    int flag = 0;
    MPI_Status status;
    mpi_check(MPI_Iprobe(0, protocol::kAbort, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag) {
        recv_words(protocol::kEmptyWords, 0, protocol::kAbort);
        g_abort_received = true;
    }
    return g_abort_received;
}

// A worker rank: asks for units, trains them, records each in its own shard before reporting it.
void work(const Study& s, const std::string& out, const RunInfo& info, int rank, const std::string& host) {
    set_stop_check(worker_should_stop);
    {
        ShardWriter shard(shard_path(out, rank, info.run_id), s.spec, info, rank);
        std::vector<std::uint64_t> report{protocol::kNoUnit, static_cast<std::uint64_t>(protocol::UnitStatus::None), 0, 0};
        for (;;) {
            send_words(report, 0, protocol::kRequest);
            auto [tag, words] = recv_polling(protocol::kAssignWords, 0);
            // A kAbort that crossed this request (the unit had already finished) is stale.
            while (tag == protocol::kAbort) std::tie(tag, words) = recv_polling(protocol::kAssignWords, 0);
            if (tag == protocol::kStop) break;
            if (tag != protocol::kAssign) throw MpiError("worker: unexpected message tag " + std::to_string(tag));
            g_abort_received = false;
            const UnitResult r = run_unit(s.spec, s.grid, s.data, words[0], rank, host);
            // A unit cut short by a stop is not a result: it is not recorded, and runs again on resume.
            const auto record_start = std::chrono::steady_clock::now();
            if (r.status != "stopped") shard.append(r);
            const double record_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - record_start).count();
            report = {words[0], static_cast<std::uint64_t>(status_of(r)), std::bit_cast<std::uint64_t>(r.seconds),
                      std::bit_cast<std::uint64_t>(record_seconds)};
        }
    }  // the shard is closed before rank 0 is told so
    send_words({0}, 0, protocol::kClosed);
}

// One rank alone: the same steps without messages.
RunSummary work_alone(const Study& s, const Plan& plan, const std::string& out, const RunInfo& info,
                      const std::string& host, int retries, Progress& progress) {
    set_stop_check([] { return stop_signal() != 0; });
    WorkQueue queue(plan.todo, retries);
    RunSummary summary;
    ShardWriter shard(shard_path(out, 0, info.run_id), s.spec, info, 0);
    while (stop_signal() == 0) {
        const std::optional<std::uint64_t> u = queue.next();
        if (!u) break;
        const UnitResult r = run_unit(s.spec, s.grid, s.data, *u, 0, host);
        if (r.status != "stopped") shard.append(r);
        summary.unit_seconds += r.seconds;
        if (queue.report(*u, outcome_of(status_of(r))))
            progress.unit_done(r.status == "failed", s.grid.unit_flops(*u, shape_of(s.data)));
    }
    summary.stopped = stop_signal() != 0;
    summary.done = queue.final_done();
    summary.failed = queue.final_failed();
    summary.abandoned = queue.abandoned();
    return summary;
}

int dry_run(const SweepCli& cli) {
    const Study s = load_study(cli.spec_path);
    std::cout << dry_run_text(s.spec, s.grid, shape_of(s.data), cli.gflops * 1e9, cli.ranks);
    return exit_code::ok;
}

int run_sweep(const SweepCli& cli) {
    MpiSession mpi;
    install_stop_signals();
    const int rank = mpi.rank(), ranks = mpi.size();
    const std::string host = mpi.host();

    // Step 1: rank 0 validates everything a user can get wrong, then tells the others to go on.
    std::optional<Study> study;
    std::set<std::uint64_t> done;
    std::string error;
    if (rank == 0) {
        try {
            study = load_study(cli.spec_path);
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
    if (rank != 0) study = load_study(cli.spec_path);  // valid on rank 0, so valid here too

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

    if (rank != 0) {
        work(*study, cli.out, info, rank, host);
        return exit_code::ok;  // rank 0 decides the job's exit code
    }

    const Plan plan = make_plan(*study, done, cli.array_task, cli.array_tasks);
    std::cerr << "dnnsweep sweep: " << study->grid.size() << " configurations x " << study->grid.folds()
              << " folds = " << study->grid.unit_count() << " units";
    if (cli.array_tasks > 1)
        std::cerr << "; array task " << cli.array_task << " of " << cli.array_tasks << ": " << plan.units << " of them";
    std::cerr << " (" << plan.todo.size() << " to run) on " << ranks << (ranks == 1 ? " rank" : " ranks") << std::endl;
    Progress progress(Progress::parse(cli.progress, stderr), stderr, plan.units, plan.already_done,
                      plan.todo_flops, cli.progress_interval);
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
                      "(answer a request), %.2f ms recording (worker's shard append)",
                      cpu, wall, 100.0 * cpu / std::max(wall, 1e-9),
                      100.0 * summary.unit_seconds / (std::max(wall, 1e-9) * (ranks - 1)), ranks - 1,
                      1e6 * summary.handling_seconds / static_cast<double>(std::max<std::size_t>(1, summary.requests)),
                      1e3 * summary.record_seconds / units);
        std::cerr << line << std::endl;
    }

    info.finished_at = summary.stopped ? 0.0 : now_unix();
    {
        const MergeLock lock(cli.out);
        merge_results(cli.out, study->spec, study->grid, info);
    }
    const std::uint64_t recorded = plan.already_done + summary.done + summary.failed;
    std::cout << "results: " << cli.out << " (" << recorded << " of " << plan.units << " units"
              << (cli.array_tasks > 1 ? " of this array task" : "") << ", " << summary.failed << " failed)" << std::endl;
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
