// The study split: held-out test set, stratified k folds (or one train/validation split), their
// invariants (disjoint, covering, balanced, deterministic), the errors, and prepare_unit's scaling
// and noise.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "engine/folds.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {
namespace {

// Labels with unequal class sizes (class c has base + 7c rows), in a shuffled order.
std::vector<std::int32_t> labels_for(int classes, int base, std::uint64_t seed = 3) {
    std::vector<std::int32_t> y;
    for (int c = 0; c < classes; ++c) y.insert(y.end(), static_cast<std::size_t>(base + 7 * c), c);
    Rng rng(seed, Stream::Shuffle);
    std::vector<std::uint32_t> order = permutation(y.size(), rng);
    std::vector<std::int32_t> shuffled(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) shuffled[i] = y[order[i]];
    return shuffled;
}

std::map<std::int32_t, int> class_counts(const std::vector<std::uint32_t>& rows, const std::vector<std::int32_t>& y) {
    std::map<std::int32_t, int> counts;
    for (const auto r : rows) ++counts[y[r]];
    return counts;
}

StudySplit kfold(int k, double test_fraction = 0.2, std::uint64_t seed = 11) {
    StudySplit s;
    s.folds = k;
    s.test_fraction = test_fraction;
    s.split_seed = seed;
    return s;
}

TEST(Folds, PartsAreSortedDisjointAndCoverEveryRow) {
    const auto y = labels_for(5, 40);
    const StudySplit s = kfold(4);
    for (int f = 0; f < s.folds; ++f) {
        const UnitRows u = unit_rows(s, y, 5, f);
        EXPECT_TRUE(std::is_sorted(u.train.begin(), u.train.end()));
        EXPECT_TRUE(std::is_sorted(u.val.begin(), u.val.end()));
        EXPECT_TRUE(std::is_sorted(u.test.begin(), u.test.end()));
        std::vector<std::uint32_t> all = u.train;
        all.insert(all.end(), u.val.begin(), u.val.end());
        all.insert(all.end(), u.test.begin(), u.test.end());
        ASSERT_EQ(all.size(), y.size());
        std::sort(all.begin(), all.end());
        for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i) << "fold " << f;
        EXPECT_FALSE(u.train.empty());
        EXPECT_FALSE(u.val.empty());
        EXPECT_FALSE(u.test.empty());
    }
}

TEST(Folds, ValidationPartsPartitionTheNonTestRows) {
    const auto y = labels_for(4, 30);
    const StudySplit s = kfold(5);
    const UnitRows first = unit_rows(s, y, 4, 0);
    std::set<std::uint32_t> non_test(first.train.begin(), first.train.end());
    non_test.insert(first.val.begin(), first.val.end());
    std::multiset<std::uint32_t> vals;
    for (int f = 0; f < s.folds; ++f) {
        const UnitRows u = unit_rows(s, y, 4, f);
        vals.insert(u.val.begin(), u.val.end());
    }
    EXPECT_EQ(vals.size(), non_test.size());                                 // no row validates twice...
    EXPECT_EQ(std::set<std::uint32_t>(vals.begin(), vals.end()), non_test);  // ...and every one once
}

TEST(Folds, ClassesAndFoldSizesBalancedWithinOne) {
    const auto y = labels_for(6, 23);
    const StudySplit s = kfold(7, 0.1);
    std::vector<std::map<std::int32_t, int>> per_fold;
    std::vector<std::size_t> sizes;
    for (int f = 0; f < s.folds; ++f) {
        const UnitRows u = unit_rows(s, y, 6, f);
        per_fold.push_back(class_counts(u.val, y));
        sizes.push_back(u.val.size());
    }
    for (std::int32_t c = 0; c < 6; ++c) {
        int lo = 1 << 30, hi = 0;
        for (auto& counts : per_fold) {
            lo = std::min(lo, counts[c]);
            hi = std::max(hi, counts[c]);
        }
        EXPECT_LE(hi - lo, 1) << "class " << c;
        EXPECT_GE(lo, 1) << "class " << c;
    }
    const auto [mn, mx] = std::minmax_element(sizes.begin(), sizes.end());
    EXPECT_LE(*mx - *mn, 1u);
}

TEST(Folds, TestSetIsStratifiedAndTheSameForEveryFoldAndFoldCount) {
    const auto y = labels_for(3, 50);
    const UnitRows reference = unit_rows(kfold(2), y, 3, 0);
    for (const int k : {1, 2, 3, 10}) {
        StudySplit s = kfold(k);
        for (int f = 0; f < k; ++f) EXPECT_EQ(unit_rows(s, y, 3, f).test, reference.test) << k << " folds, fold " << f;
    }
    // round(n_c * 0.2) of each class: 50 -> 10, 57 -> 11, 64 -> 13.
    const auto counts = class_counts(reference.test, y);
    EXPECT_EQ(counts.at(0), 10);
    EXPECT_EQ(counts.at(1), 11);
    EXPECT_EQ(counts.at(2), 13);
}

TEST(Folds, DeterministicAndSeedDependent) {
    const auto y = labels_for(4, 25);
    const UnitRows a = unit_rows(kfold(3), y, 4, 1);
    const UnitRows b = unit_rows(kfold(3), y, 4, 1);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.val, b.val);
    EXPECT_EQ(a.test, b.test);
    const UnitRows other = unit_rows(kfold(3, 0.2, 12), y, 4, 1);
    EXPECT_NE(a.val, other.val);
    EXPECT_NE(a.test, other.test);
}

TEST(Folds, NoTestFractionGivesNoTestPart) {
    const auto y = labels_for(3, 20);
    const UnitRows u = unit_rows(kfold(4, 0.0), y, 3, 2);
    EXPECT_TRUE(u.test.empty());
    EXPECT_EQ(u.train.size() + u.val.size(), y.size());
}

TEST(Folds, OneFoldUsesValidationFractionPerClass) {
    const auto y = labels_for(3, 50);
    StudySplit s = kfold(1, 0.2);
    s.validation_fraction = 0.25;
    const UnitRows u = unit_rows(s, y, 3, 0);
    // Non-test rows per class: 40, 46, 51 -> validation round(n * 0.25): 10, 12, 13.
    const auto val = class_counts(u.val, y);
    EXPECT_EQ(val.at(0), 10);
    EXPECT_EQ(val.at(1), 12);
    EXPECT_EQ(val.at(2), 13);
    EXPECT_EQ(u.train.size(), 40u + 46u + 51u - 35u);
}

template <class F>
std::string config_error(F&& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no ConfigError)";
}

TEST(Folds, ValidateSplitNamesTheField) {
    const auto y = labels_for(3, 10);  // classes of 10, 17, 24 rows
    const auto msg = [&](const StudySplit& s) { return config_error([&] { validate_split(s, y, 3); }); };
    EXPECT_EQ(msg(kfold(0)).rfind("folds:", 0), 0u) << msg(kfold(0));
    // Class 0 keeps 8 rows outside the test set: 9 folds are too many, and the message says so.
    const std::string too_many = msg(kfold(9));
    EXPECT_EQ(too_many.rfind("folds:", 0), 0u) << too_many;
    EXPECT_NE(too_many.find("class 0"), std::string::npos) << too_many;
    EXPECT_NE(too_many.find("only 8"), std::string::npos) << too_many;
    EXPECT_NO_THROW(validate_split(kfold(8), y, 3));
    EXPECT_EQ(msg(kfold(2, 1.0)).rfind("test-fraction:", 0), 0u);
    EXPECT_EQ(msg(kfold(2, -0.1)).rfind("test-fraction:", 0), 0u);
    StudySplit one = kfold(1);
    for (const double bad : {0.0, 1.0, 1.5}) {
        one.validation_fraction = bad;
        EXPECT_EQ(msg(one).rfind("validation-fraction:", 0), 0u) << bad;
    }
    one.validation_fraction = 0.001;  // rounds to no validation row in any class
    EXPECT_NE(msg(one).find("validation part empty"), std::string::npos) << msg(one);
    EXPECT_EQ(msg(kfold(2, 0.01)).rfind("test-fraction:", 0), 0u);  // holds out no row
    // The same message comes from unit_rows, which validates too.
    EXPECT_THROW(unit_rows(kfold(9), y, 3, 0), ConfigError);
    EXPECT_THROW(unit_rows(kfold(3), y, 3, 3), std::out_of_range);
}

TEST(Folds, RejectsLabelsOutsideTheClasses) {
    EXPECT_THROW(validate_split(kfold(2, 0.0), {0, 1, 2, 0, 1}, 2), std::invalid_argument);
}

TEST(Folds, FastOnSixtyThousandLabels) {
    const auto y = labels_for(10, 5800);
    const StudySplit s = kfold(10, 0.1);
    const auto start = std::chrono::steady_clock::now();
    const UnitRows u = unit_rows(s, y, 10, 3);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(u.train.size() + u.val.size() + u.test.size(), y.size());
    EXPECT_LT(ms, 50.0);  // about 1-2 ms here; the margin keeps a busy or debug build from flaking
}

Dataset ramp(const std::vector<std::int32_t>& y, int classes) {
    // Feature 0: the row index (so rows are recognisable); feature 1: a constant.
    Dataset d;
    d.x = Matrix(y.size(), 2);
    d.y = y;
    d.classes = classes;
    d.source = "ramp";
    for (std::size_t i = 0; i < y.size(); ++i) {
        d.x.at(i, 0) = static_cast<float>(i);
        d.x.at(i, 1) = 5.0f;
    }
    return d;
}

TEST(PrepareUnit, ScalesOnTrainingRowsOnly) {
    const auto y = labels_for(3, 30);
    const Dataset data = ramp(y, 3);
    TrainConfig c;
    c.normalization = Normalization::MinMax;
    const StudySplit s = kfold(3);
    const UnitRows rows = unit_rows(s, y, 3, 1);
    const UnitData u = prepare_unit(c, data, s, 1);
    ASSERT_EQ(u.train.size(), rows.train.size());
    ASSERT_EQ(u.val.size(), rows.val.size());
    ASSERT_EQ(u.test.size(), rows.test.size());
    float lo = 1e9f, hi = -1e9f;
    for (std::size_t i = 0; i < u.train.size(); ++i) {
        lo = std::min(lo, u.train.x.at(i, 0));
        hi = std::max(hi, u.train.x.at(i, 0));
        EXPECT_EQ(u.train.y[i], y[rows.train[i]]);
    }
    EXPECT_FLOAT_EQ(lo, 0.0f);
    EXPECT_FLOAT_EQ(hi, 1.0f);
    // The other parts use the training rows' range: row r maps to (r - min) / (max - min).
    const auto tmin = static_cast<float>(rows.train.front()), tmax = static_cast<float>(rows.train.back());
    for (std::size_t i = 0; i < u.test.size(); ++i)
        EXPECT_FLOAT_EQ(u.test.x.at(i, 0), (static_cast<float>(rows.test[i]) - tmin) / (tmax - tmin));
    for (std::size_t i = 0; i < u.val.size(); ++i)
        EXPECT_FLOAT_EQ(u.val.x.at(i, 0), (static_cast<float>(rows.val[i]) - tmin) / (tmax - tmin));
}

TEST(PrepareUnit, NoiseOnValidationAndTestOnlyAndNotTheSameNoise) {
    const auto y = labels_for(3, 30);
    const Dataset data = ramp(y, 3);
    TrainConfig c;
    c.normalization = Normalization::None;
    c.test_noise = 1.0;
    c.seed = 4;
    const StudySplit s = kfold(3);
    const UnitData u = prepare_unit(c, data, s, 0);
    for (std::size_t i = 0; i < u.train.size(); ++i) ASSERT_EQ(u.train.x.at(i, 1), 5.0f);
    // The constant feature shows the noise itself: present in both parts, different sequences.
    std::vector<float> val_noise, test_noise;
    for (std::size_t i = 0; i < u.val.size(); ++i) val_noise.push_back(u.val.x.at(i, 1) - 5.0f);
    for (std::size_t i = 0; i < u.test.size(); ++i) test_noise.push_back(u.test.x.at(i, 1) - 5.0f);
    EXPECT_TRUE(std::any_of(val_noise.begin(), val_noise.end(), [](float v) { return v != 0.0f; }));
    EXPECT_TRUE(std::any_of(test_noise.begin(), test_noise.end(), [](float v) { return v != 0.0f; }));
    const std::size_t n = std::min(val_noise.size(), test_noise.size());
    EXPECT_FALSE(std::equal(val_noise.begin(), val_noise.begin() + static_cast<std::ptrdiff_t>(n), test_noise.begin()));
    // Every fold sees the same noisy test set.
    const UnitData other = prepare_unit(c, data, s, 2);
    EXPECT_EQ(other.test.x.data, u.test.x.data);
}

}  // namespace
}  // namespace dnnsweep
