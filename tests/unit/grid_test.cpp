#include "sweeps/grid.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

SweepSpec parse(const std::string& text) { return parse_spec(text, "g.ini"); }

// The repository's sweeps/ folder: from CMake's tests/data path, else from this file's path.
std::filesystem::path sweeps_dir() {
#ifdef DNNSWEEP_TEST_DATA_DIR
    return std::filesystem::path(DNNSWEEP_TEST_DATA_DIR).parent_path().parent_path() / "sweeps";
#else
    return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "sweeps";
#endif
}

// FNV-1a 64 written again here, so ids are checked against an independent computation.
std::string reference_id(const std::string& s) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

const std::string kSmall =
    "layers = 1, 2, 3\n"
    "width = 8, 16\n"
    "activation = relu, sigmoid\n"
    "folds = 3\n"
    "threads = 2\n";

TEST(Grid, SizeIsTheProduct) {
    const Grid grid(parse(kSmall));
    EXPECT_EQ(grid.size(), 12u);
    EXPECT_EQ(grid.full_size(), 12u);
    EXPECT_EQ(grid.folds(), 3);
    EXPECT_EQ(grid.unit_count(), 36u);
    const Grid single(parse("folds = 1\n"));
    EXPECT_EQ(single.size(), 1u);
    EXPECT_EQ(single.unit_count(), 1u);
}

TEST(Grid, DecodesLastAxisFastest) {
    const Grid grid(parse(kSmall));
    std::uint64_t i = 0;
    for (const int layers : {1, 2, 3})
        for (const int width : {8, 16})
            for (const Activation act : {Activation::Relu, Activation::Sigmoid}) {
                const TrainConfig c = grid.config(i++);
                EXPECT_EQ(c.layers, layers);
                EXPECT_EQ(c.width, width);
                EXPECT_EQ(c.activation, act);
                EXPECT_EQ(c.threads, 2);
                EXPECT_EQ(c.epochs, TrainConfig{}.epochs);  // untouched options keep their defaults
            }
    EXPECT_THROW(grid.config(12), std::out_of_range);
}

TEST(Grid, CanonicalCoversEveryOptionButThreads) {
    const Grid grid(parse("optimizer = sgd\nlayers = 2\n"));
    const std::string canon = grid.canonical(0);
    std::size_t pos = 0;
    for (const ConfigOption& opt : config_options()) {
        if (opt.name == "threads" || !opt.hashed_at_default) {  // the latter: at its default, left out
            EXPECT_EQ(canon.find(opt.name + "="), std::string::npos) << opt.name;
            continue;
        }
        const auto at = canon.find(opt.name + "=", pos);
        ASSERT_EQ(at, pos) << opt.name << " in " << canon;  // in table order, nothing in between
        pos = canon.find(';', at) + 1;
    }
    EXPECT_EQ(pos, canon.size());
    EXPECT_EQ(canon.rfind("layers=2;", 0), 0u);
    EXPECT_NE(canon.find(";learning-rate=0.01;"), std::string::npos);  // resolved: sgd's default
    EXPECT_EQ(grid.config_id(0), reference_id(canon));
}

// An option added after results files existed (train-noise) joins a configuration's settings, and
// so its id and the spec hash, only when set: every id without it stays what it was.
TEST(Grid, AnOptionAddedLaterIsInTheIdOnlyWhenSet) {
    const Grid plain(parse("optimizer = sgd\nlayers = 2\n"));
    const Grid noisy(parse("optimizer = sgd\nlayers = 2\ntrain-noise = 0.5\n"));
    EXPECT_EQ(plain.canonical(0).find("train-noise"), std::string::npos);
    EXPECT_EQ(noisy.canonical(0), plain.canonical(0) + "train-noise=0.5;");
    EXPECT_NE(noisy.config_id(0), plain.config_id(0));
    EXPECT_NE(parse("optimizer = sgd\nlayers = 2\ntrain-noise = 0.5\n").hash,
              parse("optimizer = sgd\nlayers = 2\n").hash);
    // Given at its default it is in the spec hash (the spec says so), not in the configuration's id.
    const Grid zero(parse("optimizer = sgd\nlayers = 2\ntrain-noise = 0\n"));
    EXPECT_EQ(zero.config_id(0), plain.config_id(0));
}

TEST(Grid, IdsDependOnSettingsNotOnHowTheSpecSaysThem) {
    const Grid a(parse("layers = 1, 2\ndropout = 0.1, 0.2\noptimizer = sgd\nfolds = 2\nthreads = 1\n"));
    const Grid b(
        parse("# reordered keys and values, other spellings, another thread count\n"
              "threads = 3\n"
              "dropout = 0.20, 1e-1\n"
              "learning-rate = 0.01   ; sgd's default, spelled out\n"
              "layers = 2, 1\n"
              "optimizer = sgd\n"
              "folds = 2\n"));
    std::map<std::pair<int, double>, std::string> ids_a, ids_b;
    for (std::uint64_t i = 0; i < a.size(); ++i) ids_a[{a.config(i).layers, a.config(i).dropout}] = a.config_id(i);
    for (std::uint64_t i = 0; i < b.size(); ++i) ids_b[{b.config(i).layers, b.config(i).dropout}] = b.config_id(i);
    EXPECT_EQ(ids_a.size(), 4u);
    EXPECT_EQ(ids_a, ids_b);
    // A different setting is a different configuration.
    const Grid c(parse("layers = 1, 2\ndropout = 0.1, 0.2\noptimizer = sgd\nwidth = 100\nfolds = 2\n"));
    for (std::uint64_t i = 0; i < c.size(); ++i)
        EXPECT_NE(c.config_id(i), ids_a.at({c.config(i).layers, c.config(i).dropout}));
}

TEST(Grid, IdsAreUniqueAndUnitsMapToThem) {
    const Grid grid(parse(kSmall));
    std::set<std::string> ids;
    for (std::uint64_t i = 0; i < grid.size(); ++i) {
        const std::string id = grid.config_id(i);
        EXPECT_EQ(id.size(), 16u);
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), grid.size());
    std::set<std::string> unit_ids;
    for (std::uint64_t u = 0; u < grid.unit_count(); ++u) {
        const UnitRef ref = grid.unit(u);
        EXPECT_EQ(ref.config, u / 3);
        EXPECT_EQ(ref.fold, static_cast<int>(u % 3));
        EXPECT_EQ(grid.unit_id(u), grid.config_id(ref.config) + "/" + std::to_string(ref.fold));
        unit_ids.insert(grid.unit_id(u));
    }
    EXPECT_EQ(unit_ids.size(), grid.unit_count());
}

TEST(Grid, SampleIsDeterministicSortedAndASubset) {
    const std::string spec = "layers = 1, 2, 3, 4\nwidth = 8, 16, 32, 64\ndropout = 0, 0.1, 0.2, 0.3\nfolds = 2\n";
    const Grid full(parse(spec));
    std::vector<std::string> full_ids;
    for (std::uint64_t i = 0; i < full.size(); ++i) full_ids.push_back(full.config_id(i));

    const auto sample_ids = [&](const std::string& extra) {
        const Grid g(parse(spec + extra));
        EXPECT_EQ(g.full_size(), 64u);
        std::vector<std::string> ids;
        for (std::uint64_t i = 0; i < g.size(); ++i) ids.push_back(g.config_id(i));
        return ids;
    };
    const auto s1 = sample_ids("sample = 10\nsample-seed = 1\n");
    EXPECT_EQ(s1.size(), 10u);
    EXPECT_EQ(s1, sample_ids("sample = 10\nsample-seed = 1\n"));
    EXPECT_NE(s1, sample_ids("sample = 10\nsample-seed = 2\n"));
    // Distinct members of the full grid, in its order.
    std::vector<std::size_t> positions;
    for (const std::string& id : s1) {
        const auto it = std::ranges::find(full_ids, id);
        ASSERT_NE(it, full_ids.end());
        positions.push_back(static_cast<std::size_t>(it - full_ids.begin()));
    }
    EXPECT_TRUE(std::ranges::is_sorted(positions));
    EXPECT_EQ(std::set<std::size_t>(positions.begin(), positions.end()).size(), 10u);
    // A sample as large as the grid is the grid.
    EXPECT_EQ(sample_ids("sample = 64\n"), full_ids);
    EXPECT_EQ(sample_ids("sample = 1000\n"), full_ids);
    EXPECT_EQ(sample_ids("sample = 63\n").size(), 63u);
}

TEST(Grid, UnitFlopsByHand) {
    const DataShape shape{1000, 4, 3};
    // 2 hidden layers of 10: 4*10 + 10*10 + 10*3 = 170 multiply-adds per sample.
    // 1000 samples, 20% test: 800 non-test; 5 folds: 640 training rows.
    const Grid grid(parse("layers = 2\nwidth = 10\nepochs = 3\ntest-fraction = 0.2\nfolds = 5\n"));
    EXPECT_DOUBLE_EQ(grid.unit_flops(0, shape), 3 * (6.0 * 170 * 640 + 2.0 * 170 * 800));
    EXPECT_DOUBLE_EQ(grid.unit_flops(4, shape), grid.unit_flops(0, shape));
    // maxout with 3 pieces: 4*30 + 10*30 + 10*3; one split with 25% validation: 600 training rows.
    const Grid maxout(
        parse("layers = 2\nwidth = 10\nactivation = maxout\nmaxout-pieces = 3\nepochs = 1\n"
              "test-fraction = 0.2\nfolds = 1\nvalidation-fraction = 0.25\n"));
    EXPECT_DOUBLE_EQ(maxout.unit_flops(0, shape), 6.0 * 450 * 600 + 2.0 * 450 * 800);
    // maxout-pieces without maxout changes nothing; no hidden layers: features * classes.
    const Grid plain(parse("layers = 0\nmaxout-pieces = 5\nepochs = 1\nfolds = 1\nvalidation-fraction = 0.5\n"));
    EXPECT_DOUBLE_EQ(plain.unit_flops(0, shape), 6.0 * 12 * 500 + 2.0 * 12 * 1000);
}

TEST(Grid, UnitFlopsFollowTheDecodedConfig) {
    // The cheap cost path must agree with the authoritative config(i) for every configuration.
    const Grid grid(
        parse("layers = 0, 2\nwidth = 5, 7\nactivation = relu, maxout\nmaxout-pieces = 2, 4\n"
              "epochs = 1, 2\nfolds = 2\nsample = 20\nsample-seed = 3\n"));
    const DataShape shape{200, 6, 4};
    for (std::uint64_t i = 0; i < grid.size(); ++i) {
        const TrainConfig c = grid.config(i);
        const int outs = c.width * (c.activation == Activation::Maxout ? c.maxout_pieces : 1);
        double macs = 0, in = 6;
        for (int l = 0; l < c.layers; ++l, in = c.width) macs += in * outs;
        macs += in * 4;
        EXPECT_DOUBLE_EQ(grid.unit_flops(i * 2 + 1, shape), c.epochs * (6 * macs * 100 + 2 * macs * 200)) << i;
    }
}

TEST(Grid, ScheduleIsLongestFirstAndStable) {
    const Grid grid(parse("layers = 1, 3, 2\nwidth = 8, 8000\nactivation = relu, sigmoid\nfolds = 2\n"));
    const DataShape shape{1000, 784, 10};
    const auto order = grid.schedule(shape);
    ASSERT_EQ(order.size(), grid.unit_count());
    std::vector<std::uint64_t> sorted = order;
    std::ranges::sort(sorted);
    for (std::uint64_t u = 0; u < sorted.size(); ++u) EXPECT_EQ(sorted[u], u);  // a permutation
    for (std::size_t k = 1; k < order.size(); ++k) {
        const double prev = grid.unit_flops(order[k - 1], shape), cur = grid.unit_flops(order[k], shape);
        EXPECT_GE(prev, cur);
        if (prev == cur) {
            EXPECT_LT(order[k - 1], order[k]);
        }
    }
    EXPECT_EQ(grid.config(grid.unit(order.front()).config).layers, 3);
    EXPECT_EQ(grid.config(grid.unit(order.front()).config).width, 8000);
}

TEST(Grid, DryRunText) {
    const SweepSpec spec = parse(kSmall + "sample = 5\n");
    const Grid grid(spec);
    const std::string text = dry_run_text(spec, grid, DataShape{10000, 784, 10}, 50e9, 4);
    EXPECT_NE(text.find("g.ini"), std::string::npos) << text;
    EXPECT_NE(text.find(spec.hash), std::string::npos) << text;
    EXPECT_NE(text.find("5 configurations (a sample of 12"), std::string::npos) << text;
    EXPECT_NE(text.find("15 units"), std::string::npos) << text;
    EXPECT_NE(text.find("layers (3): 1, 2, 3"), std::string::npos) << text;
    EXPECT_NE(text.find("activation (2): relu, sigmoid"), std::string::npos) << text;
    EXPECT_NE(text.find("GFLOP"), std::string::npos) << text;
    EXPECT_NE(text.find("on 4 ranks (3 workers"), std::string::npos) << text;
    EXPECT_NE(dry_run_text(spec, grid, DataShape{10000, 784, 10}, 50e9, 1).find("on 1 rank (1 worker"),
              std::string::npos);
}

TEST(Grid, RejectsAGridBeyond64Bits) {
    std::string text;
    // 300^8 > 2^64.
    for (const char* key :
         {"layers", "width", "epochs", "patience", "seed", "maxout-pieces", "batch-size", "test-noise"}) {
        text += std::string(key) + " = ";
        for (int v = 2; v < 302; ++v) text += (v > 2 ? "," : "") + std::to_string(v);
        text += "\n";
    }
    EXPECT_THROW(Grid(parse(text)), SpecError);
}

TEST(Grid, MillionConfigurationsQuickly) {
    const auto start = std::chrono::steady_clock::now();
    const std::string axes =
        "layers = 1, 2, 3, 4\nwidth = 8, 16, 32, 64\nactivation = sigmoid, tanh, relu, elu\n"
        "dropout = 0, 0.1, 0.2, 0.3\noptimizer = sgd, adagrad, rmsprop, adam\nbatch-size = 10, 20, 50, 100\n"
        "weight-decay = 0, 0.001, 0.01, 0.1\nepochs = 1, 2, 3, 4\nseed = 1, 2, 3, 4\n"
        "normalization = none, minmax, zscore, batchnorm\nfolds = 2\n";
    const SweepSpec spec = parse(axes);
    const Grid grid(spec);
    EXPECT_EQ(grid.size(), 1u << 20);
    const DataShape shape{10000, 784, 10};
    const auto order = grid.schedule(shape);
    EXPECT_EQ(order.size(), 2u << 20);
    EXPECT_GE(grid.unit_flops(order.front(), shape), grid.unit_flops(order.back(), shape));
    const std::string text = dry_run_text(spec, grid, shape, 50e9, 16);
    EXPECT_NE(text.find("1048576 configurations"), std::string::npos) << text;
    EXPECT_EQ(grid.config(grid.size() - 1).normalization, Normalization::BatchNorm);

    const Grid sampled(parse(axes + "sample = 1000\nsample-seed = 5\n"));
    EXPECT_EQ(sampled.size(), 1000u);
    EXPECT_EQ(sampled.full_size(), 1u << 20);
    std::set<std::string> ids;
    for (std::uint64_t i = 0; i < sampled.size(); ++i) ids.insert(sampled.config_id(i));
    EXPECT_EQ(ids.size(), 1000u);
    EXPECT_EQ(sampled.schedule(shape).size(), 2000u);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 10.0);
}

TEST(Grid, ShippedSweeps) {
    const SweepSpec tips = load_spec((sweeps_dir() / "tips.ini").string());
    const Grid tips_grid(tips);
    EXPECT_EQ(tips_grid.size(), 256u);  // [sgd] and [adam], each 2^7
    EXPECT_EQ(tips_grid.folds(), 1);
    // Every row of the seed table is one of its configurations (rows 1 and 6 checked here).
    const auto has = [&](auto&& pred) {
        for (std::uint64_t i = 0; i < tips_grid.size(); ++i)
            if (pred(tips_grid.config(i))) return true;
        return false;
    };
    EXPECT_TRUE(has([](const TrainConfig& c) {
        return c.layers == 3 && c.activation == Activation::Sigmoid && c.loss == Loss::Mse &&
               c.optimizer == Optimizer::Sgd && c.effective_learning_rate() == 0.1 && c.batch_size == 100 &&
               c.dropout == 0 && c.test_noise == 0 && c.normalization == Normalization::MinMax && c.width == 689 &&
               c.epochs == 20;
    }));
    EXPECT_TRUE(has([](const TrainConfig& c) {
        return c.layers == 11 && c.activation == Activation::Relu && c.loss == Loss::CrossEntropy &&
               c.optimizer == Optimizer::Adam && c.effective_learning_rate() == 0.001 && c.batch_size == 100 &&
               c.dropout == 0 && c.test_noise == 0 && c.normalization == Normalization::MinMax;
    }));

    const SweepSpec quick = load_spec((sweeps_dir() / "quick.ini").string());
    const Grid quick_grid(quick);
    std::uint64_t product = 1;
    for (const Axis& a : quick.axes) product *= a.values.size();
    EXPECT_EQ(quick_grid.size(), product);
    EXPECT_EQ(quick_grid.unit_count(), product * static_cast<std::uint64_t>(quick.split.folds));
    EXPECT_GT(quick.split.test_fraction, 0.0);  // the main job shows test accuracy too
}

}  // namespace
}  // namespace dnnsweep
