#include "runner/sweep_command.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include <boost/program_options.hpp>

#include "engine/folds.hpp"
#include "outputs/results_store.hpp"
#include "runner/command.hpp"
#include "runner/mpi.hpp"
#include "runner/progress.hpp"
#include "runner/sweep_protocol.hpp"
#include "runner/unit_runner.hpp"
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
    bool help = false;
};

po::options_description make_options(SweepCli& cli) {
    po::options_description o("Options", kHelpWidth);
    o.add_options()
        ("out", po::value(&cli.out)->value_name("FILE"), "results file (HDF5); an existing one for the same spec is resumed")
        ("dry-run", po::bool_switch(&cli.dry_run), "print the grid size, unit count and estimated cost; train nothing")
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
           "  0  every unit ran (units that failed or diverged are recorded as such)\n"
           "  1  unexpected failure (an MPI or HDF5 error, ...)\n"
           "  2  bad usage or input: unknown option, bad spec, missing or malformed data, unusable --out\n";
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

Study load_study(const std::string& spec_path) {
    SweepSpec spec = load_spec(spec_path);
    Grid grid(spec);
    Dataset data = load_dataset(spec.data, spec.label_format);
    try {
        validate_split(spec.split, data.y, data.classes);
    } catch (const ConfigError& e) {
        throw SpecError(spec.path + ": " + e.what());
    }
    return {std::move(spec), std::move(grid), std::move(data)};
}

// Refuses an --out that cannot be ours before anything runs: a results file of another spec, or a
// folder where the shards cannot be written. Returns the units already recorded (resume).
std::set<std::uint64_t> check_out(const std::string& out, const SweepSpec& spec) {
    std::set<std::uint64_t> done;
    if (fs::exists(out)) {
        const Results previous = read_results(out);
        if (previous.spec_hash != spec.hash)
            throw ResultsError(out + ": holds the results of another sweep spec (hash " + previous.spec_hash +
                               ", this spec " + spec.hash + "); choose another --out");
        for (const UnitResult& u : previous.units) done.insert(u.unit);
    }
    const fs::path parts = parts_dir(out);
    std::error_code ec;
    fs::create_directories(parts, ec);
    if (ec) throw ResultsError(parts.string() + ": cannot create the results folder: " + ec.message());
    if (access(parts.c_str(), W_OK) != 0) throw ResultsError(parts.string() + ": not writable");
    for (const auto& entry : fs::directory_iterator(parts))
        if (entry.path().extension() == ".h5")
            for (const UnitResult& u : read_shard(entry.path().string())) done.insert(u.unit);
    return done;
}

protocol::UnitStatus status_of(const UnitResult& r) {
    if (r.status == "failed") return protocol::UnitStatus::Failed;
    if (r.status == "diverged") return protocol::UnitStatus::Diverged;
    return protocol::UnitStatus::Ok;
}

// ------------------------------------------------------------------------------- the two roles

struct Plan {
    std::vector<std::uint64_t> todo;  // longest first
    std::uint64_t already_done = 0;
    double todo_flops = 0.0;
};

Plan make_plan(const Study& s, const std::set<std::uint64_t>& done) {
    Plan p;
    for (const std::uint64_t u : s.grid.schedule(shape_of(s.data)))
        if (!done.contains(u)) {
            p.todo.push_back(u);
            p.todo_flops += s.grid.unit_flops(u, shape_of(s.data));
        }
    p.already_done = s.grid.unit_count() - p.todo.size();
    return p;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Rank 0 of a multi-rank job: hands out units, never trains, never spins (protocol steps 2-6).
// Returns the sum of the units' training seconds the workers reported.
double coordinate(const Study& s, const Plan& plan, int ranks, Progress& progress) {
    double unit_seconds = 0.0;
    std::size_t next = 0;
    int closed = 0;
    Backoff backoff;
    while (closed < ranks - 1) {
        MPI_Status status;
        if (!probe_any(status)) {
            backoff.wait();
            continue;
        }
        backoff.reset();
        const int worker = status.MPI_SOURCE;
        if (status.MPI_TAG == protocol::kRequest) {
            const auto report = recv_words(protocol::kRequestWords, worker, protocol::kRequest);
            if (report[0] != protocol::kNoUnit) {
                progress.unit_done(report[1] == static_cast<std::uint64_t>(protocol::UnitStatus::Failed),
                                   s.grid.unit_flops(report[0], shape_of(s.data)));
                unit_seconds += std::bit_cast<double>(report[2]);
            }
            if (next < plan.todo.size())
                send_words({plan.todo[next++]}, worker, protocol::kAssign);
            else
                send_words({0}, worker, protocol::kStop);
        } else if (status.MPI_TAG == protocol::kClosed) {
            recv_words(protocol::kEmptyWords, worker, protocol::kClosed);
            ++closed;
        } else {
            throw MpiError("coordinator: unexpected message tag " + std::to_string(status.MPI_TAG) + " from rank " +
                           std::to_string(worker));
        }
    }
    return unit_seconds;
}

// A worker rank: asks for units, trains them, records each in its own shard before reporting it.
void work(const Study& s, const std::string& out, const RunInfo& info, int rank, const std::string& host) {
    {
        ShardWriter shard(shard_path(out, rank, info.run_id), s.spec, info, rank);
        std::vector<std::uint64_t> report{protocol::kNoUnit, static_cast<std::uint64_t>(protocol::UnitStatus::None), 0};
        for (;;) {
            send_words(report, 0, protocol::kRequest);
            const auto [tag, words] = recv_polling(protocol::kAssignWords, 0);
            if (tag == protocol::kStop) break;
            if (tag != protocol::kAssign) throw MpiError("worker: unexpected message tag " + std::to_string(tag));
            const UnitResult r = run_unit(s.spec, s.grid, s.data, words[0], rank, host);
            shard.append(r);
            report = {words[0], static_cast<std::uint64_t>(status_of(r)), std::bit_cast<std::uint64_t>(r.seconds)};
        }
    }  // the shard is closed before rank 0 is told so
    send_words({0}, 0, protocol::kClosed);
}

// One rank alone: the same steps without messages.
void work_alone(const Study& s, const Plan& plan, const std::string& out, const RunInfo& info,
                const std::string& host, Progress& progress) {
    ShardWriter shard(shard_path(out, 0, info.run_id), s.spec, info, 0);
    for (const std::uint64_t u : plan.todo) {
        const UnitResult r = run_unit(s.spec, s.grid, s.data, u, 0, host);
        shard.append(r);
        progress.unit_done(r.status == "failed", s.grid.unit_flops(u, shape_of(s.data)));
    }
}

int dry_run(const SweepCli& cli) {
    const Study s = load_study(cli.spec_path);
    std::cout << dry_run_text(s.spec, s.grid, shape_of(s.data), cli.gflops * 1e9, cli.ranks);
    return exit_code::ok;
}

int run_sweep(const SweepCli& cli) {
    MpiSession mpi;
    const int rank = mpi.rank(), ranks = mpi.size();
    const std::string host = mpi.host();

    // Step 1: rank 0 validates everything a user can get wrong, then tells the others to go on.
    std::optional<Study> study;
    std::set<std::uint64_t> done;
    std::string error;
    int error_code = exit_code::usage;
    if (rank == 0) {
        try {
            study = load_study(cli.spec_path);
            done = check_out(cli.out, study->spec);
        } catch (const SpecError& e) {
            error = e.what();
        } catch (const DataError& e) {
            error = e.what();
        } catch (const ConfigError& e) {
            error = e.what();
        } catch (const ResultsError& e) {
            error = e.what();
        }
        if (!error.empty()) std::cerr << "dnnsweep sweep: error: " << error << std::endl;
    }
    if (broadcast_word(error.empty() ? protocol::kGo : protocol::kQuit) == protocol::kQuit) return error_code;
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
        return exit_code::ok;
    }

    const Plan plan = make_plan(*study, done);
    std::cerr << "dnnsweep sweep: " << study->grid.size() << " configurations x " << study->grid.folds()
              << " folds = " << study->grid.unit_count() << " units (" << plan.todo.size() << " to run) on "
              << ranks << (ranks == 1 ? " rank" : " ranks") << std::endl;
    Progress progress(Progress::parse(cli.progress, stderr), stderr, study->grid.unit_count(), plan.already_done,
                      plan.todo_flops, cli.progress_interval);
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    if (ranks == 1) {
        work_alone(*study, plan, cli.out, info, host, progress);
        progress.finish();
    } else {
        const double unit_seconds = coordinate(*study, plan, ranks, progress);
        progress.finish();
        // The two figures that say whether the coordinator design holds up (docs/PERFORMANCE.md).
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = cpu_seconds() - cpu0;
        char line[200];
        std::snprintf(line, sizeof line,
                      "dnnsweep sweep: coordinator CPU %.2f s over %.1f s (%.2f%% of a core); parallel efficiency "
                      "%.1f%% (unit training seconds / (%d workers x wall))",
                      cpu, wall, 100.0 * cpu / std::max(wall, 1e-9),
                      100.0 * unit_seconds / (std::max(wall, 1e-9) * (ranks - 1)), ranks - 1);
        std::cerr << line << std::endl;
    }

    info.finished_at = now_unix();
    merge_results(cli.out, study->spec, study->grid, info);
    std::cout << "results: " << cli.out << " (" << study->grid.unit_count() << " units)" << std::endl;
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
