#include "runner/cli/train_command.hpp"

#include <cmath>
#include <csignal>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <boost/program_options.hpp>

#include "engine/config.hpp"
#include "engine/data_fingerprint.hpp"
#include "engine/dataset.hpp"
#include "engine/folds.hpp"
#include "engine/model.hpp"
#include "engine/text_format.hpp"
#include "engine/trainer.hpp"
#include "outputs/json.hpp"
#include "outputs/model_file.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/train_options.hpp"
#include "runner/sweep/signals.hpp"
#include "sweeps/grid.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

constexpr int kHelpWidth = 112;

struct TrainCli {
    TrainConfig config;
    DataOptions data;
    std::string train_curves = "running";
    TrainCurves curves;
    SaveModelOptions model;
    bool json = false;
    bool quiet = false;
    bool help = false;
};

// What the run trained on, kept after the whole dataset is released.
struct DataInfo {
    std::string source, fingerprint;
    std::vector<std::string> class_names;
    std::size_t samples = 0, train = 0, val = 0, test = 0, features = 0;
    int classes = 0;
};

struct TrainData {
    Dataset train, val, test;
    InputScaler scaler;  // fit on `train`: what a saved model applies to its input
};

// The parts of one run. Without a test set, the validation share is held out at random (seeded by
// --seed); with one, the split is a sweep's with folds = 1 (stratified, split seed 0), so a run
// reproduces that sweep unit.
TrainData prepare_data(const TrainCli& cli, DataInfo& info) {
    Dataset all = load_dataset(cli.data.spec, cli.data.load);
    StudySplit split;
    if (!cli.data.test_data.empty()) {
        Dataset test = load_test_dataset(cli.data.test_data, cli.data.load, all);
        all.x.data.insert(all.x.data.end(), test.x.data.begin(), test.x.data.end());
        all.x.rows += test.size();
        all.y.insert(all.y.end(), test.y.begin(), test.y.end());
        all.source += " + test-data " + test.source;
        split.test_rows = test.size();
    }
    info.source = all.source;
    info.samples = all.size();
    info.features = all.features();
    info.classes = all.classes;
    if (!cli.model.path.empty()) {
        info.fingerprint = data_fingerprint(all);
        for (int c = 0; c < all.classes; ++c) info.class_names.push_back(all.class_name(c));
    }
    if (!cli.data.has_test_set()) {
        PreparedData p = prepare_holdout(cli.config, all, cli.data.validation_fraction);
        return {std::move(p.train), std::move(p.val), Dataset{}, std::move(p.scaler)};
    }
    split.test_fraction = cli.data.test_fraction;
    split.validation_fraction = cli.data.validation_fraction;
    validate_split(split, all.y, all.classes);
    UnitData u = prepare_unit(cli.config, all, split, 0);
    return {std::move(u.train), std::move(u.val), std::move(u.test), std::move(u.scaler)};
}

po::options_description make_options(TrainCli& cli) {
    po::options_description hyper("Hyperparameters (also the keys of sweep files)", kHelpWidth);
    add_config_options(hyper);
    po::options_description data("Data", kHelpWidth);
    add_data_options(data);
    po::options_description output("Output", kHelpWidth);
    output.add_options()("train-curves", po::value(&cli.train_curves)->value_name("WHAT")->default_value("running"),
                         "per-epoch training figures: running (of the epoch's batches, free) | exact (an "
                         "inference pass over the training part after every epoch)")(
        "json", po::bool_switch(&cli.json), "print one JSON object on stdout (and nothing else there)")(
        "quiet", po::bool_switch(&cli.quiet), "print only the final summary line")("help,h", po::bool_switch(&cli.help),
                                                                                   "print this help and exit");
    po::options_description model("Model", kHelpWidth);
    add_save_model_options(model);
    po::options_description all(kHelpWidth);
    all.add(hyper).add(data).add(model).add(output);
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
    try {
        cli.curves.exact_every_epoch = parse_train_curves(cli.train_curves);
    } catch (const ConfigError& e) {
        throw ConfigError(std::string("train-curves: ") + e.what());
    }
    cli.model = save_model_options_from(vm);
    if (!stray.empty()) throw po::error("unexpected argument '" + stray.front() + "'");
}

void print_help(std::ostream& out, const po::options_description& options) {
    out << "Usage: dnnsweep train [options]\n\n"
           "Trains one fully connected network and reports its training and validation loss and\n"
           "accuracy: per-epoch progress lines, or one JSON object with --json.\n"
        << options
        << "\n--data forms: 'mnist' (the built-in digits; $DNNSWEEP_DATA_DIR overrides their folder), a\n"
           "folder with train-images-idx3-ubyte and train-labels-idx1-ubyte, IMAGES,LABELS (two IDX\n"
           "files), an HDF5 file (datasets --features and --labels), X.npy,y.npy (NumPy), a CSV file with\n"
           "a header (or string labels): --label-column, --feature-columns; or a text file: one sample per\n"
           "line, the features then the label (one class index column, or one-hot columns), separated by\n"
           "spaces and/or commas; '#' lines are comments. docs/data.md has the details.\n"
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
    // Trained as noisy as validated: the training rows with the validation's noise, what the
    // diagnosis measures the gap from (docs/diagnosis.md).
    if (std::isfinite(r.noisy_train_acc)) s += " - noisy_train_accuracy: " + metric(r.noisy_train_acc);
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
    if (std::isfinite(r.noisy_train_acc)) json["noisy_train_acc"] = r.noisy_train_acc;
    json["epochs"] = r.epochs();
    json["best_epoch"] = r.best_epoch;
    json["diverged_epoch"] = r.diverged_epoch;
    json["steps"] = r.steps;
    json["seconds"] = r.seconds;
    json["eval_seconds"] = r.eval_seconds;
    json["train_curves"] = train_curves_name(cli.curves.exact_every_epoch);
    json["config"] = config_json(cli.config);
    if (cli.data.has_test_set()) {
        json["test_acc"] = r.test_acc;
        json["test_loss"] = r.test_loss;
    }
    json["data"] = {{"source", info.source},
                    {"spec", cli.data.spec},
                    {"label_format", cli.data.label_format_name},
                    {"validation_fraction", cli.data.validation_fraction},
                    {"test_fraction", cli.data.test_fraction},
                    {"test_data", cli.data.test_data},
                    {"samples", info.samples},
                    {"train", info.train},
                    {"val", info.val},
                    {"test", info.test},
                    {"features", info.features},
                    {"classes", info.classes}};
    json["history"] = history_json(r.history);
    write_json(out, json);
}

// --save-model: the model of a run that finished (`ok`); a diverged or stopped run has none worth
// keeping, which stderr says (the exit code stays the run's).
void save_model(const TrainCli& cli, const DataInfo& info, const TrainResult& r, std::optional<Model> model) {
    if (r.status != UnitStatus::Ok || !model) {
        std::cerr << "dnnsweep train: no model saved: the run " << name(r.status) << std::endl;
        return;
    }
    model->version = DNNSWEEP_VERSION;
    model->origin = "train";
    model->config_id = config_id(cli.config);
    model->class_names = info.class_names;
    model->data_source = info.source;
    model->data_fingerprint = info.fingerprint;
    model->trained_rows = info.train;
    model->epochs = r.best_epoch;
    model->metrics.train_acc = r.train_acc;
    model->metrics.train_loss = r.train_loss;
    if (info.val > 0) {
        model->metrics.val_acc = r.val_acc;
        model->metrics.val_loss = r.val_loss;
    }
    write_model_file(cli.model.path, *model, cli.model.force);
    if (!cli.json) std::cerr << "model: " << cli.model.path << std::endl;
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
    // Refused before the data is read and the network trained, not after.
    if (!cli.model.path.empty()) check_model_path(cli.model.path, cli.model.force, "save-model");

    DataInfo info;
    // The whole dataset lives only in this scope, so it is freed before training starts.
    const TrainData data = prepare_data(cli, info);
    info.train = data.train.size();
    info.val = data.val.size();
    info.test = data.test.size();
    const bool has_val = info.val > 0;

    if (progress) {
        std::cout << "data: " << info.source << " - " << info.train << " train / " << info.val << " validation"
                  << (cli.data.has_test_set() ? " / " + std::to_string(info.test) + " test" : std::string())
                  << " samples, " << info.features << " features, " << info.classes << " classes\n"
                  << "config: " << describe_config(cli.config) << std::endl;
    }

    const EpochCallback on_epoch = [&](const EpochMetrics& m) {
        if (progress) std::cout << epoch_line(m, cli.config.epochs, has_val) << std::endl;
        return dnnsweep::stop_signal() == 0;
    };
    std::optional<Model> model;
    const TrainedCallback keep_model = [&](const Network& net) {
        if (!cli.model.path.empty()) model = capture_model(net, cli.config, data.scaler);
    };
    const TrainResult result =
        train_model(cli.config, data.train, data.val, cli.data.has_test_set() ? data.test : Dataset{}, on_epoch,
                    cli.curves, keep_model);
    const int stop_signal = dnnsweep::stop_signal();
    if (!cli.model.path.empty()) save_model(cli, info, result, std::move(model));

    if (cli.json)
        write_result_json(std::cout, cli, info, result, stop_signal);
    else
        std::cout << summary_line(result, cli.config, has_val, stop_signal)
                  << (cli.data.has_test_set()
                          ? " - test_loss: " + metric(result.test_loss) + " - test_accuracy: " + metric(result.test_acc)
                          : std::string())
                  << '\n';
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
