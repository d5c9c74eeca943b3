#include "engine/preprocess.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace dnnsweep {
namespace {

Matrix make_matrix(std::size_t rows, std::size_t cols, const std::vector<float>& values) {
    Matrix m(rows, cols);
    m.data = values;
    return m;
}

TEST(HoldoutSplit, SizesFollowRoundedFraction) {
    const Split a = holdout_split(100, 0.2, 1);
    EXPECT_EQ(a.train.size(), 80u);
    EXPECT_EQ(a.test.size(), 20u);
    const Split b = holdout_split(10, 0.25, 1);  // round(2.5) = 3
    EXPECT_EQ(b.train.size(), 7u);
    EXPECT_EQ(b.test.size(), 3u);
    const Split c = holdout_split(7, 0.1, 1);  // round(0.7) = 1
    EXPECT_EQ(c.test.size(), 1u);
}

TEST(HoldoutSplit, DisjointAndComplete) {
    const Split s = holdout_split(1000, 0.3, 7);
    std::vector<std::uint32_t> all = s.train;
    all.insert(all.end(), s.test.begin(), s.test.end());
    std::sort(all.begin(), all.end());
    std::vector<std::uint32_t> expected(1000);
    std::iota(expected.begin(), expected.end(), 0u);
    EXPECT_EQ(all, expected);  // every row exactly once
}

TEST(HoldoutSplit, DeterministicInSeed) {
    const Split a = holdout_split(500, 0.2, 12345);
    const Split b = holdout_split(500, 0.2, 12345);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.test, b.test);
    const Split c = holdout_split(500, 0.2, 12346);
    EXPECT_NE(a.test, c.test);
    // Shuffled, not the natural order.
    std::vector<std::uint32_t> sorted = a.train;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_NE(sorted, a.train);
}

TEST(HoldoutSplit, ZeroFractionKeepsEveryRowForTraining) {
    const Split s = holdout_split(50, 0.0, 3);
    EXPECT_EQ(s.train.size(), 50u);
    EXPECT_TRUE(s.test.empty());
    const Split e = holdout_split(0, 0.0, 3);
    EXPECT_TRUE(e.train.empty());
    EXPECT_TRUE(e.test.empty());
}

TEST(HoldoutSplit, BadFractionNamesTheOption) {
    for (const double f : {-0.1, 1.0, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
        try {
            holdout_split(100, f, 0);
            ADD_FAILURE() << "fraction " << f << " accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("test-fraction"), std::string::npos) << e.what();
        }
    }
}

TEST(HoldoutSplit, EmptyPartThrows) {
    EXPECT_THROW(holdout_split(3, 0.1, 0), ConfigError);  // round(0.3) = 0 test rows
    EXPECT_THROW(holdout_split(2, 0.9, 0), ConfigError);  // round(1.8) = 2: no training rows
    EXPECT_THROW(holdout_split(0, 0.5, 0), ConfigError);  // nothing to split
    EXPECT_NO_THROW(holdout_split(2, 0.5, 0));
}

TEST(Gather, CopiesRowsLabelsAndMetadata) {
    Dataset d;
    d.x = make_matrix(4, 2, {0, 1, 10, 11, 20, 21, 30, 31});
    d.y = {0, 1, 2, 1};
    d.classes = 3;
    d.source = "unit";
    const Dataset g = gather(d, {3, 0, 3});
    ASSERT_EQ(g.size(), 3u);
    ASSERT_EQ(g.features(), 2u);
    EXPECT_EQ(g.x.data, (std::vector<float>{30, 31, 0, 1, 30, 31}));
    EXPECT_EQ(g.y, (std::vector<std::int32_t>{1, 0, 1}));
    EXPECT_EQ(g.classes, 3);
    EXPECT_EQ(g.source, "unit");

    const Dataset none = gather(d, {});
    EXPECT_EQ(none.size(), 0u);
    EXPECT_EQ(none.features(), 2u);

    EXPECT_THROW(gather(d, {4}), std::out_of_range);
}

TEST(InputScaler, MinMaxMapsTrainingRangeToUnitInterval) {
    // Columns: 1..5, -2..2, constant 7.
    const Matrix train = make_matrix(3, 3, {1, -2, 7, 3, 2, 7, 5, 0, 7});
    const InputScaler s = InputScaler::fit(train, Normalization::MinMax);
    ASSERT_EQ(s.shift.size(), 3u);
    EXPECT_FLOAT_EQ(s.shift[0], 1.0f);
    EXPECT_FLOAT_EQ(s.scale[0], 0.25f);
    EXPECT_FLOAT_EQ(s.shift[1], -2.0f);
    EXPECT_FLOAT_EQ(s.scale[1], 0.25f);
    EXPECT_FLOAT_EQ(s.scale[2], 1.0f);  // constant feature

    Matrix x = train;
    s.apply(x);
    EXPECT_EQ(x.data, (std::vector<float>{0, 0, 0, 0.5f, 1, 0, 1, 0.5f, 0}));

    // Fit on training rows only: other data can fall outside [0, 1].
    Matrix other = make_matrix(2, 3, {9, -4, 8, -1, 2, 7});
    s.apply(other);
    EXPECT_FLOAT_EQ(other.at(0, 0), 2.0f);
    EXPECT_FLOAT_EQ(other.at(0, 1), -0.5f);
    EXPECT_FLOAT_EQ(other.at(0, 2), 1.0f);
    EXPECT_FLOAT_EQ(other.at(1, 0), -0.5f);
    EXPECT_FLOAT_EQ(other.at(1, 1), 1.0f);
    EXPECT_FLOAT_EQ(other.at(1, 2), 0.0f);
}

TEST(InputScaler, ZScoreGivesMeanZeroPopulationStdOne) {
    // Column 0: 1, 2, 3, 4 (mean 2.5, population variance 1.25); column 1 constant.
    const Matrix train = make_matrix(4, 2, {1, 5, 2, 5, 3, 5, 4, 5});
    const InputScaler s = InputScaler::fit(train, Normalization::ZScore);
    EXPECT_FLOAT_EQ(s.shift[0], 2.5f);
    EXPECT_FLOAT_EQ(s.scale[0], static_cast<float>(1.0 / std::sqrt(1.25)));
    EXPECT_FLOAT_EQ(s.shift[1], 5.0f);
    EXPECT_FLOAT_EQ(s.scale[1], 1.0f);

    Matrix x = train;
    s.apply(x);
    double sum = 0.0, sq = 0.0;
    for (std::size_t i = 0; i < 4; ++i) {
        sum += x.at(i, 0);
        sq += double{x.at(i, 0)} * x.at(i, 0);
        EXPECT_EQ(x.at(i, 1), 0.0f);
    }
    EXPECT_NEAR(sum / 4.0, 0.0, 1e-7);
    EXPECT_NEAR(sq / 4.0, 1.0, 1e-6);
}

TEST(InputScaler, ZScoreIsAccurateWithALargeOffset) {
    // Values 1e4 + {0, 1}: a one-pass float variance would lose the spread; double two-pass keeps it.
    Matrix train(1000, 1);
    for (std::size_t i = 0; i < train.rows; ++i) train.at(i, 0) = 10000.0f + static_cast<float>(i % 2);
    const InputScaler s = InputScaler::fit(train, Normalization::ZScore);
    EXPECT_FLOAT_EQ(s.shift[0], 10000.5f);
    EXPECT_FLOAT_EQ(s.scale[0], 2.0f);  // population std 0.5
}

TEST(InputScaler, NoneAndBatchNormAreIdentity) {
    const Matrix train = make_matrix(2, 2, {1, 2, 3, 4});
    for (const Normalization n : {Normalization::None, Normalization::BatchNorm}) {
        const InputScaler s = InputScaler::fit(train, n);
        EXPECT_TRUE(s.shift.empty());
        EXPECT_TRUE(s.scale.empty());
        Matrix x = make_matrix(1, 5, {-100, 0, 3, 1e6f, 2});  // any width: nothing to apply
        const std::vector<float> before = x.data;
        s.apply(x);
        EXPECT_EQ(x.data, before);
    }
}

TEST(InputScaler, ErrorsAreReported) {
    const InputScaler s = InputScaler::fit(make_matrix(2, 2, {1, 2, 3, 4}), Normalization::MinMax);
    Matrix wrong(1, 3);
    EXPECT_THROW(s.apply(wrong), std::invalid_argument);
    EXPECT_THROW(InputScaler::fit(Matrix(0, 3), Normalization::ZScore), std::invalid_argument);
}

TEST(GaussianNoise, DeterministicWithEmpiricalStd) {
    Matrix a(200, 100);
    Matrix b(200, 100);
    add_gaussian_noise(a, 0.5, 99);
    add_gaussian_noise(b, 0.5, 99);
    EXPECT_EQ(a.data, b.data);

    Matrix c(200, 100);
    add_gaussian_noise(c, 0.5, 100);
    EXPECT_NE(a.data, c.data);

    double sum = 0.0, sq = 0.0;
    for (const float v : a.data) {
        sum += v;
        sq += double{v} * v;
    }
    const auto n = static_cast<double>(a.data.size());
    const double mean = sum / n;
    EXPECT_NEAR(mean, 0.0, 0.02);  // 5 sigma of the mean of 20000 draws is 0.018
    EXPECT_NEAR(std::sqrt(sq / n - mean * mean), 0.5, 0.02);
}

TEST(GaussianNoise, AddsToExistingValuesAndZeroStdIsNoOp) {
    Matrix base = make_matrix(1, 3, {1, 2, 3});
    Matrix zero(1, 3);
    add_gaussian_noise(base, 0.1, 5);
    add_gaussian_noise(zero, 0.1, 5);
    for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(base.at(0, j) - static_cast<float>(j + 1), zero.at(0, j), 1e-6f);

    Matrix x = make_matrix(1, 3, {1, 2, 3});
    add_gaussian_noise(x, 0.0, 5);
    EXPECT_EQ(x.data, (std::vector<float>{1, 2, 3}));
    EXPECT_THROW(add_gaussian_noise(x, -1.0, 5), ConfigError);
}

TEST(MaxAbs, LargestMagnitude) {
    EXPECT_EQ(max_abs(make_matrix(1, 3, {-3, 2, 0.5f})), 3.0f);
    EXPECT_EQ(max_abs(make_matrix(2, 1, {255, 0})), 255.0f);
    EXPECT_EQ(max_abs(Matrix()), 0.0f);
    EXPECT_TRUE(std::isnan(max_abs(make_matrix(1, 3, {1, std::numeric_limits<float>::quiet_NaN(), 2}))));
}

TEST(MaxAbs, EveryPositionOfALongMatrixCountsAndANaNAnywhereShows) {
    // 7 x 37 = 259 values: whole blocks of 16 lanes and a tail of 3. The largest magnitude, and
    // then a NaN or an infinity, is put at each position in turn.
    constexpr std::size_t rows = 7, cols = 37, n = rows * cols;
    std::vector<float> base(n);
    for (std::size_t i = 0; i < n; ++i) base[i] = (i % 2 == 0 ? 1.0f : -1.0f) * static_cast<float>(i % 13) * 0.25f;
    const float base_max = 3.0f;  // 12 * 0.25
    ASSERT_EQ(max_abs(make_matrix(rows, cols, base)), base_max);
    for (std::size_t at = 0; at < n; ++at) {
        std::vector<float> v = base;
        v[at] = at % 2 == 0 ? 7.5f : -7.5f;
        ASSERT_EQ(max_abs(make_matrix(rows, cols, v)), 7.5f) << "largest at " << at;
        v[at] = std::numeric_limits<float>::quiet_NaN();
        ASSERT_TRUE(std::isnan(max_abs(make_matrix(rows, cols, v)))) << "NaN at " << at;
        v[at] = -std::numeric_limits<float>::infinity();
        ASSERT_EQ(max_abs(make_matrix(rows, cols, v)), std::numeric_limits<float>::infinity()) << "-inf at " << at;
    }
    EXPECT_EQ(max_abs(Matrix::view(base.data(), rows, cols)), base_max) << "a view reads the same";
}

}  // namespace
}  // namespace dnnsweep
