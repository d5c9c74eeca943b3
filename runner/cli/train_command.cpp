#include "runner/cli/train_command.hpp"

#include <csignal>
#include <iostream>
#include <stdexcept>
#include <string_view>

#include <boost/program_options.hpp>

#include "engine/config.hpp"
#include "engine/dataset.hpp"
#include "engine/text_format.hpp"
#include "engine/trainer.hpp"
#include "outputs/json.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/train_options.hpp"
#include "runner/sweep/signals.hpp"

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
    output.add_options()("json", po::bool_switch(&cli.json),
                         "print one JSON object on stdout (and nothing else there)")(
        "quiet", po::bool_switch(&cli.quiet), "print only the final summary line")("help,h", po::bool_switch(&cli.help),
                                                                                   "print this help and exit");
    po::options_description all(kHelpWidth);
    all.add(hyper).add(data).add(output);
    return all;
}

// Fills `cli`, whose output switches `options` is bound to (make_options).
void parse_cli(const std::vector<std::string>& args, const po::options_description& options, TrainCli& cli) {
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
    if (cli.help) return;
    cli.config = config_from(vm);
    cli.data = data_options_from(vm);
    if (!stray.empty()) throw po::error("unexpected argument '" + stray.front() + "'");
}

void print_help(std::ostream& out, const po::options_description& options) {
    out << "Usage: dnnsweep train [options]\n\n"
           "Trains one fully connected network and reports its training and validation loss and\n"
           "accuracy: per-epoch progress lines, or one JSON object with --json.\n"
        << options
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

// Losses and accuracies: four decimals, as Keras prints them.
std::string metric(double v) { return fixed(v, 4); }

std::string metrics_text(double loss, double acc, double val_loss, double val_acc, bool has_val) {
    std::string s = "loss: " + metric(loss) + " - accuracy: " + metric(acc);
    if (has_val) s += " - val_loss: " + metric(val_loss) + " - val_accuracy: " + metric(val_acc);
    return s;
}

std::string epoch_line(const EpochMetrics& m, int epochs, bool has_val) {
    return "Epoch " + std::to_string(m.epoch) + "/" + std::to_string(epochs) + " - " + fixed(m.seconds, 1) + "s - " +
           metrics_text(m.train_loss, m.train_acc, m.val_loss, m.val_acc, has_val);
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

Json history_json(const std::vector<EpochMetrics>& history) {
    Json epochs = Json::array();
    for (const EpochMetrics& m : history)
        epochs.push_back({{"epoch", m.epoch},
                          {"train_loss", m.train_loss},
                          {"train_acc", m.train_acc},
                          {"val_loss", m.val_loss},
                          {"val_acc", m.val_acc},
                          {"seconds", m.seconds},
                          {"grad_norm", m.health.grad_norm},
                          {"dead_relu", m.health.dead_relu},
                          {"saturated", m.health.saturated},
                          {"max_abs_input", m.health.max_abs_input}});
    return epochs;
}

void write_result_json(std::ostream& out, const TrainCli& cli, const DataInfo& info, const TrainResult& r,
                       int stop_signal) {
    Json json;
    json["command"] = "train";
    json["version"] = DNNSWEEP_VERSION;
    json["status"] = name(r.status);
    if (r.status == UnitStatus::Stopped && stop_signal) json["stopped_by"] = signal_name(stop_signal);
    json["train_acc"] = r.train_acc;
    json["train_loss"] = r.train_loss;
    json["val_acc"] = r.val_acc;
    json["val_loss"] = r.val_loss;
    json["epochs"] = r.epochs();
    json["best_epoch"] = r.best_epoch;
    json["diverged_epoch"] = r.diverged_epoch;
    json["steps"] = r.steps;
    json["seconds"] = r.seconds;
    json["eval_seconds"] = r.eval_seconds;
    json["config"] = config_json(cli.config);
    json["data"] = {{"source", info.source},
                    {"spec", cli.data.spec},
                    {"label_format", cli.data.label_format_name},
                    {"test_fraction", cli.data.test_fraction},
                    {"samples", info.samples},
                    {"train", info.train},
                    {"val", info.val},
                    {"features", info.features},
                    {"classes", info.classes}};
    json["history"] = history_json(r.history);
    write_json(out, json);
}

int train(const std::vector<std::string>& args, const po::options_description& options, TrainCli& cli) {
    // SIGINT/SIGTERM: finish the current epoch, then stop the run (status "stopped") and still
    // report it; a second signal exits at once (runner/sweep/signals.hpp).
    install_stop_signals(StopSignals::Train);
    parse_cli(args, options, cli);
    if (cli.help) {
        print_help(std::cout, options);
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

}  // namespace

int run_train_command(const std::vector<std::string>& args) {
    TrainCli cli;
    const po::options_description options = make_options(cli);
    return run_command("train", options, [&] { return train(args, options, cli); });
}

}  // namespace dnnsweep
