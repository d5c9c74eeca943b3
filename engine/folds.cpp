#include "engine/folds.hpp"

#include <cmath>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

#include "engine/preprocess.hpp"
#include "engine/rng.hpp"

namespace dnnsweep {
namespace {

// Which part of a unit a row belongs to, written into one byte per row so the parts come out
// sorted by a single pass over the rows (no sort of up to n indices per call).
enum class Part : std::uint8_t { Train, Val, Test };

std::string fmt(double v) {
    std::string s = std::to_string(v);
    // to_string gives six decimals; trailing zeros only make the messages harder to read.
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

std::size_t rounded_share(std::size_t n, double fraction) {
    return static_cast<std::size_t>(std::llround(static_cast<double>(n) * fraction));
}

// The rows of each class in dataset order, after checking the labels against `classes`; the rows
// of a separate test set (the last split.test_rows) are left out.
std::vector<std::vector<std::uint32_t>> rows_by_class(const std::vector<std::int32_t>& all_labels, int classes,
                                                      const StudySplit& split) {
    if (split.test_rows > 0 && split.test_fraction != 0.0)
        throw ConfigError("test-data: a separate test set replaces test-fraction; give one of them");
    if (split.test_rows >= all_labels.size())
        throw ConfigError("test-data: the test set's " + std::to_string(split.test_rows) + " rows leave none of the " +
                          std::to_string(all_labels.size()) + " to train on");
    const std::span<const std::int32_t> labels(all_labels.data(), all_labels.size() - split.test_rows);
    if (classes < 1) throw std::invalid_argument("folds: need at least one class, got " + std::to_string(classes));
    if (labels.size() > std::numeric_limits<std::uint32_t>::max()) {
        throw std::invalid_argument("folds: " + std::to_string(labels.size()) +
                                    " rows is more than 32-bit row indices hold");
    }
    std::vector<std::size_t> counts(static_cast<std::size_t>(classes), 0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::int32_t y = labels[i];
        if (y < 0 || y >= classes) {
            throw std::invalid_argument("folds: row " + std::to_string(i) + " has label " + std::to_string(y) +
                                        ", outside [0, " + std::to_string(classes) + ")");
        }
        ++counts[static_cast<std::size_t>(y)];
    }
    std::vector<std::vector<std::uint32_t>> by_class(static_cast<std::size_t>(classes));
    for (std::size_t c = 0; c < by_class.size(); ++c) by_class[c].reserve(counts[c]);
    for (std::size_t i = 0; i < labels.size(); ++i)
        by_class[static_cast<std::size_t>(labels[i])].push_back(static_cast<std::uint32_t>(i));
    return by_class;
}

// A seed for a second, unrelated noise stream from the run's seed (splitmix64 finaliser), so the
// test part does not get the very same noise sequence as the validation part.
std::uint64_t derived_seed(std::uint64_t seed, std::uint64_t salt) {
    std::uint64_t z = seed + salt * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void check_split(const StudySplit& split, const std::vector<std::vector<std::uint32_t>>& by_class) {
    if (!(split.test_fraction >= 0.0 && split.test_fraction < 1.0)) {
        throw ConfigError("test-fraction: must be in [0, 1), got " + fmt(split.test_fraction));
    }
    if (split.folds < 1) throw ConfigError("folds: must be >= 1, got " + std::to_string(split.folds));
    if (split.folds == 1 && !(split.validation_fraction > 0.0 && split.validation_fraction < 1.0)) {
        throw ConfigError("validation-fraction: must be in (0, 1) with folds = 1, got " +
                          fmt(split.validation_fraction));
    }
    std::size_t total = 0, test = 0, val = 0;
    for (std::size_t c = 0; c < by_class.size(); ++c) {
        const std::size_t n = by_class[c].size();
        if (n == 0) continue;  // a class absent from the data constrains nothing
        const std::size_t n_test = rounded_share(n, split.test_fraction);
        const std::size_t rest = n - n_test;
        total += n;
        test += n_test;
        if (rest == 0) {
            throw ConfigError("test-fraction: " + fmt(split.test_fraction) + " holds out all " + std::to_string(n) +
                              " rows of class " + std::to_string(c) + ", leaving none to train or validate on");
        }
        if (rest < static_cast<std::size_t>(split.folds)) {
            throw ConfigError("folds: " + std::to_string(split.folds) + " folds need at least " +
                              std::to_string(split.folds) + " rows of every class outside the test set, but class " +
                              std::to_string(c) + " has only " + std::to_string(rest) + " (of " + std::to_string(n) +
                              "); use at most " + std::to_string(rest) + " folds");
        }
        if (split.folds == 1) val += rounded_share(rest, split.validation_fraction);
    }
    if (total == 0) throw ConfigError("folds: the dataset has no rows to split");
    if (split.test_fraction > 0.0 && test == 0) {
        throw ConfigError("test-fraction: " + fmt(split.test_fraction) + " of " + std::to_string(total) +
                          " rows holds out none; use a larger fraction, or 0 for no test set");
    }
    if (split.folds == 1) {
        const std::size_t rest = total - test;
        if (val == 0) {
            throw ConfigError("validation-fraction: " + fmt(split.validation_fraction) + " of the " +
                              std::to_string(rest) + " rows outside the test set leaves the validation part empty");
        }
        if (val == rest) {
            throw ConfigError("validation-fraction: " + fmt(split.validation_fraction) + " of the " +
                              std::to_string(rest) + " rows outside the test set leaves the training part empty");
        }
    }
    // folds >= 2 with at least `folds` rows of a class per fold: every fold's validation part gets a
    // row of each class and its training part the other folds' rows, so neither can be empty.
}

}  // namespace

void validate_split(const StudySplit& split, const std::vector<std::int32_t>& labels, int classes) {
    check_split(split, rows_by_class(labels, classes, split));
}

UnitRows unit_rows(const StudySplit& split, const std::vector<std::int32_t>& labels, int classes, int fold) {
    std::vector<std::vector<std::uint32_t>> by_class = rows_by_class(labels, classes, split);
    check_split(split, by_class);
    if (fold < 0 || fold >= split.folds) {
        throw std::out_of_range("unit_rows: fold " + std::to_string(fold) + " is outside [0, " +
                                std::to_string(split.folds) + ")");
    }
    const auto k = static_cast<std::size_t>(split.folds);
    const auto this_fold = static_cast<std::size_t>(fold);
    // Two streams: the test hold-out depends only on the seed and the test fraction, never on the
    // fold settings, so changing `folds` keeps the test set; the dealing is a second shuffle.
    Rng hold_out(split.split_seed, Stream::Split);
    Rng deal(split.split_seed, Stream::Folds);
    std::vector<Part> part(labels.size(), Part::Train);
    for (std::size_t i = labels.size() - split.test_rows; i < labels.size(); ++i) part[i] = Part::Test;
    std::size_t dealt = 0;  // rows dealt so far over all classes: the round-robin continues across
                            // classes, so whole folds differ in size by at most one row as well
    for (auto& rows : by_class) {
        if (rows.empty()) continue;
        shuffle(rows, hold_out);
        const std::size_t n_test = rounded_share(rows.size(), split.test_fraction);
        const std::size_t rest = rows.size() - n_test;
        for (std::size_t i = rest; i < rows.size(); ++i) part[rows[i]] = Part::Test;
        rows.resize(rest);
        shuffle(rows, deal);
        if (k == 1) {
            const std::size_t n_val = rounded_share(rest, split.validation_fraction);
            for (std::size_t i = rest - n_val; i < rest; ++i) part[rows[i]] = Part::Val;
        } else {
            for (std::size_t i = 0; i < rest; ++i)
                if ((dealt + i) % k == this_fold) part[rows[i]] = Part::Val;
            dealt += rest;
        }
    }
    UnitRows out;
    std::size_t sizes[3] = {0, 0, 0};
    for (const Part p : part) ++sizes[static_cast<std::size_t>(p)];
    out.train.reserve(sizes[0]);
    out.val.reserve(sizes[1]);
    out.test.reserve(sizes[2]);
    for (std::size_t i = 0; i < part.size(); ++i) {
        const auto row = static_cast<std::uint32_t>(i);
        switch (part[i]) {
        case Part::Train:
            out.train.push_back(row);
            break;
        case Part::Val:
            out.val.push_back(row);
            break;
        case Part::Test:
            out.test.push_back(row);
            break;
        }
    }
    return out;
}

std::uint64_t test_noise_seed(std::uint64_t seed) { return derived_seed(seed, 1); }
std::uint64_t noisy_train_seed(std::uint64_t seed) { return derived_seed(seed, 2); }

UnitData prepare_unit(const TrainConfig& config, const Dataset& data, const StudySplit& split, int fold) {
    if (data.y.size() != data.size()) {
        throw std::invalid_argument("prepare_unit: " + data.source + " has " + std::to_string(data.size()) +
                                    " samples but " + std::to_string(data.y.size()) + " labels");
    }
    const UnitRows rows = unit_rows(split, data.y, data.classes, fold);
    UnitData u{gather(data, rows.train), gather(data, rows.val), gather(data, rows.test), {}, {}};
    // Fit on the training part only: statistics of validation or test rows must not leak into
    // what the model sees, or the validation error would flatter it.
    u.scaler = InputScaler::fit(u.train.x, config.normalization);
    u.scaler.apply(u.train.x);
    u.scaler.apply(u.val.x);
    u.scaler.apply(u.test.x);
    // The validation part takes the run's seed as prepare_holdout does; the test part a derived one.
    // The test noise does not depend on the fold, so every fold is measured on the same noisy test set.
    add_test_noise(u.val, u.test, config);
    u.shift = measure_input_shift(u.train.x, u.val.x, u.test.x, config.train_noise);
    return u;
}

void add_test_noise(Dataset& val, Dataset& test, const TrainConfig& config) {
    add_gaussian_noise(val.x, config.test_noise, config.seed);
    add_gaussian_noise(test.x, config.test_noise, test_noise_seed(config.seed));
}

}  // namespace dnnsweep
