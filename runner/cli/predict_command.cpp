#include "runner/cli/predict_command.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "engine/dataset.hpp"
#include "engine/model.hpp"
#include "engine/text_format.hpp"
#include "outputs/model_file.hpp"
#include "outputs/predictions.hpp"
#include "runner/cli/command.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/command_line.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

struct PredictCli {
    std::string model, data, label_format = "auto", out;
    int threads = 1;
    bool force = false, no_labels = false, help = false;
};

po::options_description make_options(PredictCli& cli) {
    po::options_description options("Options");
    options.add_options()("data", po::value(&cli.data)->value_name("SPEC"),
                          "the rows to classify, in any form `dnnsweep train --data` takes")(
        "label-format", po::value(&cli.label_format)->value_name("FMT")->default_value("auto"),
        "text files: auto|onehot|index")(
        "out", po::value(&cli.out)->value_name("FILE"),
        "write every row's predicted class and probabilities: FILE.csv, or FILE.h5 (HDF5)")(
        "no-labels", po::bool_switch(&cli.no_labels),
        "the rows have no labels: every column is a feature (found by itself when the labels are missing "
        "or the columns without a label are the model's features)")("force", po::bool_switch(&cli.force),
                                                                    "replace an existing --out")(
        "threads", po::value(&cli.threads)->value_name("N")->default_value(1), "OpenMP threads")(
        "help,h", po::bool_switch(&cli.help), "print this help and exit");
    return options;
}

constexpr const char* kUsage =
    "Usage: dnnsweep predict MODEL.h5 --data DATA [--out PRED.csv|PRED.h5] [--force]\n\n"
    "Classifies every row of DATA with a model saved by `dnnsweep refit` or `train --save-model`\n"
    "(docs/model-format.md): the rows go through the model's own input scaling, then its network.\n"
    "Prints the accuracy and the confusion matrix (labels matched to the model's classes by name);\n"
    "rows without labels (a CSV or text file of features only, an HDF5 file without its labels\n"
    "dataset, one FEATURES.npy) are classified without them. --out writes each row's predicted\n"
    "class and class probabilities.\n\n";
constexpr const char* kExitCodes =
    "\nExit codes: 0 done, 2 bad usage or input (a model file of another format version, data with\n"
    "another feature count or labels the model does not know, an existing --out without --force),\n"
    "1 unexpected failure.\n";

// The data's labels in the model's numbering: matched by class name, so data whose loader numbered
// its classes otherwise (another set of string labels) is still scored right.
std::vector<std::int32_t> model_labels(const Dataset& data, const Model& model) {
    std::map<std::string, std::int32_t> index;
    for (std::size_t c = 0; c < model.class_names.size(); ++c)
        index.emplace(model.class_names[c], static_cast<std::int32_t>(c));
    std::vector<std::string> data_names(static_cast<std::size_t>(data.classes));
    for (int c = 0; c < data.classes; ++c) data_names[static_cast<std::size_t>(c)] = data.class_name(c);
    std::vector<std::int32_t> labels(data.y.size());
    for (std::size_t r = 0; r < data.y.size(); ++r) {
        const std::string& label = data_names.at(static_cast<std::size_t>(data.y[r]));
        const auto it = index.find(label);
        if (it == index.end()) {
            std::string known;
            for (const std::string& n : model.class_names) known += (known.empty() ? "" : ", ") + n;
            throw DataError(data.source + ": row " + std::to_string(r + 1) + " has label '" + label +
                            "', not one of the model's classes (" + known + ")");
        }
        labels[r] = it->second;
    }
    return labels;
}

std::string feature_count_error(const Dataset& data, const Model& model, const std::string& model_path) {
    return data.source + ": " + std::to_string(data.features()) + " features per row; the model " + model_path +
           " takes " + std::to_string(model.features);
}

// The rows to classify, with their labels where they have them. Without --no-labels the labels are
// looked for first, then the rows are read again without them when that fails or leaves a feature
// count other than the model's while every column together has the model's count: features only.
Dataset load_rows(const PredictCli& cli, LabelFormat label_format, const Model& model) {
    LoadOptions options;
    options.label_format = label_format;
    options.labelled = !cli.no_labels;
    const auto unlabelled = [&] {
        LoadOptions o = options;
        o.labelled = false;
        return load_dataset(cli.data, o);
    };
    if (cli.no_labels) {
        Dataset data = unlabelled();
        if (data.features() != model.features) throw DataError(feature_count_error(data, model, cli.model));
        return data;
    }
    std::optional<Dataset> labelled, features_only;
    std::optional<DataError> labelled_error;
    try {
        labelled = load_dataset(cli.data, options);
    } catch (const DataError& e) {
        labelled_error = e;
    }
    if (labelled && labelled->features() == model.features) return std::move(*labelled);
    try {
        features_only = unlabelled();
    } catch (const DataError&) {
        // Not readable without labels either: the error with labels is the one to show.
    }
    if (features_only && features_only->features() == model.features) return std::move(*features_only);
    if (labelled_error) throw *labelled_error;
    throw DataError(feature_count_error(*labelled, model, cli.model));
}

void print_confusion(const Predictions& p, std::ostream& out) {
    const std::vector<std::int64_t> m = confusion_matrix(p);
    const std::size_t k = p.classes();
    std::size_t width = 6;
    for (const std::string& n : p.class_names) width = std::max(width, n.size() + 1);
    for (const std::int64_t v : m) width = std::max(width, std::to_string(v).size() + 1);
    const auto cell = [&](const std::string& s) { return std::string(width - std::min(width, s.size()), ' ') + s; };
    out << "confusion matrix (rows: true class, columns: predicted):\n" << cell("");
    for (const std::string& n : p.class_names) out << cell(n);
    out << '\n';
    for (std::size_t t = 0; t < k; ++t) {
        out << cell(p.class_names[t]);
        for (std::size_t c = 0; c < k; ++c) out << cell(std::to_string(m[t * k + c]));
        out << '\n';
    }
}

int predict(const std::vector<std::string>& args, const po::options_description& options, PredictCli& cli) {
    parse_command_line(args, options, cli.model);
    if (cli.help) {
        std::cout << kUsage << options << kExitCodes;
        return exit_code::ok;
    }
    if (cli.model.empty()) throw po::error("missing the model file (dnnsweep predict MODEL.h5 --data DATA)");
    if (cli.data.empty()) throw po::error("missing --data (the rows to classify)");
    if (cli.threads < 1) throw ConfigError("threads: must be >= 1");
    if (!cli.out.empty()) {
        prediction_format(cli.out, "out");
        check_model_path(cli.out, cli.force, "out");
    }
    const LabelFormat label_format = [&] {
        try {
            return parse_label_format(cli.label_format);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("label-format: ") + e.what());
        }
    }();

    Model model = read_model_file(cli.model);
    model.config.threads = cli.threads;
    std::unique_ptr<Predictor> predictor;
    try {
        predictor = std::make_unique<Predictor>(model);
    } catch (const ModelError& e) {
        throw ModelError(cli.model + ": " + e.what());
    }
    const Dataset data = load_rows(cli, label_format, model);

    Predictions p;
    p.class_names = model.class_names;
    p.model_path = cli.model;
    p.data_source = data.source;
    if (!data.y.empty()) p.labels = model_labels(data, model);
    const auto t0 = std::chrono::steady_clock::now();
    Predictor::Output out = predictor->predict(data.x);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    p.probabilities = std::move(out.probabilities);
    p.predicted = std::move(out.predicted);

    std::cout << "model: " << cli.model << " (" << model.origin << " of configuration " << model.config_id << ", "
              << model.features << " features, " << model.classes << " classes)\n"
              << "data: " << data.source << " - " << data.size() << " rows, predicted in " << significant(seconds, 3)
              << " s ("
              << thousands(static_cast<std::int64_t>(static_cast<double>(data.size()) / std::max(seconds, 1e-9)))
              << " rows/s)" << (p.labels.empty() ? "; no labels: every column a feature, no accuracy" : "") << '\n';
    if (!p.labels.empty()) {
        const auto correct = static_cast<std::int64_t>(std::llround(accuracy(p) * static_cast<double>(p.rows())));
        std::cout << "accuracy: " << fixed(accuracy(p), 4) << " (" << thousands(correct) << " of "
                  << thousands(static_cast<std::int64_t>(p.rows())) << " rows)\n";
        print_confusion(p, std::cout);
    }
    if (!cli.out.empty()) {
        write_predictions(cli.out, p, cli.force);
        std::cout << "predictions: " << cli.out << '\n';
    }
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("standard output: write failed");
    return exit_code::ok;
}

}  // namespace

int run_predict_command(const std::vector<std::string>& args) {
    PredictCli cli;
    const po::options_description options = make_options(cli);
    return run_command("predict", options, [&] { return predict(args, options, cli); });
}

}  // namespace dnnsweep
