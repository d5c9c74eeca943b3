#include "runner/cli/status_command.hpp"

#include <algorithm>
#include <ctime>
#include <iostream>
#include <map>

#include <fmt/chrono.h>

#include <boost/program_options.hpp>

#include "engine/text_format.hpp"
#include "outputs/report.hpp"
#include "outputs/unit_status.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/command_line.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

std::string local_time(double unix_seconds) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(static_cast<std::time_t>(unix_seconds)));
}

void print_status(const ReportSource& src, const std::string& path, std::ostream& out) {
    std::map<std::string, std::size_t> by_status;
    double last = 0.0;
    for (const UnitResult& u : src.results.units) {
        if (!unit_status::is_done(u.status)) continue;  // abandoned: to be run again
        ++by_status[std::string(name(u.status))];
        last = std::max(last, u.finished_at);
    }
    const std::uint64_t remaining = src.units_total - std::min(src.units_total, src.units_done);
    out << path << ": " << (src.partial ? "incomplete" : "complete") << '\n'
        << "  units: " << src.units_total << " in the grid (" << src.configs_total << " configurations x "
        << src.folds_per_config << " folds), " << src.units_done << " recorded, " << remaining << " remaining\n"
        << "  recorded:";
    for (const auto& [status, n] : by_status) out << " " << status << " " << n;
    if (by_status.empty()) out << " none";
    out << '\n';
    // Pruned units are done (final, never rerun): they count above, and here for what they saved.
    const PruningSummary p = pruning_summary(src.results);
    if (p.planned > 0) {
        out << "  epochs: " << thousands(p.trained) << " trained of " << thousands(p.planned)
            << " planned for the units recorded";
        if (p.units > 0)
            out << "; pruning saved " << thousands(p.saved) << " (" << percent(p.saved, p.planned) << "; "
                << thousands(p.units) << (p.units == 1 ? " unit" : " units") << " of " << thousands(p.configs)
                << (p.configs == 1 ? " configuration" : " configurations") << " pruned"
                << (p.not_started > 0 ? ", " + thousands(p.not_started) + " of them never started" : "") << ")";
        out << '\n';
    }
    if (last > 0.0)
        out << "  last unit finished: " << local_time(last) << " ("
            << duration_text(static_cast<double>(std::time(nullptr)) - last) << " ago)\n";
    if (!src.results.info.data_fingerprint.empty())
        out << "  data: " << src.results.info.data_source << " (" << src.results.info.data.samples << " x "
            << src.results.info.data.features << ", " << src.results.info.data.classes << " classes), fingerprint "
            << src.results.info.data_fingerprint << '\n';
    out << "  read: " << (src.merged_read ? "the merged file" : "no merged file yet");
    if (src.shards_read > 0) out << " + " << src.shards_read << " shard(s) with newer units";
    out << '\n';
}

int status(const std::vector<std::string>& args, const po::options_description& options, const bool& help) {
    std::string path;
    parse_command_line(args, options, path);
    if (help) {
        std::cout << "Usage: dnnsweep status RESULTS.h5\n\n"
                     "Done (ok, diverged, pruned), failed and remaining units of a sweep, the epochs trained\n"
                     "and saved by pruning, and when the last one finished. Works\n"
                     "while the sweep runs: it reads the shards next to the results file in SWMR mode,\n"
                     "which neither blocks nor disturbs the writers.\n\n"
                     "Exit codes: 0 complete, 3 incomplete (rerun the sweep to resume), 2 bad input.\n\n"
                  << options;
        return exit_code::ok;
    }
    if (path.empty()) throw po::error("missing the results file (dnnsweep status RESULTS.h5)");
    const ReportSource src = load_report_source(path);
    print_status(src, path, std::cout);
    return src.partial ? exit_code::incomplete : exit_code::ok;
}

}  // namespace

int run_status_command(const std::vector<std::string>& args) {
    bool help = false;
    po::options_description options("Options");
    options.add_options()("help,h", po::bool_switch(&help), "print this help and exit");
    return run_command("status", options, [&] { return status(args, options, help); });
}

}  // namespace dnnsweep
