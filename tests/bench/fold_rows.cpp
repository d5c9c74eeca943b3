// A study's fold assignment as a sweep computes it (engine/folds: unit_rows), one line per row of
// the dataset, so that another tool can be given exactly the same folds (tests/bench/sklearn_grid.py
// hands them to scikit-learn's GridSearchCV). Each line: the row's label (class index, as the
// sweep maps it), a space, and the fold whose validation part holds the row; -1 for a row in no
// fold's validation part (the test set, or the training part when folds = 1).
//
//   bench_fold_rows --data data/mnist --folds 3 [--split-seed 0] [--test-fraction 0]
//                   [--validation-fraction 0.2]
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/dataset.hpp"
#include "engine/folds.hpp"

namespace {

using namespace dnnsweep;

struct Options {
    std::string data = "data/mnist";
    StudySplit split;
};

Options parse(int argc, char** argv) {
    Options o;
    o.split.folds = 5;  // the sweep's default
    if (argc % 2 == 0) throw std::invalid_argument(std::string("option without a value: ") + argv[argc - 1]);
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--data")
            o.data = value;
        else if (key == "--folds")
            o.split.folds = std::stoi(value);
        else if (key == "--split-seed")
            o.split.split_seed = std::stoull(value);
        else if (key == "--test-fraction")
            o.split.test_fraction = std::stod(value);
        else if (key == "--validation-fraction")
            o.split.validation_fraction = std::stod(value);
        else
            throw std::invalid_argument("unknown option: " + key);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_fold_rows: %s\n", e.what());
        return 2;
    }
    try {
        const Dataset data = load_dataset(o.data);
        validate_split(o.split, data.y, data.classes);
        std::vector<int> fold_of(data.y.size(), -1);
        for (int fold = 0; fold < o.split.folds; ++fold)
            for (const std::uint32_t row : unit_rows(o.split, data.y, data.classes, fold).val) fold_of[row] = fold;
        for (std::size_t i = 0; i < fold_of.size(); ++i) std::printf("%d %d\n", data.y[i], fold_of[i]);
        return std::fflush(stdout) == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_fold_rows: %s\n", e.what());
        return 1;
    }
}
