// Sections (unions of grids), ranges and samplers: what the union holds, that each configuration
// runs once, that identities come from values, and the errors a user can make.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/rng.hpp"
#include "sweeps/config_options.hpp"
#include "sweeps/grid.hpp"
#include "sweeps/search_space.hpp"
#include "sweeps/sobol.hpp"

namespace dnnsweep {
namespace {

SweepSpec parse(const std::string& text) { return parse_spec(text, "s.ini"); }

std::string error_of(const std::string& text) {
    try {
        const Grid grid(parse(text));
    } catch (const SpecError& e) {
        return e.what();
    }
    return "";
}

void expect_error(const std::string& text, const std::string& prefix, const std::string& also = "") {
    const std::string msg = error_of(text);
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << "message: '" << msg << "', expected to start with '" << prefix << "'";
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    if (!also.empty()) {
        EXPECT_NE(msg.find(also), std::string::npos) << "message: '" << msg << "', expected '" << also << "'";
    }
}

std::set<std::string> ids(const Grid& g) {
    std::set<std::string> out;
    for (std::uint64_t i = 0; i < g.size(); ++i) out.insert(g.config_id(i));
    return out;
}

TEST(Sections, TheStudyIsTheUnionAndTopLevelKeysApplyUnlessASectionSetsThem) {
    const Grid g(parse("width = 8\nepochs = 2\n[small]\nlayers = 1, 2\n[wide]\nlayers = 3\nwidth = 16, 32\n"));
    ASSERT_EQ(g.size(), 4u);
    EXPECT_EQ(g.sections().size(), 2u);
    EXPECT_EQ(g.config(0).layers, 1);
    EXPECT_EQ(g.config(1).width, 8);
    EXPECT_EQ(g.config(2).width, 16);
    EXPECT_EQ(g.config(3).width, 32);
    for (std::uint64_t i = 0; i < g.size(); ++i) EXPECT_EQ(g.config(i).epochs, 2);
    EXPECT_EQ(g.section_name(1), "small");
    EXPECT_EQ(g.section_name(2), "wide");
    EXPECT_EQ(ids(g).size(), 4u);
}

TEST(Sections, AConfigurationProducedTwiceRunsOnceInItsFirstSection) {
    const Grid g(parse("[a]\nlayers = 1, 2, 3\n[b]\nlayers = 2, 3, 4\nwidth = 8, 16\n[c]\nlayers = 3\n"));
    // a: 1, 2, 3 at the default width; b: six, of which none is at the default width unless 16 is it.
    std::set<std::string> expected;
    for (const char* text : {"[a]\nlayers = 1, 2, 3\n", "[b]\nlayers = 2, 3, 4\nwidth = 8, 16\n"}) {
        const Grid one(parse(text));
        const auto s = ids(one);
        expected.insert(s.begin(), s.end());
    }
    EXPECT_EQ(ids(g), expected);
    EXPECT_EQ(g.size(), expected.size());   // each configuration once
    EXPECT_EQ(g.sections()[2].kept(), 0u);  // [c] adds nothing new
    EXPECT_EQ(g.sections()[2].dropped(), 1u);
}

TEST(Sections, DuplicatesAreFoundThroughResolvedValues) {
    // Unset, sgd's rate is its default: [b]'s explicit default is the same configuration.
    const double sgd_default = default_learning_rate(Optimizer::Sgd);
    const std::string rate = to_text(OptionValue{sgd_default});
    const Grid g(parse("[a]\noptimizer = sgd, adam\n[b]\noptimizer = sgd\nlearning-rate = " + rate + ", 0.5\n"));
    EXPECT_EQ(g.size(), 3u);
    EXPECT_EQ(g.sections()[1].dropped(), 1u);
    EXPECT_EQ(ids(g).size(), 3u);
}

TEST(Sections, IdentityComesFromTheValuesNotTheSection) {
    const Grid plain(parse("layers = 2\nactivation = relu\n"));
    const Grid sectioned(parse("layers = 5\n[x]\nlayers = 2\nactivation = relu\n[y]\nlayers = 3\n"));
    EXPECT_EQ(sectioned.config_id(0), plain.config_id(0));
    EXPECT_EQ(sectioned.canonical(0), plain.canonical(0));
}

TEST(Sections, SpecsWithoutSectionsOrRangesKeepTheirHash) {
    // The hash sweeps/quick.ini had before sections existed: its results files must still resume.
    const std::filesystem::path quick =
        std::filesystem::path(DNNSWEEP_TEST_DATA_DIR).parent_path().parent_path() / "sweeps" / "quick.ini";
    EXPECT_EQ(load_spec(quick.string()).hash, "7d719d0d824b406c");
    EXPECT_EQ(parse("layers = 2\n").hash, parse("layers = 2\nsampler = sobol\n").hash);
    EXPECT_NE(parse("layers = 2\n").hash, parse("[a]\nlayers = 2\n").hash);
    EXPECT_NE(parse("[a]\nlayers = 2\n").hash, parse("[b]\nlayers = 2\n").hash);
}

TEST(Sections, ListOnlySectionsSampleASubsetOfTheirOwnGrid) {
    const Grid g(parse("sample = 3\n[a]\nlayers = 1, 2, 3, 4, 5\n[b]\nwidth = 1, 2, 3, 4\n"));
    EXPECT_EQ(g.size(), 6u);
    EXPECT_EQ(g.sections()[0].kept(), 3u);
    EXPECT_EQ(g.sections()[1].kept(), 3u);
    EXPECT_EQ(ids(g).size(), 6u);
}

TEST(Ranges, DrawsAreRoundedInRangeAndTheSameEveryTime) {
    const std::string text =
        "sample = 40\nsample-seed = 7\nlearning-rate = loguniform(1e-4, 0.1)\nlayers = randint(1, 4)\n"
        "width = lograndint(8, 512)\ndropout = uniform(0, 0.5)\nactivation = relu, tanh\n";
    for (const char* sampler : {"random", "sobol"}) {
        const std::string spec_text = text + "sampler = " + sampler + "\n";
        const Grid g(parse(spec_text));
        const Grid again(parse(spec_text));
        ASSERT_EQ(g.size(), 40u) << sampler;
        std::set<int> layers;
        std::set<std::string> activations;
        for (std::uint64_t i = 0; i < g.size(); ++i) {
            const TrainConfig c = g.config(i);
            EXPECT_EQ(g.config_id(i), again.config_id(i));
            ASSERT_TRUE(c.learning_rate);
            EXPECT_GE(*c.learning_rate, 1e-4);
            EXPECT_LE(*c.learning_rate, 0.1);
            // kDrawnDigits significant digits: printing with that many gives the value back.
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.*g", kDrawnDigits, *c.learning_rate);
            EXPECT_EQ(std::stod(buf), *c.learning_rate);
            EXPECT_GE(c.layers, 1);
            EXPECT_LE(c.layers, 4);
            EXPECT_GE(c.width, 8);
            EXPECT_LE(c.width, 512);
            EXPECT_GE(c.dropout, 0.0);
            EXPECT_LE(c.dropout, 0.5);
            layers.insert(c.layers);
            activations.insert(std::string(name(c.activation)));
        }
        EXPECT_EQ(layers.size(), 4u) << sampler;  // both ends of randint reached
        EXPECT_EQ(activations.size(), 2u) << sampler;
    }
    EXPECT_NE(Grid(parse(text + "sampler = sobol\n")).config_id(1), Grid(parse(text)).config_id(1));
}

TEST(Ranges, SectionsDrawIndependentlyAndMixWithGrids) {
    const Grid g(
        parse("sample = 5\nlearning-rate = loguniform(0.001, 0.1)\n[sgd]\noptimizer = sgd\n"
              "[adam]\noptimizer = adam\n[fixed]\noptimizer = adam\nlearning-rate = 0.001, 0.01\n"));
    EXPECT_EQ(g.size(), 12u);
    EXPECT_EQ(g.config(0).optimizer, Optimizer::Sgd);
    EXPECT_EQ(g.config(5).optimizer, Optimizer::Adam);
    EXPECT_NE(*g.config(0).learning_rate, *g.config(5).learning_rate);
    EXPECT_EQ(g.section_name(11), "fixed");
}

// The L2-star discrepancy of points in [0, 1)^d (Warnock's formula): how far the share of points in
// boxes anchored at the origin strays from the boxes' volume.
double l2_star_discrepancy(const std::vector<std::vector<double>>& pts) {
    const auto n = static_cast<double>(pts.size());
    const std::size_t d = pts.front().size();
    double a = 0.0, b = 0.0;
    for (const auto& p : pts) {
        double prod = 1.0;
        for (std::size_t k = 0; k < d; ++k) prod *= 1.0 - p[k] * p[k];
        a += prod;
    }
    for (const auto& p : pts)
        for (const auto& q : pts) {
            double prod = 1.0;
            for (std::size_t k = 0; k < d; ++k) prod *= 1.0 - std::max(p[k], q[k]);
            b += prod;
        }
    return std::sqrt(std::pow(3.0, -static_cast<double>(d)) - std::pow(2.0, 1.0 - static_cast<double>(d)) / n * a +
                     b / (n * n));
}

TEST(Sobol, CoversMoreEvenlyThanRandomDraws) {
    constexpr std::size_t kDims = 3, kPoints = 64;
    int sobol_wins = 0;
    constexpr int kSeeds = 20;
    double sobol_mean = 0.0, random_mean = 0.0;
    for (int seed = 0; seed < kSeeds; ++seed) {
        ScrambledSobol sobol(kDims, static_cast<std::uint64_t>(seed));
        Rng rng(static_cast<std::uint64_t>(seed), Stream::Shuffle);
        std::vector<std::vector<double>> s, r;
        for (std::size_t i = 0; i < kPoints; ++i) {
            s.push_back(sobol.next());
            std::vector<double> p;
            for (std::size_t k = 0; k < kDims; ++k) p.push_back(rng.uniform());
            r.push_back(p);
        }
        const double ds = l2_star_discrepancy(s), dr = l2_star_discrepancy(r);
        sobol_mean += ds / kSeeds;
        random_mean += dr / kSeeds;
        if (ds < dr) ++sobol_wins;
    }
    RecordProperty("sobol_mean_discrepancy", std::to_string(sobol_mean));
    RecordProperty("random_mean_discrepancy", std::to_string(random_mean));
    std::printf("L2-star discrepancy, %zu points in %zu dims, mean of %d seeds: sobol %.5f, random %.5f\n", kPoints,
                kDims, kSeeds, sobol_mean, random_mean);
    EXPECT_GE(sobol_wins, kSeeds - 2);
    EXPECT_LT(sobol_mean, 0.5 * random_mean);
}

TEST(Sobol, EveryDimensionIsBalancedOverAPowerOfTwoPoints) {
    // Each of the first 2^m scrambled points falls in its own 2^-m slice of every dimension.
    ScrambledSobol sobol(5, 42);
    constexpr int kPoints = 32;
    std::vector<std::set<int>> slices(5);
    for (int i = 0; i < kPoints; ++i) {
        const auto p = sobol.next();
        for (std::size_t k = 0; k < p.size(); ++k) {
            EXPECT_GE(p[k], 0.0);
            EXPECT_LT(p[k], 1.0);
            slices[k].insert(static_cast<int>(p[k] * kPoints));
        }
    }
    for (const auto& s : slices) EXPECT_EQ(s.size(), static_cast<std::size_t>(kPoints));
}

TEST(Sections, AMillionConfigurationUnionIsSizedAndDecodedQuicklyInLittleMemory) {
    // Four sections of 250,000: a dry run's work (every configuration's cost) stays under a second.
    std::string text = "layers = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\nwidth = ";
    for (int w = 1; w <= 100; ++w) text += (w > 1 ? ", " : "") + std::to_string(w);
    text += "\nepochs = ";
    for (int e = 1; e <= 250; ++e) text += (e > 1 ? ", " : "") + std::to_string(e);
    text += "\n";
    for (const char* act : {"relu", "tanh", "sigmoid", "elu"})
        text += std::string("[") + act + "]\nactivation = " + act + "\n";
    const auto start = std::chrono::steady_clock::now();
    const SweepSpec spec = parse(text);
    const Grid g(spec);
    ASSERT_EQ(g.size(), 1'000'000u);
    const DataShape shape{10000, 784, 10};
    const std::string text_out = dry_run_text(spec, g, shape, 60e9, 4);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 1.0);
    EXPECT_NE(text_out.find("[elu] 250000 configurations"), std::string::npos) << text_out;
    EXPECT_EQ(g.config(999'999).activation, Activation::Elu);
    EXPECT_EQ(g.config(999'999).epochs, 250);
    // Bounded memory: nothing per configuration is kept (no section dropped anything).
    for (const SectionGrid& s : g.sections()) EXPECT_EQ(s.dropped(), 0u);
}

TEST(Sections, ListPrintsKeyValueLines) {
    const SweepSpec spec = parse("width = 8\n[a]\nlayers = 1, 2\n[b]\nlayers = 3\nloss = mse\n");
    const Grid g(spec);
    const std::string all = config_list_text(spec, g, 0);
    EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 3);
    EXPECT_NE(all.find("config=2 config_id=" + g.config_id(2) + " section=b layers=3 width=8 loss=mse\n"),
              std::string::npos)
        << all;
    const std::string one = config_list_text(spec, g, 1);
    EXPECT_NE(one.find("... 2 more"), std::string::npos) << one;
}

TEST(SpecErrors, SectionsAndRangesNameFileLineAndKey) {
    expect_error("sample = 2\nlayers = normal(1, 3)\n", "s.ini:2: layers: unknown distribution 'normal'");
    expect_error("sample = 2\nlayers = randint(3, 3)\n", "s.ini:2: layers: the low bound must be below the high bound");
    expect_error("sample = 2\nlearning-rate = loguniform(0, 1)\n",
                 "s.ini:2: learning-rate: loguniform needs bounds > 0");
    expect_error("sample = 2\nlayers = uniform(1, 3)\n", "s.ini:2: layers: uniform draws reals but layers is integer");
    expect_error("sample = 2\ndropout = randint(0, 1)\n", "s.ini:2: dropout: randint draws integers");
    expect_error("sample = 2\nactivation = uniform(0, 1)\n", "s.ini:2: activation: a range needs a numeric option");
    expect_error("sample = 2\ndropout = uniform(0, 1)\n", "s.ini:2: dropout: bound 1: must be in [0, 1)");
    expect_error("layers = randint(1, 3)\n", "s.ini:1: layers: a range is drawn from: add 'sample = N'");
    expect_error("sample = 2\nlayers = randint(1 3)\n", "s.ini:2: layers: expected 'randint(LOW, HIGH)'");
    expect_error("layers = 2\n[a]\n\n[b]\nlayers = 3\n", "s.ini:2: [a]: empty section");
    expect_error("layers = 2\n[a]\nlayers = 3\n[b]\nfolds = 2\n", "s.ini:5: folds: a study key");
    expect_error("[a]\nsampler = sobol\n", "s.ini:2: sampler: a study key");
    expect_error("[a]\nlayers = 3\n[a]\nlayers = 4\n", "s.ini:3: [a]: duplicate section (first given on line 1)");
    expect_error("[a b]\nlayers = 3\n", "s.ini:1: [a b]: a section name takes");
    expect_error("[a\nlayers = 3\n", "s.ini:1: expected '[name]'");
    expect_error("sampler = halton\n", "s.ini:1: sampler: expected random or sobol");
    expect_error("[a]\nlayers = 3\nlayers = 4\n", "s.ini:3: layers: duplicate key (first given on line 2)");
    // The same key in two sections, or at the top and in a section, is no duplicate.
    EXPECT_EQ(error_of("layers = 2\n[a]\nlayers = 3\n[b]\nlayers = 4\n"), "");
}

}  // namespace
}  // namespace dnnsweep
