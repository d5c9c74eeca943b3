// Confusion matrices: the type's arithmetic, and that a training's matrices count exactly the rows
// its accuracies were measured on.
#include "engine/confusion.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "engine/rng.hpp"
#include "engine/trainer.hpp"

namespace dnnsweep {
namespace {

TEST(Confusion, CountsRowsPerClassAndTheDiagonal) {
    ConfusionMatrix m(3);
    m.add(0, 0, 5);
    m.add(0, 2, 1);
    m.add(1, 1, 3);
    m.add(2, 0, 2);
    EXPECT_EQ(m.total(), 11);
    EXPECT_EQ(m.correct(), 8);
    EXPECT_EQ(m.rows_of(0), 6);
    EXPECT_EQ(m.rows_of(2), 2);
    EXPECT_DOUBLE_EQ(m.class_accuracy(0), 5.0 / 6.0);
    EXPECT_DOUBLE_EQ(m.class_accuracy(1), 1.0);
    EXPECT_EQ(m.class_accuracy(2), 0.0);
    EXPECT_TRUE(std::isnan(ConfusionMatrix(3).class_accuracy(1)));  // a class without rows: no figure
}

TEST(Confusion, CellsRoundTripAndSum) {
    ConfusionMatrix m(3);
    m.add(2, 1, 4);
    m.add(0, 0, 7);
    const std::vector<ConfusionCell> cells = m.cells();
    ASSERT_EQ(cells.size(), 2u);  // non-zero only, true class then predicted ascending
    EXPECT_EQ(cells[0], (ConfusionCell{0, 0, 7}));
    EXPECT_EQ(cells[1], (ConfusionCell{2, 1, 4}));
    ConfusionMatrix sum = ConfusionMatrix::from_cells(3, cells);
    sum += m;
    EXPECT_EQ(sum.at(2, 1), 8);
    EXPECT_EQ(sum.total(), 22);
    ConfusionMatrix empty;
    empty += m;  // an empty matrix takes the other's classes
    EXPECT_EQ(empty.classes(), 3);
    EXPECT_EQ(empty.total(), 11);
}

TEST(Confusion, RefusesCellsOutsideItsClasses) {
    ConfusionMatrix m(2);
    EXPECT_THROW(m.add(2, 0), std::invalid_argument);
    EXPECT_THROW(m.add(0, -1), std::invalid_argument);
    EXPECT_THROW(m.add(0, 0, -3), std::invalid_argument);
    EXPECT_THROW(m += ConfusionMatrix(3), std::invalid_argument);
    const std::vector<ConfusionCell> bad{{0, 5, 1}};
    EXPECT_THROW(ConfusionMatrix::from_cells(2, bad), std::invalid_argument);
}

// Three Gaussian clusters, unequal in size, with overlap so that the model makes mistakes.
Dataset clusters(std::size_t n, std::uint64_t seed) {
    Rng rng(seed, Stream::Split);
    Dataset d;
    d.x = Matrix(n, 2);
    d.y.resize(n);
    d.classes = 3;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t draw = rng.below(10);
        const auto label = static_cast<std::int32_t>(draw < 6 ? 0 : draw < 9 ? 1 : 2);
        d.y[i] = label;
        d.x.at(i, 0) = static_cast<float>(label) + 0.8f * static_cast<float>(rng.normal());
        d.x.at(i, 1) = static_cast<float>(label % 2) + 0.8f * static_cast<float>(rng.normal());
    }
    return d;
}

TrainConfig config(int patience) {
    TrainConfig c;
    c.layers = 1;
    c.width = 8;
    c.optimizer = Optimizer::Adam;
    c.learning_rate = 0.01;
    c.batch_size = 16;
    c.epochs = 12;
    c.patience = patience;
    c.seed = 3;
    return c;
}

void expect_matches(const ConfusionMatrix& m, const Dataset& part, double acc) {
    ASSERT_EQ(m.classes(), 3);
    EXPECT_EQ(m.total(), static_cast<std::int64_t>(part.size()));  // every row, once
    for (int k = 0; k < 3; ++k) EXPECT_EQ(m.rows_of(k), std::count(part.y.begin(), part.y.end(), k)) << "class " << k;
    EXPECT_EQ(static_cast<double>(m.correct()) / static_cast<double>(m.total()), acc);
}

TEST(Confusion, ATrainingsMatricesCountTheRowsItsAccuraciesMeasured) {
    const Dataset train = clusters(300, 1), val = clusters(120, 2), test = clusters(90, 3);
    for (const int patience : {0, 2}) {  // the last epoch's, and early stopping's kept epoch's
        SCOPED_TRACE("patience " + std::to_string(patience));
        const TrainResult r = train_model(config(patience), train, val, test);
        ASSERT_EQ(r.status, UnitStatus::Ok);
        expect_matches(r.val_confusion, val, r.val_acc);
        expect_matches(r.test_confusion, test, r.test_acc);
        EXPECT_LT(r.val_confusion.correct(), r.val_confusion.total());  // the overlap: mistakes to count
    }
}

TEST(Confusion, NoPartNoMatrix) {
    const TrainResult r = train_model(config(0), clusters(100, 1), Dataset{});
    EXPECT_TRUE(r.val_confusion.empty());
    EXPECT_TRUE(r.test_confusion.empty());
}

}  // namespace
}  // namespace dnnsweep
