// The spec keys that say how to read a user's data: parsed into LoadOptions, checked, and hashed
// only when given (a spec without them keeps the hash it had before they existed); the shipped
// example studies parse.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace {

std::filesystem::path sweeps_dir() {
    return std::filesystem::path(DNNSWEEP_TEST_DATA_DIR).parent_path().parent_path() / "sweeps";
}

TEST(DataKeys, ParseIntoLoadOptions) {
    const SweepSpec s = parse_spec(
        "data = cells.h5\nfeatures = g/X\nlabels = g/kind\nheader = false\nlabel-column = 3\n"
        "feature-columns = age, bmi ,weight\ntest-data = held_out.h5\nlabel-format = index\nlayers = 1\n",
        "s.ini");
    const LoadOptions o = s.load_options();
    EXPECT_EQ(o.features, "g/X");
    EXPECT_EQ(o.labels, "g/kind");
    ASSERT_TRUE(o.header.has_value());
    EXPECT_FALSE(*o.header);
    EXPECT_EQ(o.label_column, "3");
    EXPECT_EQ(o.feature_columns, (std::vector<std::string>{"age", "bmi", "weight"}));
    EXPECT_EQ(o.label_format, LabelFormat::Index);
    EXPECT_EQ(s.test_data, "held_out.h5");
}

TEST(DataKeys, BadValuesNameLineAndKey) {
    const auto message = [](const std::string& text) {
        try {
            parse_spec(text, "s.ini");
        } catch (const SpecError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message("header = maybe\n").rfind("s.ini:1: header: must be true or false", 0), 0u)
        << message("header = maybe\n");
    EXPECT_EQ(message("layers = 1\nfeature-columns = a,,b\n").rfind("s.ini:2: feature-columns: empty name", 0), 0u);
    EXPECT_NE(message("test-fraction = 0.2\ntest-data = t.h5\n").find("test-data and test-fraction"),
              std::string::npos);
}

TEST(DataKeys, HashedOnlyWhenGiven) {
    const std::string base = "data = d.h5\nlayers = 1, 2\nfolds = 3\n";
    const std::string plain = parse_spec(base, "a.ini").hash;
    EXPECT_EQ(parse_spec(base + "features = X\nlabels = y\n", "b.ini").hash, plain);
    for (const char* key : {"features = F\n", "labels = L\n", "header = true\n", "label-column = kind\n",
                            "feature-columns = a\n", "test-data = t.h5\n"})
        EXPECT_NE(parse_spec(base + key, "c.ini").hash, plain) << key;
}

TEST(DataKeys, ShippedExampleStudiesParse) {
    const SweepSpec wine = load_spec((sweeps_dir() / "wine.ini").string());
    EXPECT_EQ(wine.data, "data/wine.h5");
    EXPECT_EQ(wine.load.labels, "y");
    EXPECT_GT(wine.split.test_fraction, 0.0);
    const SweepSpec cancer = load_spec((sweeps_dir() / "breast_cancer.ini").string());
    EXPECT_EQ(cancer.data, "data/breast_cancer.csv");
    EXPECT_EQ(cancer.load.label_column, "diagnosis");
}

}  // namespace
}  // namespace dnnsweep
