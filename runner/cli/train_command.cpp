#include "runner/cli/train_command.hpp"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string_view>

#include <boost/program_options.hpp>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/trainer.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/json_writer.hpp"
#include "runner/sweep/signals.hpp"
#include "runner/cli/train_options.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

constexpr int kHelpWidth = 112;

struct TrainCli {
    TrainConfig config;
    DataOptions data;
    bool json = false;
    bool quiet = false;
    bool help = false;
};

// What the run trained on, kept after the whole dataset is released.
struct DataInfo {
    std::string source;
    std::size_t samples = 0, train = 0, val = 0, features = 0;
    int classes = 0;
};

po::options_description make_options(TrainCli& cli) {
    po::options_description hyper("Hyperparameters (also the keys of sweep files)", kHelpWidth);
    add_config_options(hyper);
    po::options_description data("Data", kHelpWidth);
    add_data_options(data);
    po::options_description output("Output", kHelpWidth);
    output.add_options()
        ("json", po::bool_switch(&cli.json), "print one JSON object on stdout (and nothing else there)")
        ("quiet", po::bool_switch(&cli.quiet), "print only the final summary line")
        ("help,h", po::bool_switch(&cli.help), "print this help and exit");
    po::options_description all(kHelpWidth);
    all.add(hyper).add(data).add(output);
    return all;
}

TrainCli parse_cli(const std::vector<std::string>& args) {
    TrainCli cli;
    const po::options_description options = make_options(cli);
    po::variables_map vm;
    // No prefix guessing: option names are sweep keys, and `--lay` silently meaning --layers would
    // let a typo in a script pass unnoticed.
    const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    // Stray words are collected so the error can name them (boost would drop them silently, or with
    // a positional description only say "too many positional options").
    std::vector<std::string> stray;
    po::options_description parsed(options);
    parsed.add_options()("stray-arguments", po::value(&stray));
    po::positional_options_description positional;
    positional.add("stray-arguments", -1);
    po::store(po::command_line_parser(args).options(parsed).positional(positional).style(style).run(), vm);
    po::notify(vm);
    if (cli.help) return cli;
    cli.config = config_from(vm);
    cli.data = data_options_from(vm);
    if (!stray.empty())
        throw po::error("unexpected argument '" + stray.front() + "'");
    return cli;
}

void print_help(std::ostream& out) {
    TrainCli scratch;
    out << "Usage: dnnsweep train [options]\n\n"
           "Trains one fully connected network and reports its training and validation loss and\n"
           "accuracy: per-epoch progress lines, or one JSON object with --json.\n"
        << make_options(scratch)
        << "\n--data forms: 'mnist' (the built-in digits; $DNNSWEEP_DATA_DIR overrides their folder), a\n"
           "folder with train-images-idx3-ubyte and train-labels-idx1-ubyte, IMAGES,LABELS (two IDX\n"
           "files), or a text file: one sample per line, the features then the label (one class index\n"
           "column, or one-hot columns), separated by spaces and/or commas; '#' lines are comments.\n"
           "\nExit codes:\n"
           "  0        the run finished; status ok or diverged (divergence is a result, not an error)\n"
           "  1        unexpected failure (out of memory, oneDNN error, ...)\n"
           "  2        bad usage or input: unknown option, bad value, missing or malformed data file\n"
           "  130/143  stopped by SIGINT/SIGTERM after the current epoch (results so far are printed;\n"
           "           a second signal aborts at once)\n";
}

std::string fixed(double v, int digits) {
    if (std::isnan(v)) return "nan";  // printf's sign of a NaN ("-nan") is noise
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string metrics_text(double loss, double acc, double val_loss, double val_acc, bool has_val) {
    std::string s = "loss: " + fixed(loss, 4) + " - accuracy: " + fixed(acc, 4);
    if (has_val) s += " - val_loss: " + fixed(val_loss, 4) + " - val_accuracy: " + fixed(val_acc, 4);
    return s;
}

std::string epoch_line(const EpochMetrics& m, int epochs, bool has_val) {
    return "Epoch " + std::to_string(m.epoch) + "/" + std::to_string(epochs) + " - " + fixed(m.seconds, 1) +
           "s - " + metrics_text(m.train_loss, m.train_acc, m.val_loss, m.val_acc, has_val);
}

std::string_view signal_name(int sig) { return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal"; }

std::string summary_line(const TrainResult& r, const TrainConfig& config, bool has_val, int stop_signal) {
    std::string s = "Result: " + std::string(name(r.status));
    if (r.status == UnitStatus::Diverged)
        s += " at epoch " + std::to_string(r.diverged_epoch) + " (loss became NaN or infinite)";
    if (r.status == UnitStatus::Stopped && stop_signal) s += " by " + std::string(signal_name(stop_signal));
    s += " - " + std::to_string(r.epochs()) + "/" + std::to_string(config.epochs) + " epochs";
    if (config.patience > 0 && r.best_epoch > 0) {
        s += ", best epoch " + std::to_string(r.best_epoch);
        if (r.status == UnitStatus::Ok && r.epochs() < config.epochs)
            s += " (early stopping: no lower val_loss in " + std::to_string(config.patience) + " epochs)";
    }
    s += " - " + std::to_string(r.steps) + " steps - " + fixed(r.seconds, 1) + "s - " +
         metrics_text(r.train_loss, r.train_acc, r.val_loss, r.val_acc, has_val);
    return s;
}

void write_result_json(std::ostream& out, const TrainCli& cli, const DataInfo& info, const TrainResult& r,
                       int stop_signal) {
    JsonWriter json(out);
    json.begin_object();
    json.field("command", "train").field("version", DNNSWEEP_VERSION);
    json.field("status", name(r.status));
    if (r.status == UnitStatus::Stopped && stop_signal) json.field("stopped_by", signal_name(stop_signal));
    json.field("train_acc", r.train_acc).field("train_loss", r.train_loss);
    json.field("val_acc", r.val_acc).field("val_loss", r.val_loss);
    json.field("epochs", r.epochs()).field("best_epoch", r.best_epoch).field("diverged_epoch", r.diverged_epoch);
    json.field("steps", r.steps).field("seconds", r.seconds).field("eval_seconds", r.eval_seconds);

    json.key("config");
    write_config_json(json, cli.config);

    json.key("data").begin_object();
    json.field("source", info.source).field("spec", cli.data.spec);
    json.field("label_format", cli.data.label_format_name).field("test_fraction", cli.data.test_fraction);
    json.field("samples", info.samples).field("train", info.train).field("val", info.val);
    json.field("features", info.features).field("classes", info.classes);
    json.end_object();

    json.key("history").begin_array();
    for (const EpochMetrics& m : r.history) {
        json.begin_object();
        json.field("epoch", m.epoch);
        json.field("train_loss", m.train_loss).field("train_acc", m.train_acc);
        json.field("val_loss", m.val_loss).field("val_acc", m.val_acc);
        json.field("seconds", m.seconds);
        json.key("grad_norm").begin_array();
        for (const double g : m.health.grad_norm) json.value(g);
        json.end_array();
        json.field("dead_relu", m.health.dead_relu).field("saturated", m.health.saturated);
        json.field("max_abs_input", m.health.max_abs_input);
        json.end_object();
    }
    json.end_array();
    json.end_object();
    out << '\n';
}

int train(const std::vector<std::string>& args) {
    // SIGINT/SIGTERM: finish the current epoch, then stop the run (status "stopped") and still
    // report it; a second signal exits at once (runner/sweep/signals.hpp).
    install_stop_signals(StopSignals::Train);
    const TrainCli cli = parse_cli(args);
    if (cli.help) {
        print_help(std::cout);
        return exit_code::ok;
    }
    const bool progress = !cli.json && !cli.quiet;

    DataInfo info;
    // The whole dataset lives only in this scope, so it is freed before training starts.
    const PreparedData data = [&] {
        const Dataset all = load_dataset(cli.data.spec, cli.data.label_format);
        info.source = all.source;
        info.samples = all.size();
        info.features = all.features();
        info.classes = all.classes;
        return prepare_holdout(cli.config, all, cli.data.test_fraction);
    }();
    info.train = data.train.size();
    info.val = data.val.size();
    const bool has_val = info.val > 0;

    if (progress) {
        std::cout << "data: " << info.source << " - " << info.train << " train / " << info.val
                  << " validation samples, " << info.features << " features, " << info.classes << " classes\n"
                  << "config: " << describe_config(cli.config) << std::endl;
    }

    const EpochCallback on_epoch = [&](const EpochMetrics& m) {
        if (progress) std::cout << epoch_line(m, cli.config.epochs, has_val) << std::endl;
        return dnnsweep::stop_signal() == 0;
    };
    const TrainResult result = train_model(cli.config, data.train, data.val, on_epoch);
    const int stop_signal = dnnsweep::stop_signal();

    if (cli.json)
        write_result_json(std::cout, cli, info, result, stop_signal);
    else
        std::cout << summary_line(result, cli.config, has_val, stop_signal) << '\n';
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("could not write the results to stdout");
    return stop_signal ? 128 + stop_signal : exit_code::ok;
}

// One line, whatever the message holds.
void report_error(std::string message) {
    for (char& c : message)
        if (c == '\n' || c == '\r') c = ' ';
    std::cerr << "dnnsweep train: error: " << message << std::endl;
}

}  // namespace

int run_train_command(const std::vector<std::string>& args) {
    try {
        return train(args);
    } catch (const po::error& e) {
        report_error(std::string(e.what()) + " (see 'dnnsweep train --help')");
        return exit_code::usage;
    } catch (const ConfigError& e) {
        report_error(cli_message(e));
        return exit_code::usage;
    } catch (const DataError& e) {
        report_error(e.what());
        return exit_code::usage;
    } catch (const std::bad_alloc&) {
        report_error("out of memory");
        return exit_code::failure;
    } catch (const std::exception& e) {
        report_error(e.what());
        return exit_code::failure;
    } catch (...) {
        report_error("unexpected failure (unknown exception)");
        return exit_code::failure;
    }
}

}  // namespace dnnsweep
