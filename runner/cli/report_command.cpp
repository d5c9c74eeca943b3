#include "runner/cli/report_command.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <source_location>
#include <sstream>
#include <system_error>

#include <boost/program_options.hpp>

#include "outputs/report.hpp"
#include "outputs/report_files.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_line.hpp"
#include "runner/cli/json_writer.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace {

// A failure outside the input's fault (the plotting helper missing or crashing): exit code 1.
class ToolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with its numpy/h5py/matplotlib (README)

struct ReportCli {
    std::string path;
    std::size_t top = 10;
    std::size_t curves = 5;
    std::string format = "text";
    std::string csv_dir, plots_dir, html_path;
    bool help = false;
};

std::string num(double v, int digits = 3) {
    if (std::isnan(v)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

// Seconds to 3 significant digits: tiny networks train a fold in milliseconds.
std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", s);
    return buf;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// ------------------------------------------------------------------------------------------ text

void print_text(const ReportSource& src, std::size_t top, std::ostream& out) {
    const Results& r = src.results;
    const std::size_t failed = static_cast<std::size_t>(
        std::ranges::count(r.units, UnitStatus::Failed, &UnitResult::status));
    out << "dnnsweep report: " << r.units.size() << " of " << src.units_total << " units, " << r.configs.size() << " of "
        << src.configs_total << " configurations, " << failed << " failed units; " << r.info.ranks << " ranks; data "
        << r.info.data_source << " (" << r.info.data.samples << " samples, " << r.info.data.features << " features, "
        << r.info.data.classes << " classes)\n";
    if (src.partial)
        out << "PARTIAL: the sweep has not finished (" << src.units_done << " of " << src.units_total
            << " units done" << (src.merged_read ? "" : ", read from its shards") << "); figures cover the units done so far\n";
    if (const std::string pruning = pruning_text(pruning_summary(r), src.units_done); !pruning.empty())
        out << pruning << '\n';

    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> names = varied_options(r.configs);
    out << "\nLeaderboard (mean validation accuracy over folds +- std; ties: cheaper first):\n";
    out << "  " << pad("#", 4) << pad("val acc", 16) << pad("train acc", 11) << pad("test acc", 10) << pad("verdict", 14)
        << pad("s/fold", 8) << "settings\n";
    for (std::size_t i = 0; i < order.size() && i < top; ++i) {
        const ConfigSummary& c = r.configs[order[i]];
        out << "  " << pad(std::to_string(i + 1), 4) << pad(num(c.mean_val_acc) + " +- " + num(c.std_val_acc), 16)
            << pad(num(c.mean_train_acc), 11) << pad(num(c.mean_test_acc), 10) << pad(std::string(name(c.verdict)), 14)
            << pad(seconds_text(cost_per_fold(c)), 8) << settings_text(c.settings, names)
            << (folds_recorded(c) < src.folds_per_config ? "  (partial)" : "");
        if (c.folds_pruned > 0) out << "  (" << pruned_text(r.units, c.config) << ")";
        out << '\n';
    }

    out << "\nWhich settings matter (mean validation accuracy per value, best in brackets; ranked by spread):\n";
    for (const OptionInfluence& inf : influence(r.configs)) {
        out << "  " << pad(inf.option, 16) << "spread " << num(inf.spread) << "   ";
        for (std::size_t i = 0; i < inf.values.size(); ++i)
            out << (i ? " vs " : "") << inf.values[i].value << " " << num(inf.values[i].mean) << " ("
                << num(inf.values[i].best) << ")";
        out << '\n';
    }

    out << "\nDiagnosis:";
    for (const auto& [verdict, n] : verdict_counts(r.configs)) out << " " << verdict << " " << n << ";";
    out << '\n';
    const std::vector<std::size_t> rank_of = ranks_of(order);
    for (const std::size_t i : needs_action(r.configs, order)) {
        const ConfigSummary& c = r.configs[i];
        const auto rank = rank_of[i] + 1;
        out << "  #" << pad(std::to_string(rank), 4) << pad(std::string(name(c.verdict)), 14) << settings_text(c.settings, names)
            << ": " << c.reason << '\n';
    }
}

// ------------------------------------------------------------------------------------------ json

void option_value(JsonWriter& j, const OptionValue& v) {
    std::visit([&j](const auto& x) { j.value(x); }, v);
}

void settings_json(JsonWriter& j, const TrainConfig& c, const std::vector<std::string>& names) {
    j.key("settings").begin_object();
    for (const std::string& n : names) {
        j.key(n);
        option_value(j, find_config_option(n)->get(c));
    }
    j.end_object();
}

void epochs_json(JsonWriter& j, const ConfigSummary& c) {
    j.field("epochs_trained", c.epochs_trained).field("epochs_planned", c.epochs_planned);
    j.field("epochs_saved", c.epochs_saved);
}

// "pruned": null, or how many folds and after how many epochs.
void pruned_json(JsonWriter& j, const std::vector<UnitResult>& units, const ConfigSummary& c) {
    j.key("pruned");
    if (c.folds_pruned == 0) {
        j.value(nullptr);
        return;
    }
    const PrunedFolds p = pruned_folds(units_of(units, c.config), c.config);
    j.begin_object().field("folds", p.folds).field("not_started", p.not_started);
    j.field("min_epochs", p.min_epochs).field("max_epochs", p.max_epochs).end_object();
}

void print_json(const std::string& path, const ReportSource& src, std::size_t top, std::ostream& out) {
    const Results& r = src.results;
    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> names = varied_options(r.configs);
    JsonWriter j(out);
    j.begin_object().field("results", path).field("partial", src.partial).field("units_done", src.units_done);
    j.field("units_total", src.units_total).field("configs_done", r.configs.size());
    j.field("configs_total", src.configs_total).field("folds_per_config", src.folds_per_config);
    j.key("run").begin_object().field("version", r.info.version).field("run_id", r.info.run_id);
    j.field("ranks", r.info.ranks).field("started_at", r.info.started_at).field("finished_at", r.info.finished_at);
    j.field("data_source", r.info.data_source).field("samples", r.info.data.samples);
    j.field("features", r.info.data.features).field("classes", r.info.data.classes).end_object();
    const PruningSummary p = pruning_summary(r);
    j.key("pruning").begin_object().field("units", p.units).field("not_started", p.not_started);
    j.field("configs", p.configs).field("pruned_epochs_planned", p.pruned_planned).field("epochs_saved", p.saved);
    j.field("epochs_trained", p.trained).field("epochs_planned", p.planned).end_object();

    j.key("leaderboard").begin_array();
    for (std::size_t i = 0; i < order.size() && i < top; ++i) {
        const ConfigSummary& c = r.configs[order[i]];
        j.begin_object().field("rank", i + 1).field("config", c.config).field("config_id", c.config_id);
        settings_json(j, c.settings, names);
        j.field("mean_val_acc", c.mean_val_acc).field("std_val_acc", c.std_val_acc);
        j.field("mean_train_acc", c.mean_train_acc).field("mean_test_acc", c.mean_test_acc);
        j.field("verdict", name(c.verdict)).field("seconds_per_fold", cost_per_fold(c));
        j.field("folds_done", c.folds_done).field("folds_failed", c.folds_failed);
        j.field("folds_pruned", c.folds_pruned);
        epochs_json(j, c);
        pruned_json(j, r.units, c);
        j.field("complete", folds_recorded(c) >= src.folds_per_config).end_object();
    }
    j.end_array();

    j.key("influence").begin_array();
    for (const OptionInfluence& inf : influence(r.configs)) {
        j.begin_object().field("option", inf.option).field("spread", inf.spread).key("values").begin_array();
        for (const ValueInfluence& v : inf.values)
            j.begin_object().field("value", v.value).field("configs", v.configs).field("mean", v.mean)
                .field("best", v.best).end_object();
        j.end_array().end_object();
    }
    j.end_array();

    j.key("diagnosis").begin_object().key("counts").begin_object();
    for (const auto& [verdict, n] : verdict_counts(r.configs)) j.field(verdict, n);
    j.end_object().key("configs").begin_array();
    const std::vector<std::size_t> rank_of = ranks_of(order);
    for (const std::size_t i : needs_action(r.configs, order)) {
        const ConfigSummary& c = r.configs[i];
        j.begin_object().field("rank", rank_of[i] + 1).field("config", c.config);
        j.field("config_id", c.config_id).field("verdict", name(c.verdict));
        settings_json(j, c.settings, names);
        pruned_json(j, r.units, c);
        j.field("reason", c.reason).key("causes").begin_array();
        for (const Cause cause : c.causes) j.value(name(cause));
        j.end_array().end_object();
    }
    j.end_array().end_object().end_object();
    out << '\n';
}

// ----------------------------------------------------------------------------------------- plots

// A folder removed with its contents when it goes out of scope (the figures of --html alone).
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "dnnsweep-report-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw ToolError(pattern + ": cannot create a temporary folder: " +
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

// The plotting script: $DNNSWEEP_PLOTS_SCRIPT, else scripts/ of the tree this binary was built in
// (build*/runner/dnnsweep sits two levels below it), else of the tree it was compiled from.
std::string plots_script() {
    if (const char* env = std::getenv("DNNSWEEP_PLOTS_SCRIPT"); env && *env) return env;
    const fs::path rel = fs::path("scripts") / "dnnsweep_plots.py";
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && fs::exists(exe.parent_path().parent_path().parent_path() / rel))
        return (exe.parent_path().parent_path().parent_path() / rel).string();
    const fs::path source_root = fs::path(std::source_location::current().file_name()).parent_path().parent_path();
    if (fs::exists(source_root / rel)) return (source_root / rel).string();
    throw ToolError("scripts/dnnsweep_plots.py: not found next to this dnnsweep (" + exe.string() +
                    "); set DNNSWEEP_PLOTS_SCRIPT to its path");
}

void write_band(JsonWriter& j, std::string_view key, const Band& b) {
    j.key(key).begin_object();
    for (const auto& [name, v] : {std::pair{"mean", &b.mean}, std::pair{"min", &b.min}, std::pair{"max", &b.max}}) {
        j.key(name).begin_array();
        for (const double x : *v) j.value(x);
        j.end_array();
    }
    j.end_object();
}

struct Figure {
    std::string section, file, caption;
};

// Writes the plan the plotting script draws (scripts/dnnsweep_plots.py) and returns its figures
// in page order.
std::vector<Figure> write_plot_plan(const std::string& plan_path, const std::string& title, const ReportSource& src,
                                    std::size_t curves_top) {
    const Results& r = src.results;
    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> names = varied_options(r.configs);
    const double chance = r.info.data.classes > 0 ? 1.0 / r.info.data.classes : std::nan("");
    std::vector<Figure> figures;
    std::ofstream f(plan_path);
    JsonWriter j(f);
    j.begin_object().field("title", title).field("partial", src.partial).key("figures").begin_array();

    // Learning curves: the best few, then every configuration that does not train.
    std::vector<std::pair<std::size_t, std::size_t>> picks;  // (leaderboard position, config index)
    for (std::size_t k = 0; k < order.size(); ++k)
        if (k < curves_top || is_not_training(r.configs[order[k]])) picks.emplace_back(k, order[k]);
    for (const auto& [k, i] : picks) {
        const ConfigSummary& c = r.configs[i];
        const LearningCurves lc = learning_curves(units_of(r.units, c.config), c.config);
        if (lc.epochs.empty()) continue;
        char file[64];
        std::snprintf(file, sizeof file, "curves-%03zu-config-%llu", k + 1, static_cast<unsigned long long>(c.config));
        const std::string pruned = pruned_text(r.units, c.config);
        const std::string caption = "#" + std::to_string(k + 1) + " " + std::string(name(c.verdict)) + ": " +
                                    settings_text(c.settings, names) + " (fold mean, band = min-max over " +
                                    std::to_string(lc.folds) + " folds" + (pruned.empty() ? "" : "; " + pruned) + ")";
        figures.push_back({"Learning curves", file, caption});
        j.begin_object().field("kind", "curves").field("file", file).field("verdict", name(c.verdict));
        j.field("title", "#" + std::to_string(k + 1) + " " + std::string(name(c.verdict)) + " - val acc " + num(c.mean_val_acc) + " - " +
                             settings_text(c.settings, names));
        j.field("chance", chance).key("epochs").begin_array();
        for (const int e : lc.epochs) j.value(e);
        j.end_array();
        write_band(j, "train_acc", lc.train_acc);
        write_band(j, "val_acc", lc.val_acc);
        write_band(j, "train_loss", lc.train_loss);
        write_band(j, "val_loss", lc.val_loss);
        j.end_object();
    }

    figures.push_back({"Bias and variance", "bias-variance",
                       "Training error vs generalization gap, one point per configuration, coloured by verdict; dashed: "
                       "the overfit-gap and underfit-error thresholds, and the not-training level"});
    j.begin_object().field("kind", "bias_variance").field("file", "bias-variance");
    j.field("title", "Bias vs variance: " + std::to_string(r.configs.size()) + " configurations");
    j.key("thresholds").begin_object().field("overfit_gap", src.thresholds.overfit_gap);
    j.field("underfit_error", src.thresholds.underfit_error);
    j.field("not_training_error", 1.0 - src.thresholds.chance_factor * chance).end_object();
    j.key("points").begin_array();
    for (const ConfigSummary& c : r.configs)
        j.begin_object().field("bias", c.bias).field("variance", c.variance).field("verdict", name(c.verdict)).end_object();
    j.end_array().end_object();

    const std::vector<OptionInfluence> inf = influence(r.configs);
    if (!inf.empty()) {
        figures.push_back({"Influence of each setting", "influence",
                           "Mean validation accuracy of the configurations with each value (box, points; diamond = "
                           "mean), options ranked by spread"});
        j.begin_object().field("kind", "influence").field("file", "influence");
        j.field("title", "Which settings matter").key("options").begin_array();
        for (const OptionInfluence& o : inf) {
            j.begin_object().field("option", o.option).field("spread", o.spread).key("values").begin_array();
            for (const ValueInfluence& v : o.values) {
                j.begin_object().field("value", v.value).field("mean", v.mean).key("accuracies").begin_array();
                for (const double a : v.accuracies) j.value(a);
                j.end_array().end_object();
            }
            j.end_array().end_object();
        }
        j.end_array().end_object();
    }

    for (std::size_t k = 0; k < order.size(); ++k) {
        const ConfigSummary& c = r.configs[order[k]];
        if (!has_vanishing_gradient(c)) continue;
        const std::vector<LayerNorms> norms = gradient_norms(units_of(r.units, c.config), c.config);
        if (norms.empty()) continue;
        const std::string file = "grad-norms-config-" + std::to_string(c.config);
        figures.push_back({"Gradient norm per layer (vanishing gradient)", file,
                           "#" + std::to_string(k + 1) + " " + settings_text(c.settings, names) +
                               ": gradient L2 norm per dense layer, mean over steps and folds"});
        j.begin_object().field("kind", "grad_norms").field("file", file);
        j.field("title", "#" + std::to_string(k + 1) + " " + settings_text(c.settings, names));
        j.key("layers").begin_array();
        for (const LayerNorms& l : norms) {
            j.begin_object().field("layer", l.layer).key("epochs").begin_array();
            for (const int e : l.epochs) j.value(e);
            j.end_array().key("norm").begin_array();
            for (const double v : l.norm) j.value(v);
            j.end_array().end_object();
        }
        j.end_array().end_object();
    }
    j.end_array().end_object();
    f << '\n';
    f.close();
    if (!f) throw ResultsError(plan_path + ": cannot write the plot plan");
    return figures;
}

// Runs the plotting script; its stderr's last line goes into the error when it fails.
void run_plots_script(const std::string& plan, const std::string& dir) {
    if (::access(kPython, X_OK) != 0)
        throw ToolError(std::string(kPython) + ": not found: --plots and --html need Debian's python3 with "
                                               "python3-matplotlib (bash scripts/setup.sh --no-data --no-build)");
    const std::string script = plots_script();
    int err[2];
    if (::pipe(err) != 0) throw ToolError("pipe: " + std::error_code(errno, std::generic_category()).message());
    std::cout.flush();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(err[1], STDERR_FILENO);
        ::close(err[0]);
        ::close(err[1]);
        const int null = ::open("/dev/null", O_WRONLY);
        if (null >= 0) ::dup2(null, STDOUT_FILENO);  // the PNG list: we know the names already
        std::vector<std::string> argv_s = {kPython, script, "--input", plan, "--out", dir};
        std::vector<char*> argv;
        for (std::string& s : argv_s) argv.push_back(s.data());
        argv.push_back(nullptr);
        ::execv(kPython, argv.data());
        ::_exit(127);
    }
    ::close(err[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(err[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(err[0]);
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) < 0)
        throw ToolError(script + ": cannot run: " + std::error_code(errno, std::generic_category()).message());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const std::string last = text.substr(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
    throw ToolError(dir + ": drawing the figures failed (" + script + " " +
                    (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status)) : std::string("killed")) +
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
        if (!fs::exists(png)) throw ToolError(png + ": the plotting script did not write it");
        out.push_back({f.section, f.caption, png});
    }
    return out;
}

ReportCli parse(const std::vector<std::string>& args, po::options_description& options) {
    ReportCli cli;
    options.add_options()("top", po::value(&cli.top)->value_name("N")->default_value(10), "leaderboard rows")(
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
    parse_command_line(args, options, cli.path);
    if (cli.help) return cli;
    if (cli.path.empty()) throw po::error("missing the results file (dnnsweep report RESULTS.h5)");
    if (cli.format != "text" && cli.format != "json" && cli.format != "csv")
        throw po::error("--format: '" + cli.format + "' is not one of text, json, csv");
    return cli;
}

}  // namespace

int run_report_command(const std::vector<std::string>& args) {
    po::options_description options("Options");
    ReportCli cli;
    try {
        cli = parse(args, options);
    } catch (const po::error& e) {
        std::cerr << "dnnsweep report: error: " << e.what() << std::endl;
        return exit_code::usage;
    }
    if (cli.help) {
        std::cout << "Usage: dnnsweep report RESULTS.h5 [--top N] [--format text|json|csv] [--csv DIR] [--plots DIR]\n"
                     "                       [--html FILE]\n\n"
                     "The leaderboard, which settings matter, and the diagnosis of every configuration that does\n"
                     "not train or overfits. A sweep still running is reported from its shards (RESULTS.h5.parts/),\n"
                     "marked PARTIAL. Python users: docs/analysis.md.\n\n"
                  << options
                  << "\nExit codes: 0 done, 2 bad usage or input (a missing or unreadable results file, a path that\n"
                     "cannot be written), 1 the plotting helper is missing or failed.\n";
        return exit_code::ok;
    }
    try {
        const ReportSource src = load_report_source(cli.path);
        if (!cli.csv_dir.empty()) {
            const auto files = write_csv_exports(cli.csv_dir, src, leaderboard_order(src.results.configs));
            std::cerr << "dnnsweep report: " << files.size() << " CSV files in " << cli.csv_dir << std::endl;
        }
        if (!cli.plots_dir.empty() || !cli.html_path.empty()) {
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
        if (cli.format == "json") {
            print_json(cli.path, src, cli.top, std::cout);
        } else if (cli.format == "csv") {
            const std::vector<std::size_t> order = leaderboard_order(src.results.configs);
            const h5::Table t = leaderboard_table(
                src, std::vector<std::size_t>(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(
                                                                                   std::min(cli.top, order.size()))));
            std::vector<const h5::Column*> cols;
            for (const h5::Column& c : t.columns()) cols.push_back(&c);
            write_csv(std::cout, cols);
        } else {
            print_text(src, cli.top, std::cout);
        }
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "dnnsweep report: error: standard output: write failed" << std::endl;
            return exit_code::failure;
        }
        return exit_code::ok;
    } catch (const ToolError& e) {
        std::cerr << "dnnsweep report: error: " << e.what() << std::endl;
        return exit_code::failure;
    } catch (const ResultsError& e) {
        std::cerr << "dnnsweep report: error: " << e.what() << std::endl;
        return exit_code::usage;
    } catch (const std::exception& e) {
        std::cerr << "dnnsweep report: error: " << e.what() << std::endl;
        return exit_code::failure;
    }
}

}  // namespace dnnsweep
