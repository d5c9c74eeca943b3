// The data fingerprint changes with any feature, label, class name or shape, and not otherwise.
#include "engine/data_fingerprint.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dnnsweep {
namespace {

Dataset small() {
    const std::string text = "0.5 1 0\n2 3 1\n-1 4 2\n";
    return load_text_from_string(text, "small.txt", LabelFormat::Auto);
}

TEST(DataFingerprint, IsStableAndHex) {
    const auto a = data_fingerprint(small());
    EXPECT_EQ(a, data_fingerprint(small()));
    ASSERT_EQ(a.size(), 32u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(DataFingerprint, ChangesWithAFeatureALabelAClassNameOrATestSet) {
    const Dataset base = small();
    const auto fp = data_fingerprint(base);

    Dataset feature = small();
    feature.x.row(1)[0] = 2.5f;
    EXPECT_NE(data_fingerprint(feature), fp);

    Dataset label = small();
    std::swap(label.y[0], label.y[1]);
    EXPECT_NE(data_fingerprint(label), fp);

    Dataset named = small();
    named.class_names = {"a", "b", "c"};
    EXPECT_NE(data_fingerprint(named), fp);
    Dataset renamed = named;
    renamed.class_names[2] = "d";
    EXPECT_NE(data_fingerprint(renamed), data_fingerprint(named));

    const Dataset test = small();
    EXPECT_NE(data_fingerprint(base, &test), fp);
}

}  // namespace
}  // namespace dnnsweep
