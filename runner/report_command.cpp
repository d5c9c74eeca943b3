#include "runner/report_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>

#include <boost/program_options.hpp>

#include "outputs/results_store.hpp"
#include "runner/command.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

std::string num(double v, int digits = 3) {
    if (std::isnan(v)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// The hyperparameters that differ between the configurations: the only ones worth a column.
std::vector<std::string> varied_options(const std::vector<ConfigSummary>& configs) {
    std::vector<std::string> names;
    for (const ConfigOption& opt : config_options()) {
        if (opt.name == "threads") continue;
        std::string first;
        bool varies = false;
        for (std::size_t i = 0; i < configs.size() && !varies; ++i) {
            const std::string v = to_text(opt.get(configs[i].settings));
            if (i == 0) first = v;
            varies = v != first;
        }
        if (varies) names.push_back(opt.name);
    }
    return names;
}

std::string settings_text(const TrainConfig& c, const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names)
        s.append(s.empty() ? "" : " ").append(n).append("=").append(to_text(find_config_option(n)->get(c)));
    return s.empty() ? "(the only configuration)" : s;
}

void print_report(const Results& r, std::size_t top, std::ostream& out) {
    std::size_t failed = 0;
    for (const UnitResult& u : r.units) failed += u.status == "failed";
    out << "dnnsweep report: " << r.units.size() << " units, " << r.configs.size() << " configurations, " << failed
        << " failed units; " << r.info.ranks << " ranks; data " << r.info.data_source << " (" << r.info.data.samples
        << " samples, " << r.info.data.features << " features, " << r.info.data.classes << " classes)\n";
    if (r.info.finished_at == 0.0) out << "PARTIAL: the sweep has not finished; figures cover the units done so far\n";

    std::vector<const ConfigSummary*> order;
    for (const ConfigSummary& c : r.configs) order.push_back(&c);
    // Best mean validation accuracy first; ties to the cheaper configuration.
    std::ranges::stable_sort(order, [](const ConfigSummary* a, const ConfigSummary* b) {
        if (a->mean_val_acc != b->mean_val_acc) return a->mean_val_acc > b->mean_val_acc;
        return a->seconds < b->seconds;
    });
    const auto names = varied_options(r.configs);

    out << "\nLeaderboard (mean validation accuracy over folds):\n";
    out << "  " << pad("#", 4) << pad("val acc", 16) << pad("train acc", 11) << pad("test acc", 10) << pad("verdict", 14)
        << "settings\n";
    for (std::size_t i = 0; i < order.size() && i < top; ++i) {
        const ConfigSummary& c = *order[i];
        out << "  " << pad(std::to_string(i + 1), 4) << pad(num(c.mean_val_acc) + " +- " + num(c.std_val_acc), 16)
            << pad(num(c.mean_train_acc), 11) << pad(num(c.mean_test_acc), 10) << pad(c.verdict, 14)
            << settings_text(c.settings, names) << '\n';
    }

    out << "\nWhich settings matter (mean / best validation accuracy per value):\n";
    for (const std::string& n : names) {
        std::map<std::string, std::pair<double, int>> sum;
        std::map<std::string, double> best;
        for (const ConfigSummary& c : r.configs) {
            if (std::isnan(c.mean_val_acc)) continue;
            const std::string v = to_text(find_config_option(n)->get(c.settings));
            sum[v].first += c.mean_val_acc;
            sum[v].second += 1;
            best[v] = std::max(best.contains(v) ? best[v] : 0.0, c.mean_val_acc);
        }
        out << "  " << pad(n + ":", 16);
        for (const auto& [v, s] : sum)
            out << v << " " << num(s.first / s.second) << "/" << num(best[v]) << "   ";
        out << '\n';
    }

    std::map<std::string, int> verdicts;
    for (const ConfigSummary& c : r.configs) ++verdicts[c.verdict];
    out << "\nDiagnosis:";
    for (const auto& [v, n] : verdicts) out << " " << v << " " << n;
    out << '\n';
    for (const ConfigSummary* c : order)
        if (c->verdict == "not_training" || c->verdict == "overfitting" || c->verdict == "failed")
            out << "  " << pad(c->verdict, 14) << settings_text(c->settings, names) << "\n      " << c->reason << '\n';
}

}  // namespace

int run_report_command(const std::vector<std::string>& args) {
    std::string path;
    std::size_t top = 10;
    bool help = false;
    po::options_description options("Options");
    options.add_options()("top", po::value(&top)->value_name("N")->default_value(10), "leaderboard rows")(
        "help,h", po::bool_switch(&help), "print this help and exit");
    po::options_description all(options);
    all.add_options()("results", po::value(&path));
    po::positional_options_description positional;
    positional.add("results", 1);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
        if (help) {
            std::cout << "Usage: dnnsweep report RESULTS.h5 [--top N]\n\n"
                         "The leaderboard, which settings matter, and the diagnosis of every configuration\n"
                         "that does not train or overfits.\n\n"
                      << options;
            return exit_code::ok;
        }
        if (path.empty()) throw po::error("missing the results file (dnnsweep report RESULTS.h5)");
        print_report(read_results(path), top, std::cout);
        return exit_code::ok;
    } catch (const po::error& e) {
        std::cerr << "dnnsweep report: error: " << e.what() << std::endl;
    } catch (const ResultsError& e) {
        std::cerr << "dnnsweep report: error: " << e.what() << std::endl;
    }
    return exit_code::usage;
}

}  // namespace dnnsweep
