// Matrix::view: a dataset read from storage it does not own (a node's shared copy of the rows,
// runner/sweep/shared_dataset.hpp) trains exactly as the same dataset owning its rows.
#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "engine/folds.hpp"
#include "engine/preprocess.hpp"
#include "engine/trainer.hpp"

namespace dnnsweep {
namespace {

Dataset owned_clusters() {
    Dataset d;
    d.x = Matrix(90, 3);
    d.y.resize(90);
    for (std::size_t i = 0; i < 90; ++i) {
        const auto c = static_cast<std::int32_t>(i % 3);
        d.y[i] = c;
        for (std::size_t j = 0; j < 3; ++j)
            d.x.at(i, j) = 10.0f * static_cast<float>(c) + static_cast<float>((i * 7 + j * 3) % 11) - 5.0f;
    }
    d.classes = 3;
    d.source = "clusters";
    return d;
}

// The same dataset, its rows viewed in `owned`.
Dataset viewing(const Dataset& owned) {
    Dataset v;
    v.x = Matrix::view(owned.x.data.data(), owned.x.rows, owned.x.cols);
    v.y = owned.y;
    v.classes = owned.classes;
    v.source = owned.source;
    return v;
}

TEST(MatrixView, ReadsTheViewedElementsWithoutCopyingThem) {
    const std::vector<float> elements{1, 2, 3, 4, 5, 6};
    const Matrix m = Matrix::view(elements.data(), 2, 3);
    EXPECT_TRUE(m.is_view());
    EXPECT_TRUE(m.data.empty());
    EXPECT_EQ(m.elements(), elements.data());
    EXPECT_EQ(m.row(1), elements.data() + 3);
    EXPECT_EQ(m.at(1, 2), 6.0f);
    const Matrix copy = m;  // a copy of a view views the same elements
    EXPECT_TRUE(copy.is_view());
    EXPECT_EQ(copy.elements(), elements.data());
    EXPECT_FALSE(Matrix(2, 3).is_view());
}

TEST(MatrixView, RefusesWritesThroughTheView) {
    const std::vector<float> elements{1, 2, 3, 4};
    Matrix m = Matrix::view(elements.data(), 2, 2);
    EXPECT_THROW(m.row(0), std::logic_error);
    EXPECT_THROW(m.at(0, 0), std::logic_error);
    EXPECT_EQ(std::as_const(m).at(0, 0), 1.0f);
}

// The preprocessing helpers read a view like an owned matrix, and refuse to write into one.
TEST(MatrixView, PreprocessingReadsViewsAndRefusesToWriteThem) {
    const std::vector<float> elements{1.0f, -300.0f, 2.0f, 4.0f};
    Matrix view = Matrix::view(elements.data(), 2, 2);
    EXPECT_EQ(max_abs(view), 300.0f);  // the unscaled_inputs health figure, not 0
    EXPECT_THROW(add_gaussian_noise(view, 1.0, 7), std::logic_error);
}

TEST(MatrixView, AViewedDatasetPreparesAndTrainsBitIdentically) {
    const Dataset owned = owned_clusters();
    const Dataset view = viewing(owned);
    TrainConfig c;
    c.layers = 1;
    c.width = 8;
    c.epochs = 3;
    c.batch_size = 10;
    c.test_noise = 0.5;
    c.seed = 3;
    StudySplit s;
    s.folds = 3;
    s.test_fraction = 0.2;
    s.split_seed = 5;
    for (int fold = 0; fold < s.folds; ++fold) {
        const UnitData a = prepare_unit(c, owned, s, fold), b = prepare_unit(c, view, s, fold);
        EXPECT_FALSE(b.train.x.is_view()) << "a unit's parts are its own copies";
        EXPECT_EQ(a.train.x.data, b.train.x.data);
        EXPECT_EQ(a.val.x.data, b.val.x.data);
        EXPECT_EQ(a.test.x.data, b.test.x.data);
        EXPECT_EQ(a.train.y, b.train.y);
        const TrainResult ta = train_model(c, a.train, a.val, a.test), tb = train_model(c, b.train, b.val, b.test);
        EXPECT_EQ(ta.train_loss, tb.train_loss);
        EXPECT_EQ(ta.val_acc, tb.val_acc);
        EXPECT_EQ(ta.test_loss, tb.test_loss);
    }
}

}  // namespace
}  // namespace dnnsweep
