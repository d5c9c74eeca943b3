#include "runner/cli/report_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <boost/program_options.hpp>

#include "outputs/plot_plan.hpp"
#include "outputs/report.hpp"
#include "outputs/report_files.hpp"
#include "outputs/report_json.hpp"
#include "outputs/report_text.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/cli/install_paths.hpp"
#include "runner/cli/subprocess.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with its numpy/h5py/matplotlib (README)

struct ReportCli {
    std::string path;
    std::size_t top = 10;
    std::size_t curves = 5;
    std::string format = "text";
    std::string csv_dir, plots_dir, html_path;
    bool all = false;
    bool help = false;
};

po::options_description make_options(ReportCli& cli) {
    po::options_description options("Options");
    options.add_options()("top", po::value(&cli.top)->value_name("N")->default_value(10),
                          "leaderboard rows, and examples per diagnosis group")(
        "all", po::bool_switch(&cli.all), "list every configuration of each diagnosis group")(
        "format", po::value(&cli.format)->value_name("text|json|csv")->default_value("text"),
        "standard output: the text report, one JSON object, or the leaderboard as CSV")(
        "csv", po::value(&cli.csv_dir)->value_name("DIR"),
        "write configs.csv, folds.csv, curves.csv, grad_norms.csv (pandas.read_csv reads them as they are)")(
        "plots", po::value(&cli.plots_dir)->value_name("DIR"),
        "write the figures as PNG and SVG (needs python3-matplotlib)")(
        "html", po::value(&cli.html_path)->value_name("FILE"),
        "write one self-contained HTML page: leaderboard, diagnosis, figures embedded")(
        "curves", po::value(&cli.curves)->value_name("N")->default_value(5),
        "learning-curve figures for the N best configurations (every not_training one is drawn too)")(
        "help,h", po::bool_switch(&cli.help), "print this help and exit");
    return options;
}

// --help: the usage, then the options, then the exit codes.
constexpr const char* kUsage =
    "Usage: dnnsweep report RESULTS.h5 [--top N] [--all] [--format text|json|csv] [--csv DIR]\n"
    "                       [--plots DIR] [--html FILE]\n\n"
    "The leaderboard, which settings matter, and the diagnosis of every configuration that does\n"
    "not train or overfits. A sweep still running is reported from its shards (RESULTS.h5.parts/),\n"
    "marked PARTIAL. Python users: docs/analysis.md.\n\n";
constexpr const char* kExitCodes =
    "\nExit codes: 0 done, 2 bad usage or input (a missing or unreadable results file, a path that\n"
    "cannot be written), 1 the plotting helper is missing or failed.\n";

// A folder removed with its contents when it goes out of scope (the figures of --html alone).
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "dnnsweep-report-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error(pattern + ": cannot create a temporary folder: " +
                                     std::error_code(errno, std::generic_category()).message());
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Runs the plotting script; its stderr's last line goes into the error when it fails. A failure
// here is the helper's, not the input's: std::runtime_error, exit code 1.
void run_plots_script(const std::string& plan, const std::string& dir) {
    if (::access(kPython, X_OK) != 0)
        throw std::runtime_error(std::string(kPython) +
                                 ": not found: --plots and --html need Debian's python3 with "
                                 "python3-matplotlib (bash scripts/setup.sh --no-data --no-build)");
    const std::string script = plots_script();
    const std::optional<ProcessResult> run =
        run_program({kPython, script, "--input", plan, "--out", dir}, Capture::Stderr);
    if (!run) throw std::runtime_error(script + ": cannot run: " + kPython + " not found");
    if (run->exit_status == 0) return;
    std::string text = run->captured;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const std::string last =
        text.substr(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
    throw std::runtime_error(dir + ": drawing the figures failed (" + script + " " +
                             (run->killed ? std::string("killed") : "exit " + std::to_string(run->exit_status)) +
                             (last.empty() ? std::string(")") : "): " + last));
}

// Draws every figure into `dir` (created); returns them in page order with their PNG paths.
std::vector<HtmlFigure> draw_plots(const std::string& dir, const std::string& title, const ReportSource& src,
                                   std::size_t curves_top) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) throw ResultsError(dir + ": cannot create the folder: " + ec.message());
    if (::access(dir.c_str(), W_OK) != 0) throw ResultsError(dir + ": not writable");
    const TempDir tmp;
    const std::string plan = (fs::path(tmp.path()) / "plan.json").string();
    const std::vector<Figure> figures = write_plot_plan(plan, title, src, curves_top);
    run_plots_script(plan, dir);
    std::vector<HtmlFigure> out;
    for (const Figure& f : figures) {
        const std::string png = (fs::path(dir) / (f.file + ".png")).string();
        if (!fs::exists(png)) throw std::runtime_error(png + ": the plotting script did not write it");
        out.push_back({f.section, f.caption, png});
    }
    return out;
}

void write_files(const ReportCli& cli, const ReportSource& src) {
    if (!cli.csv_dir.empty()) {
        const auto files = write_csv_exports(cli.csv_dir, src, leaderboard_order(src.results.configs));
        std::cerr << "dnnsweep report: " << files.size() << " CSV files in " << cli.csv_dir << std::endl;
    }
    if (cli.plots_dir.empty() && cli.html_path.empty()) return;
    const std::string title = fs::path(cli.path).filename().string();
    std::vector<HtmlFigure> figures;
    if (!cli.plots_dir.empty()) {
        figures = draw_plots(cli.plots_dir, title, src, cli.curves);
        std::cerr << "dnnsweep report: " << figures.size() << " figures (PNG and SVG) in " << cli.plots_dir
                  << std::endl;
    }
    if (!cli.html_path.empty()) {
        std::optional<TempDir> tmp;  // figures only for the page: drawn aside, then removed
        if (cli.plots_dir.empty()) {
            tmp.emplace();
            figures = draw_plots(tmp->path(), title, src, cli.curves);
        }
        write_html(cli.html_path, title, src, cli.top, figures);
        std::cerr << "dnnsweep report: " << cli.html_path << " (" << figures.size() << " figures embedded)"
                  << std::endl;
    }
}

void write_leaderboard_csv(const ReportSource& src, std::size_t top, std::ostream& out) {
    const std::vector<std::size_t> order = leaderboard_order(src.results.configs);
    const auto rows = static_cast<std::ptrdiff_t>(std::min(top, order.size()));
    const h5::Table t = leaderboard_table(src, std::vector<std::size_t>(order.begin(), order.begin() + rows));
    std::vector<const h5::Column*> cols;
    for (const h5::Column& c : t.columns()) cols.push_back(&c);
    write_csv(out, cols);
}

int report(const std::vector<std::string>& args, const po::options_description& options, ReportCli& cli) {
    parse_command_line(args, options, cli.path);
    if (cli.help) {
        std::cout << kUsage << options << kExitCodes;
        return exit_code::ok;
    }
    if (cli.path.empty()) throw po::error("missing the results file (dnnsweep report RESULTS.h5)");
    if (cli.format != "text" && cli.format != "json" && cli.format != "csv")
        throw po::error("--format: '" + cli.format + "' is not one of text, json, csv");

    const ReportSource src = load_report_source(cli.path);
    write_files(cli, src);
    if (cli.format == "json")
        write_report_json(cli.path, src, cli.top, std::cout);
    else if (cli.format == "csv")
        write_leaderboard_csv(src, cli.top, std::cout);
    else
        write_report_text(src, cli.top, std::cout, cli.all);
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("standard output: write failed");
    return exit_code::ok;
}

}  // namespace

int run_report_command(const std::vector<std::string>& args) {
    ReportCli cli;
    const po::options_description options = make_options(cli);
    return run_command("report", options, [&] { return report(args, options, cli); });
}

}  // namespace dnnsweep
