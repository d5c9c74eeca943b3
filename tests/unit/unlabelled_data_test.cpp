// Rows read without labels (LoadOptions::labelled false, what `dnnsweep predict` uses for new data):
// every column is a feature, no classes; the labelled forms still read their labels.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "engine/dataset.hpp"
#include "tests/unit/temp_dir.hpp"

namespace dnnsweep {
namespace {

using test_support::TempDir;

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
    const std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

LoadOptions without_labels() {
    LoadOptions o;
    o.labelled = false;
    return o;
}

TEST(UnlabelledData, TextRowsAreAllFeaturesEvenOneColumn) {
    const TempDir dir;
    const std::string path = write(dir, "x.txt", "# one feature\n1.5\n2\n-3\n");
    const Dataset d = load_dataset(path, without_labels());
    EXPECT_EQ(d.size(), 3u);
    EXPECT_EQ(d.features(), 1u);
    EXPECT_TRUE(d.y.empty());
    EXPECT_EQ(d.classes, 0);
    EXPECT_FLOAT_EQ(d.x.data[2], -3.0f);
    // Read with labels, the last column would be the label.
    const std::string two = write(dir, "two.txt", "0.5 1\n0.25 0\n");
    EXPECT_EQ(load_dataset(two, LoadOptions{}).features(), 1u);
    EXPECT_EQ(load_dataset(two, without_labels()).features(), 2u);
}

TEST(UnlabelledData, CsvKeepsEveryColumnOrTheNamedOnes) {
    const TempDir dir;
    const std::string path = write(dir, "x.csv", "a,b,c\n1,2,3\n4,5,6\n");
    const Dataset all = load_dataset(path, without_labels());
    EXPECT_EQ(all.features(), 3u);
    EXPECT_TRUE(all.y.empty());
    EXPECT_FLOAT_EQ(all.x.data[5], 6.0f);
    LoadOptions some = without_labels();
    some.feature_columns = {"c", "a"};
    const Dataset picked = load_dataset(path, some);
    ASSERT_EQ(picked.features(), 2u);
    EXPECT_FLOAT_EQ(picked.x.data[0], 3.0f);
    EXPECT_FLOAT_EQ(picked.x.data[1], 1.0f);
}

TEST(UnlabelledData, ALabelColumnWithoutLabelsIsRefused) {
    const TempDir dir;
    const std::string path = write(dir, "x.csv", "a,b,c\n1,2,3\n4,5,6\n");
    LoadOptions o = without_labels();
    o.label_column = "c";
    try {
        load_dataset(path, o);
        FAIL() << "a label column was accepted for rows read without labels";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("label-column"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST(UnlabelledData, ALoneNpyFileIsTheFeaturesOnlyWithoutLabels) {
    const TempDir dir;
    // A 2 x 3 float32 array, C order, format 1.0.
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    header.resize(128 - 10 - 1, ' ');  // the whole header a multiple of 64 bytes, as numpy writes it
    header += '\n';
    std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>(header.size() >> 8);
    bytes += header;
    for (int i = 0; i < 6; ++i) {
        const float v = static_cast<float>(i) * 0.5f;
        bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    const std::string path = write(dir, "x.npy", bytes);
    EXPECT_THROW(load_dataset(path, LoadOptions{}), DataError);  // with labels it needs a pair
    const Dataset d = load_dataset(path, without_labels());
    EXPECT_EQ(d.size(), 2u);
    EXPECT_EQ(d.features(), 3u);
    EXPECT_FLOAT_EQ(d.x.data[5], 2.5f);
    EXPECT_TRUE(d.y.empty());
}

}  // namespace
}  // namespace dnnsweep
