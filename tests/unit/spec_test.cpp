#include "sweeps/spec.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sweeps/config_options.hpp"
#include "sweeps/hash.hpp"

namespace dnnsweep {
namespace {

SweepSpec parse(const std::string& text) { return parse_spec(text, "t.ini"); }

// The message of the SpecError that parsing `text` throws ("" if none).
std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const SpecError& e) {
        return e.what();
    }
    return "";
}

// Every error names the file, the line and the key up front.
void expect_error(const std::string& text, const std::string& prefix, const std::string& also = "") {
    const std::string msg = error_of(text);
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << "message: '" << msg << "', expected to start with '" << prefix << "'";
    if (!also.empty()) {
        EXPECT_NE(msg.find(also), std::string::npos) << "message: '" << msg << "', expected '" << also << "'";
    }
}

const Axis* axis(const SweepSpec& spec, const std::string& key) {
    for (const Axis& a : spec.axes)
        if (a.key == key) return &a;
    return nullptr;
}

TEST(Spec, ParsesListsInTableOrderAndStudyKeys) {
    const SweepSpec spec = parse(
        "# a comment\n"
        "loss = mse, crossentropy\n"
        "layers = 3, 11   # inline comment\n"
        "; another comment style\n"
        "activation = sigmoid,relu\n"
        "\n"
        "data = some/dir\n"
        "test-fraction = 0.2\n"
        "folds = 3\n"
        "split-seed = 7\n"
        "sample = 2\n"
        "sample-seed = 9\n"
        "threads = 4\n"
        "label-format = onehot\n"
        "chance-factor = 2\n"
        "few-updates = 5\n");
    EXPECT_EQ(spec.path, "t.ini");
    ASSERT_EQ(spec.axes.size(), 3u);
    // Table order: layers, activation, ..., loss -- not the file's order.
    EXPECT_EQ(spec.axes[0].key, "layers");
    EXPECT_EQ(spec.axes[1].key, "activation");
    EXPECT_EQ(spec.axes[2].key, "loss");
    EXPECT_EQ(spec.axes[0].values, (std::vector<std::string>{"3", "11"}));
    EXPECT_EQ(spec.axes[1].values, (std::vector<std::string>{"sigmoid", "relu"}));
    EXPECT_EQ(spec.axes[2].values, (std::vector<std::string>{"mse", "crossentropy"}));
    EXPECT_EQ(spec.data, "some/dir");
    EXPECT_DOUBLE_EQ(spec.split.test_fraction, 0.2);
    EXPECT_EQ(spec.split.folds, 3);
    EXPECT_EQ(spec.split.split_seed, 7u);
    ASSERT_TRUE(spec.sample.has_value());
    EXPECT_EQ(*spec.sample, 2u);
    EXPECT_EQ(spec.sample_seed, 9u);
    EXPECT_EQ(spec.threads, 4);
    EXPECT_EQ(spec.label_format, LabelFormat::OneHot);
    EXPECT_DOUBLE_EQ(spec.thresholds.chance_factor, 2.0);
    EXPECT_EQ(spec.thresholds.few_updates, 5);
    EXPECT_EQ(spec.hash.size(), 16u);
    EXPECT_EQ(spec.hash.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(spec.text.find("# a comment"), std::string::npos);  // stored verbatim
}

TEST(Spec, HeavyRegularisationThresholds) {
    const SweepSpec spec = parse("heavy-dropout = 0.6\nheavy-weight-decay = 0.01\n");
    EXPECT_DOUBLE_EQ(spec.thresholds.heavy_dropout, 0.6);
    EXPECT_DOUBLE_EQ(spec.thresholds.heavy_weight_decay, 0.01);
    EXPECT_THROW(parse("heavy-dropout = 1.5\n"), SpecError);
    EXPECT_THROW(parse("heavy-weight-decay = -1\n"), SpecError);
    // Keys added after results files existed: at their defaults they leave the spec hash alone.
    EXPECT_EQ(parse("heavy-dropout = 0.5\nheavy-weight-decay = 0.001\n").hash, parse("").hash);
    EXPECT_NE(spec.hash, parse("").hash);
}

TEST(Spec, DefaultsWhenEmpty) {
    const SweepSpec spec = parse("");
    EXPECT_TRUE(spec.axes.empty());
    EXPECT_EQ(spec.split.folds, 5);
    EXPECT_EQ(spec.data, "mnist");
    EXPECT_FALSE(spec.sample.has_value());
    EXPECT_EQ(spec.threads, 1);
    EXPECT_EQ(spec.label_format, LabelFormat::Auto);
}

TEST(Spec, DataKeepsItsCommas) {
    // `IMAGES,LABELS` is one data value, not a list.
    EXPECT_EQ(parse("data = a-images.idx, a-labels.idx\n").data, "a-images.idx, a-labels.idx");
}

TEST(Spec, CanonicalValues) {
    const SweepSpec spec = parse(
        "dropout = 0.10, 0.5\n"
        "learning-rate = 1e-1, 0.010\n"
        "batch-size = full, 100\n"
        "loss = categorical_crossentropy\n"
        "nesterov = yes\n");
    EXPECT_EQ(axis(spec, "dropout")->values, (std::vector<std::string>{"0.1", "0.5"}));
    EXPECT_EQ(axis(spec, "learning-rate")->values, (std::vector<std::string>{"0.1", "0.01"}));
    EXPECT_EQ(axis(spec, "batch-size")->values, (std::vector<std::string>{"full", "100"}));
    EXPECT_EQ(axis(spec, "loss")->values, (std::vector<std::string>{"crossentropy"}));
    EXPECT_EQ(axis(spec, "nesterov")->values, (std::vector<std::string>{"true"}));
    EXPECT_EQ(parse("dropout = 0.10\n").hash, parse("dropout = 0.1\n").hash);
}

TEST(Spec, LearningRateAbsentIsNotAnAxis) {
    EXPECT_EQ(axis(parse("optimizer = sgd, adam\n"), "learning-rate"), nullptr);
    expect_error("learning-rate = 0.1, 0\n", "t.ini:1: learning-rate: must be > 0", "got 0");
    expect_error("learning-rate = -1\n", "t.ini:1: learning-rate: must be > 0");
    expect_error("learning-rate = fast\n", "t.ini:1: learning-rate: expected a number");
}

TEST(Spec, HashIgnoresLayoutCommentsAndKeyOrder) {
    const std::string a = "layers = 3, 11\nactivation = sigmoid, relu\nfolds = 1\n";
    const std::string b =
        "# the same sweep, written differently\n"
        "folds=1\n"
        "\n"
        "activation =   sigmoid ,relu   ; trailing comment\n"
        "layers= 3,11\n";
    EXPECT_EQ(parse(a).hash, parse(b).hash);
    // A spelled-out default is the same study as an omitted one.
    EXPECT_EQ(parse(a).hash, parse(a + "width = 689\nsplit-seed = 0\n").hash);
    // threads is per rank: not part of what the results mean.
    EXPECT_EQ(parse(a).hash, parse(a + "threads = 8\n").hash);
}

TEST(Spec, HashChangesWithAnyValue) {
    const std::string a = "layers = 3, 11\nactivation = sigmoid, relu\nfolds = 1\n";
    const std::string h = parse(a).hash;
    EXPECT_NE(h, parse("layers = 3, 12\nactivation = sigmoid, relu\nfolds = 1\n").hash);
    EXPECT_NE(h, parse("layers = 11, 3\nactivation = sigmoid, relu\nfolds = 1\n").hash);  // order = indices
    EXPECT_NE(h, parse("layers = 3, 11\nactivation = sigmoid, relu\nfolds = 2\n").hash);
    EXPECT_NE(h, parse(a + "sample = 2\n").hash);
    EXPECT_NE(h, parse(a + "overfit-gap = 0.1\n").hash);
    EXPECT_NE(h, parse(a + "data = other\n").hash);
    EXPECT_NE(h, parse(a + "width = 64\n").hash);
}

TEST(Spec, Fnv1aKnownVectors) {
    // Published FNV-1a 64 test vectors.
    EXPECT_EQ(hex16(fnv1a64("")), "cbf29ce484222325");
    EXPECT_EQ(hex16(fnv1a64("a")), "af63dc4c8601ec8c");
    EXPECT_EQ(hex16(fnv1a64("foobar")), "85944171f73967e8");
    EXPECT_EQ(fnv1a64("bar", fnv1a64("foo")), fnv1a64("foobar"));
    EXPECT_EQ(hex16(0x1), "0000000000000001");
}

TEST(SpecErrors, UnknownKeySuggestsTheClosest) {
    expect_error("layers = 3\nlerning-rate = 0.1\n", "t.ini:2: lerning-rate: unknown key",
                 "did you mean learning-rate?");
    expect_error("fold = 3\n", "t.ini:1: fold: unknown key", "did you mean folds?");
    const std::string far = error_of("colour = blue\n");
    EXPECT_EQ(far.rfind("t.ini:1: colour: unknown key", 0), 0u) << far;
    EXPECT_EQ(far.find("did you mean"), std::string::npos) << far;
}

TEST(SpecErrors, EmptyValuesAndItems) {
    expect_error("\nlayers =\n", "t.ini:2: layers: empty value");
    expect_error("layers = 1,,2\n", "t.ini:1: layers: empty item");
    expect_error("layers = 1,\n", "t.ini:1: layers: empty item");
    expect_error("layers = ,1\n", "t.ini:1: layers: empty item");
    expect_error("data =\n", "t.ini:1: data: empty value");
}

TEST(SpecErrors, MalformedNumbers) {
    expect_error("layers = 3x\n", "t.ini:1: layers: expected an integer", "3x");
    expect_error("layers = 3, 2.5\n", "t.ini:1: layers: expected an integer", "2.5");
    expect_error("folds = five\n", "t.ini:1: folds: expected an integer");
    expect_error("split-seed = -1\n", "t.ini:1: split-seed: expected a non-negative integer");
    expect_error("test-fraction = 0.2.1\n", "t.ini:1: test-fraction: expected a number");
    expect_error("seed = 99999999999999999999999\n", "t.ini:1: seed:", "out of range");
    expect_error("activation = relu, swish\n", "t.ini:1: activation: unknown activation 'swish'");
    expect_error("label-format = csv\n", "t.ini:1: label-format: unknown label-format");
    expect_error("nesterov = maybe\n", "t.ini:1: nesterov: expected true or false");
}

TEST(SpecErrors, OutOfRange) {
    expect_error("\n\n\ndropout = 0.5, 1.5\n", "t.ini:4: dropout: must be in [0, 1), got 1.5");
    expect_error("dropout = 0.99999999\n",
                 "t.ini:1: dropout: must be below 1 as a 32-bit float (at most 0.99999994), got 0.99999999");
    expect_error("width = 0\n", "t.ini:1: width: must be >= 1");
    expect_error("epochs = 0\n", "t.ini:1: epochs: must be >= 1");
    expect_error("batch-size = 0\n", "t.ini:1: batch-size: must be >= 1");
    expect_error("test-fraction = 1\n", "t.ini:1: test-fraction: must be in [0, 1)");
    expect_error("validation-fraction = 0\n", "t.ini:1: validation-fraction: must be in (0, 1)");
    expect_error("folds = 0\n", "t.ini:1: folds: must be >= 1");
    expect_error("sample = 0\n", "t.ini:1: sample: must be >= 1");
    expect_error("chance-factor = 0\n", "t.ini:1: chance-factor: must be > 0");
    expect_error("dead-relu = 2\n", "t.ini:1: dead-relu: must be in [0, 1]");
    expect_error("few-updates = -1\n", "t.ini:1: few-updates: must be >= 0");
}

TEST(SpecErrors, Duplicates) {
    expect_error("layers = 3\nwidth = 8\nlayers = 4\n", "t.ini:3: layers: duplicate key", "line 1");
    expect_error("folds = 3\nfolds = 3\n", "t.ini:2: folds: duplicate key");
    expect_error("layers = 3, 11, 3\n", "t.ini:1: layers: '3' is listed twice");
    expect_error("layers = 3, 03\n", "t.ini:1: layers: '03' is listed twice (as 3)");
    expect_error("dropout = 0.1, 0.10\n", "t.ini:1: dropout: '0.10' is listed twice (as 0.1)");
    expect_error("loss = crossentropy, categorical_crossentropy\n", "t.ini:1: loss:", "listed twice");
}

TEST(SpecErrors, Threads) {
    expect_error("threads = 1, 2\n", "t.ini:1: threads: takes one value");
    expect_error("threads = 0\n", "t.ini:1: threads: must be >= 1");
    expect_error("threads = many\n", "t.ini:1: threads: expected an integer");
}

TEST(SpecErrors, SyntaxAndSections) {
    expect_error("layers = 3\n[study]\nfolds = 2\n", "t.ini:3: folds: a study key: set it at the top");
    expect_error("layers 3\n", "t.ini:1: expected 'key = value'");
    expect_error("= 3\n", "t.ini:1: missing key");
    // Windows line endings are fine.
    EXPECT_EQ(parse("layers = 3, 11\r\nfolds = 1\r\n").axes.at(0).values, (std::vector<std::string>{"3", "11"}));
}

TEST(SpecErrors, ReadErrors) {
    const std::string missing = "/nonexistent-dir/none.ini";
    try {
        load_spec(missing);
        FAIL() << "no error";
    } catch (const SpecError& e) {
        EXPECT_EQ(std::string(e.what()), missing + ": cannot read: No such file or directory");
    }
    const std::string dir = std::filesystem::temp_directory_path().string();
    try {
        load_spec(dir);
        FAIL() << "no error";
    } catch (const SpecError& e) {
        EXPECT_EQ(std::string(e.what()), dir + ": cannot read: Is a directory");
    }
}

TEST(Spec, LoadSpecReadsAFile) {
    const auto path = std::filesystem::temp_directory_path() / "dnnsweep_spec_test.ini";
    {
        std::ofstream out(path);
        out << "layers = 1, 2\nwidth = 8\n";
    }
    const SweepSpec spec = load_spec(path.string());
    std::filesystem::remove(path);
    EXPECT_EQ(spec.path, path.string());
    EXPECT_EQ(spec.hash, parse("layers = 1, 2\nwidth = 8\n").hash);
    // The error names this file.
    EXPECT_EQ(error_of("width = -3\n").rfind("t.ini:1: width:", 0), 0u);
}

TEST(Spec, EveryTableOptionIsAKey) {
    // A spec can set any option the CLI can (threads single-valued), with its default's text.
    const TrainConfig defaults;
    for (const ConfigOption& opt : config_options()) {
        const std::string value = opt.has_default ? to_text(opt.get(defaults)) : "0.05";
        EXPECT_NO_THROW(parse(opt.name + " = " + value + "\n")) << opt.name;
    }
}

}  // namespace
}  // namespace dnnsweep

namespace dnnsweep {
namespace {

TEST(Spec, PruneKeys) {
    const SweepSpec defaults = parse("");
    EXPECT_EQ(defaults.prune.mode, PruneMode::Chance);  // the default: stop what does not train
    EXPECT_EQ(defaults.prune.after, 3);
    const SweepSpec spec = parse("prune = none\nprune-after = 5\nprune-loss-drop = 0.2\n");
    EXPECT_EQ(spec.prune.mode, PruneMode::None);
    EXPECT_EQ(spec.prune.after, 5);
    EXPECT_DOUBLE_EQ(spec.prune.min_loss_drop, 0.2);
    // Pruning changes what is recorded: a results file belongs to one pruning setting.
    EXPECT_NE(spec.hash, defaults.hash);
    EXPECT_NE(parse("prune-after = 4\n").hash, defaults.hash);
    const SweepSpec halving = parse("prune = halving\nhalving-min-epochs = 2\nhalving-eta = 4\n");
    EXPECT_EQ(halving.prune.mode, PruneMode::Halving);
    EXPECT_EQ(halving.prune.halving_min_epochs, 2);
    EXPECT_EQ(halving.prune.halving_eta, 4);
}

TEST(Spec, PruneKeyErrors) {
    expect_error("prune = sometimes\n", "t.ini:1: prune: must be none, chance or halving", "sometimes");
    expect_error("halving-eta = 1\n", "t.ini:1: halving-eta: must be >= 2");
    expect_error("halving-min-epochs = 0\n", "t.ini:1: halving-min-epochs: must be >= 1");
    expect_error("prune-after = 1\n", "t.ini:1: prune-after: must be >= 2", "epoch 1");
    expect_error("prune-after = three\n", "t.ini:1: prune-after:");
    expect_error("prune-loss-drop = 1.5\n", "t.ini:1: prune-loss-drop: must be in [0, 1]");
    expect_error("prune = chance, none\n", "t.ini:1: prune:");
}

TEST(SweepSpec, TrainCurvesKeyChoosesTheExactPassAndKeepsTheHashOfSpecsWithoutIt) {
    EXPECT_FALSE(parse("layers = 2\n").exact_train_curves);
    EXPECT_TRUE(parse("layers = 2\ntrain-curves = exact\n").exact_train_curves);
    EXPECT_EQ(parse("layers = 2\n").hash, parse("layers = 2\ntrain-curves = running\n").hash);
    EXPECT_NE(parse("layers = 2\n").hash, parse("layers = 2\ntrain-curves = exact\n").hash);
    expect_error("layers = 2\ntrain-curves = exakt\n", "t.ini:2: train-curves: expected running or exact");
}

}  // namespace
}  // namespace dnnsweep
