// The fold cache: a unit's parts are exactly prepare_unit's whatever units came before it (fold,
// scaling, test noise, the order), kept parts are reused only for the same fold and scaling, and a
// matrix's huge-page advice changes nothing but speed.
#include "engine/fold_cache.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <cstdint>
#include <vector>

#include "engine/huge_pages.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {
namespace {

// 3 classes, 4 features of random values (so every scaling changes them), rows in random order.
Dataset random_data(std::size_t rows) {
    Dataset d;
    d.classes = 3;
    d.source = "random";
    d.x = Matrix(rows, 4);
    Rng rng(5, Stream::Noise);
    for (std::size_t i = 0; i < rows; ++i) {
        d.y.push_back(static_cast<std::int32_t>(i % 3));
        for (std::size_t j = 0; j < 4; ++j)
            d.x.at(i, j) =
                static_cast<float>(rng.normal() * (1.0 + static_cast<double>(j)) + 3.0 * static_cast<double>(j));
    }
    return d;
}

StudySplit split3() {
    StudySplit s;
    s.folds = 3;
    s.test_fraction = 0.2;
    s.split_seed = 9;
    return s;
}

TrainConfig config(Normalization n, double noise = 0.0, std::uint64_t seed = 1) {
    TrainConfig c;
    c.normalization = n;
    c.test_noise = noise;
    c.seed = seed;
    return c;
}

void expect_same(const Dataset& a, const Dataset& b, const char* part) {
    EXPECT_EQ(a.x.rows, b.x.rows) << part;
    EXPECT_EQ(a.x.cols, b.x.cols) << part;
    EXPECT_EQ(a.x.data, b.x.data) << part;  // bit for bit: the same floats, not close ones
    EXPECT_EQ(a.y, b.y) << part;
    EXPECT_EQ(a.classes, b.classes) << part;
}

void expect_prepared(FoldCache& cache, const TrainConfig& c, const Dataset& data, const StudySplit& s, int fold) {
    const FoldCache::Parts p = cache.parts(c, fold);
    const UnitData want = prepare_unit(c, data, s, fold);
    expect_same(p.train, want.train, "train");
    expect_same(p.val, want.val, "val");
    expect_same(p.test, want.test, "test");
    const auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
    EXPECT_TRUE(same(p.shift.val_spread_ratio, want.shift.val_spread_ratio));
    EXPECT_TRUE(same(p.shift.val_mean_shift, want.shift.val_mean_shift));
    EXPECT_TRUE(same(p.shift.test_spread_ratio, want.shift.test_spread_ratio));
    EXPECT_TRUE(same(p.shift.test_mean_shift, want.shift.test_mean_shift));
}

TrainConfig with_train_noise(TrainConfig c, double noise) {
    c.train_noise = noise;
    return c;
}

TEST(FoldCache, PartsEqualPrepareUnitsInAnyOrder) {
    const Dataset data = random_data(150);
    const StudySplit s = split3();
    FoldCache cache(data, s);
    // Fold and scaling changes, repeats, noise with different seeds, noise after none and back.
    const std::vector<std::pair<TrainConfig, int>> units = {
        {config(Normalization::MinMax), 0},
        {config(Normalization::MinMax), 0},
        {config(Normalization::MinMax, 0.5, 3), 0},
        {config(Normalization::MinMax, 0.5, 4), 0},
        {config(Normalization::MinMax), 0},
        {config(Normalization::ZScore), 0},
        {config(Normalization::ZScore), 2},
        {config(Normalization::None), 2},
        {config(Normalization::BatchNorm), 2},
        {config(Normalization::MinMax, 0.25, 3), 1},
        {config(Normalization::MinMax, 0.25, 3), 1},
        {config(Normalization::MinMax), 0},
        // the input shift depends on the train noise: kept per level, not across levels
        {with_train_noise(config(Normalization::MinMax), 0.5), 0},
        {config(Normalization::MinMax), 0},
        {with_train_noise(config(Normalization::MinMax, 0.5, 3), 0.5), 0}};
    for (std::size_t i = 0; i < units.size(); ++i) {
        SCOPED_TRACE("unit " + std::to_string(i));
        expect_prepared(cache, units[i].first, data, s, units[i].second);
    }
}

TEST(FoldCache, ReusesTheKeptPartsForTheSameFoldAndScalingOnly) {
    const Dataset data = random_data(90);
    const StudySplit s = split3();
    FoldCache cache(data, s);
    const Dataset* kept = &cache.parts(config(Normalization::MinMax), 1).train;
    EXPECT_EQ(cache.misses(), 1u);
    // Another configuration (seed, noise) of the same fold and scaling: the same kept rows.
    EXPECT_EQ(&cache.parts(config(Normalization::MinMax, 0.1, 7), 1).train, kept);
    EXPECT_EQ(cache.hits(), 1u);
    cache.parts(config(Normalization::MinMax), 2);  // another fold
    cache.parts(config(Normalization::ZScore), 2);  // another scaling
    EXPECT_EQ(cache.misses(), 3u);
    cache.parts(config(Normalization::None), 2);
    cache.parts(config(Normalization::BatchNorm), 2);  // batchnorm leaves the inputs as None does
    EXPECT_EQ(cache.misses(), 4u);
    EXPECT_EQ(cache.hits(), 2u);
}

TEST(FoldCache, ABadNoiseIsRefusedAsPrepareUnitRefusesIt) {
    const Dataset data = random_data(90);
    const StudySplit s = split3();
    FoldCache cache(data, s);
    EXPECT_THROW(cache.parts(config(Normalization::MinMax, -1.0), 0), ConfigError);
    EXPECT_THROW(prepare_unit(config(Normalization::MinMax, -1.0), data, s, 0), ConfigError);
    expect_prepared(cache, config(Normalization::MinMax), data, s, 0);  // and the cache still serves
}

TEST(HugePages, AdviceKeepsTheContents) {
    std::vector<float> big(3u << 20, 1.5f);  // 12 MiB: several whole 2 MiB pages inside
    advise_huge_pages(big.data(), big.size() * sizeof(float));
    for (const float v : big) ASSERT_EQ(v, 1.5f);
    std::vector<float> small(10, 2.0f);
    advise_huge_pages(small.data(), small.size() * sizeof(float));  // under one huge page: nothing
    advise_huge_pages(nullptr, 1u << 30);
    EXPECT_EQ(small[9], 2.0f);
}

}  // namespace
}  // namespace dnnsweep
