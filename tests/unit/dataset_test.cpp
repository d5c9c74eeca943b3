// Loaders: IDX and text files read exactly, every malformed input gives an error naming the file
// and the line or byte offset, label-form detection, and the built-in MNIST set.
#include "engine/dataset.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "engine/share_dir.hpp"
#include "tests/unit/temp_dir.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

using test_support::TempDir;

// Sets an environment variable for one scope and restores the previous value.
class EnvGuard {
public:
    EnvGuard(const char* name, const std::optional<std::string>& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~EnvGuard() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

using Bytes = std::vector<unsigned char>;

void write_bytes(const std::string& path, const Bytes& b) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    ASSERT_TRUE(f.good()) << path;
}

void write_text(const std::string& path, const std::string& s) {
    std::ofstream f(path, std::ios::binary);
    f << s;
    ASSERT_TRUE(f.good()) << path;
}

void put32(Bytes& b, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<unsigned char>(v >> shift));
}

Bytes idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
    Bytes b;
    put32(b, 0x00000803);
    put32(b, n);
    put32(b, rows);
    put32(b, cols);
    b.insert(b.end(), pixels.begin(), pixels.end());
    return b;
}

Bytes idx_labels(std::uint32_t n, const Bytes& labels) {
    Bytes b;
    put32(b, 0x00000801);
    put32(b, n);
    b.insert(b.end(), labels.begin(), labels.end());
    return b;
}

// Three 2x3 images, labels 2, 0, 1.
const Bytes kPixels = {0, 1, 2, 3, 4, 5, 255, 254, 128, 127, 10, 0, 9, 8, 7, 6, 5, 4};
const Bytes kLabels = {2, 0, 1};

// Runs `f`, expects a DataError, and checks that its message holds every one of `parts`.
template <typename F>
void expect_error(F&& f, std::initializer_list<std::string> parts) {
    try {
        f();
        ADD_FAILURE() << "no DataError thrown; expected one mentioning: " << *parts.begin();
    } catch (const DataError& e) {
        const std::string msg = e.what();
        for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
}

// ---------------------------------------------------------------------------------------------
// IDX

TEST(DatasetIdx, ReadsPixelsAndLabelsExactly) {
    const TempDir dir;
    write_bytes(dir.file("img"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("lab"), idx_labels(3, kLabels));
    const Dataset d = load_idx(dir.file("img"), dir.file("lab"));
    ASSERT_EQ(d.size(), 3u);
    ASSERT_EQ(d.features(), 6u);
    EXPECT_EQ(d.classes, 3);
    for (std::size_t i = 0; i < kPixels.size(); ++i) EXPECT_EQ(d.x.data[i], static_cast<float>(kPixels[i])) << i;
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{2, 0, 1}));
    EXPECT_NE(d.source.find(dir.file("img")), std::string::npos);
}

TEST(DatasetIdx, ClassesIsMaxLabelPlusOne) {
    const TempDir dir;
    write_bytes(dir.file("img"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("lab"), idx_labels(3, {7, 0, 7}));
    EXPECT_EQ(load_idx(dir.file("img"), dir.file("lab")).classes, 8);
}

TEST(DatasetIdx, MissingFile) {
    const TempDir dir;
    write_bytes(dir.file("lab"), idx_labels(3, kLabels));
    expect_error([&] { load_idx(dir.file("nope"), dir.file("lab")); }, {dir.file("nope"), "cannot read"});
}

TEST(DatasetIdx, WrongMagicInImages) {
    const TempDir dir;
    write_bytes(dir.file("img"), idx_labels(3, kLabels));  // a labels file where images belong
    write_bytes(dir.file("lab"), idx_labels(3, kLabels));
    expect_error(
        [&] { load_idx(dir.file("img"), dir.file("lab")); },
        {dir.file("img"), "byte offset 0", "wrong magic", "expected 0x00000803", "found 0x00000801", "swapped"});
}

TEST(DatasetIdx, WrongMagicInLabels) {
    const TempDir dir;
    write_bytes(dir.file("img"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("lab"), Bytes{0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0});
    expect_error([&] { load_idx(dir.file("img"), dir.file("lab")); },
                 {dir.file("lab"), "byte offset 0", "expected 0x00000801", "found 0x1F8B0800", "gzip"});
}

TEST(DatasetIdx, TruncatedHeader) {
    const TempDir dir;
    Bytes head = idx_images(3, 2, 3, {});
    head.resize(10);
    write_bytes(dir.file("img"), head);
    write_bytes(dir.file("lab"), idx_labels(3, kLabels));
    expect_error([&] { load_idx(dir.file("img"), dir.file("lab")); },
                 {dir.file("img"), "byte offset 10", "truncated header", "16 bytes"});
    write_bytes(dir.file("tiny"), Bytes{0, 0});
    expect_error([&] { load_idx(dir.file("tiny"), dir.file("lab")); },
                 {dir.file("tiny"), "byte offset 2", "truncated header"});
}

TEST(DatasetIdx, TruncatedPixelData) {
    const TempDir dir;
    const Bytes part(kPixels.begin(), kPixels.begin() + 10);
    write_bytes(dir.file("img"), idx_images(3, 2, 3, part));
    write_bytes(dir.file("lab"), idx_labels(3, kLabels));
    expect_error([&] { load_idx(dir.file("img"), dir.file("lab")); },
                 {dir.file("img"), "byte offset 16", "truncated data", "expected 18 bytes of pixel data",
                  "at offset 16", "has only 10"});
}

TEST(DatasetIdx, TruncatedLabels) {
    const TempDir dir;
    write_bytes(dir.file("img"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("lab"), idx_labels(3, {2, 0}));
    expect_error([&] { load_idx(dir.file("img"), dir.file("lab")); },
                 {dir.file("lab"), "byte offset 8", "expected 3 bytes", "has only 2"});
}

TEST(DatasetIdx, TrailingBytes) {
    const TempDir dir;
    Bytes extra = kPixels;
    extra.push_back(1);
    write_bytes(dir.file("img"), idx_images(3, 2, 3, extra));
    write_bytes(dir.file("lab"), idx_labels(3, kLabels));
    expect_error([&] { load_idx(dir.file("img"), dir.file("lab")); },
                 {dir.file("img"), "byte offset 34", "1 unexpected bytes"});
}

TEST(DatasetIdx, CountMismatchNamesBothFiles) {
    const TempDir dir;
    write_bytes(dir.file("img"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("lab"), idx_labels(2, {0, 1}));
    expect_error([&] { load_idx(dir.file("img"), dir.file("lab")); },
                 {dir.file("img"), dir.file("lab"), "byte offset 4", "2 labels", "3 images"});
}

TEST(DatasetIdx, EmptySet) {
    const TempDir dir;
    write_bytes(dir.file("img"), idx_images(0, 28, 28, {}));
    write_bytes(dir.file("lab"), idx_labels(0, {}));
    expect_error([&] { load_idx(dir.file("img"), dir.file("lab")); }, {dir.file("img"), "byte offset 4", "no samples"});
}

// ---------------------------------------------------------------------------------------------
// Text

TEST(DatasetText, IndexLabelsWithMixedSeparatorsCommentsAndBlankLines) {
    const TempDir dir;
    write_text(dir.file("d.txt"),
               "# x1 x2 x3 label\n"
               "\n"
               "1.5, -2, 3e2, 0\n"
               "   \t\n"
               "  # indented comment\n"
               "4\t5.25 ,6 2\r\n"
               "+7,8,9.,1,\n");  // CRLF, a leading '+', a trailing comma
    const Dataset d = load_text(dir.file("d.txt"), LabelFormat::Auto);
    ASSERT_EQ(d.size(), 3u);
    ASSERT_EQ(d.features(), 3u);
    EXPECT_EQ(d.classes, 3);
    EXPECT_EQ(d.x.data, (std::vector<float>{1.5f, -2.0f, 300.0f, 4.0f, 5.25f, 6.0f, 7.0f, 8.0f, 9.0f}));
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{0, 2, 1}));
    EXPECT_EQ(d.source, dir.file("d.txt"));
}

TEST(DatasetText, OneHotLabels) {
    const TempDir dir;
    write_text(dir.file("d.csv"),
               "0.25,0.5,0,0,1\n"
               "1.75,2.5,1,0,0\n"
               "3,4,0,1,0");  // no final newline
    const Dataset d = load_text(dir.file("d.csv"), LabelFormat::Auto);
    ASSERT_EQ(d.size(), 3u);
    ASSERT_EQ(d.features(), 2u);
    EXPECT_EQ(d.classes, 3);
    EXPECT_EQ(d.x.data, (std::vector<float>{0.25f, 0.5f, 1.75f, 2.5f, 3.0f, 4.0f}));
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{2, 0, 1}));
}

// The joint-angle format: 4 angles in the hundreds, then a 9-wide one-hot block.
TEST(DatasetText, AutoDetectsJointAngleOneHot) {
    const TempDir dir;
    std::string text = "# angle1 angle2 angle3 angle4 class0..class8\n";
    const int classes[] = {3, 0, 8, 5, 1, 0};
    for (int i = 0; i < 6; ++i) {
        text += std::to_string(100 + i) + " " + std::to_string(210 + i) + ".5 " + std::to_string(330 - i) + " " +
                std::to_string(450 + 2 * i);
        for (int c = 0; c < 9; ++c) text += c == classes[i] ? " 1" : " 0";
        text += "\n";
    }
    write_text(dir.file("angles.txt"), text);
    const Dataset d = load_text(dir.file("angles.txt"), LabelFormat::Auto);
    ASSERT_EQ(d.size(), 6u);
    ASSERT_EQ(d.features(), 4u);
    EXPECT_EQ(d.classes, 9);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{3, 0, 8, 5, 1, 0}));
    EXPECT_EQ(d.x.at(0, 0), 100.0f);
    EXPECT_EQ(d.x.at(2, 1), 212.5f);
    EXPECT_EQ(d.x.at(5, 3), 460.0f);
}

TEST(DatasetText, AutoPicksIndexWhenNoOneHotBlockFits) {
    const TempDir dir;
    // The last column is 0/1 but row 2 has no 1 in its 0/1 tail: not one-hot, so an index label.
    write_text(dir.file("d.txt"), "5 0.5 1\n6 0.25 0\n7 2 1\n");
    const Dataset d = load_text(dir.file("d.txt"), LabelFormat::Auto);
    ASSERT_EQ(d.features(), 2u);
    EXPECT_EQ(d.classes, 2);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{1, 0, 1}));
}

TEST(DatasetText, AutoTakesTheSmallestOneHotBlock) {
    const TempDir dir;
    // Widths 2 and 3 both fit every row: the column before the block is a feature that happens to
    // be 0 everywhere (as an image's blank border is), not a class that never occurs.
    write_text(dir.file("d.txt"), "9 0 0 1\n8 0 1 0\n7 0 0 1\n");
    const Dataset d = load_text(dir.file("d.txt"), LabelFormat::Auto);
    EXPECT_EQ(d.features(), 2u);
    EXPECT_EQ(d.classes, 2);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{1, 0, 1}));
}

TEST(DatasetText, ForcedIndexReadsOneHotLookingFileAsIndex) {
    const TempDir dir;
    write_text(dir.file("d.csv"), "0.5,0,1\n1.5,1,0\n");
    const Dataset d = load_text(dir.file("d.csv"), LabelFormat::Index);
    EXPECT_EQ(d.features(), 2u);
    EXPECT_EQ(d.classes, 2);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{1, 0}));
}

TEST(DatasetText, ForcedOneHot) {
    const TempDir dir;
    write_text(dir.file("d.csv"), "0.5,0,1\n1.5,1,0\n");
    const Dataset d = load_text(dir.file("d.csv"), LabelFormat::OneHot);
    EXPECT_EQ(d.features(), 1u);
    EXPECT_EQ(d.classes, 2);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{1, 0}));
}

TEST(DatasetText, ForcedOneHotRejectsIndexLabels) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "0.5 0.1 1\n0.5 0.1 2\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::OneHot); },
                 {dir.file("d.txt"), "line 2", "not 0 or 1", "onehot"});
}

TEST(DatasetText, OneHotRowWithTwoOnes) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "# header\n0.5 0 0 1\n0.5 1 0 0\n0.5 0 1 1\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::OneHot); },
                 {dir.file("d.txt"), "line 4", "more than one 1", "line 3"});
}

TEST(DatasetText, OneHotRowWithoutAOne) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "0.5 0 1\n0.5 0 0\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::OneHot); },
                 {dir.file("d.txt"), "line 2", "no 1 among the last 2 fields"});
}

TEST(DatasetText, OneHotRowWithAValueOtherThanZeroOrOne) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "0.5 0 0 1\n0.5 1 0 0\n0.5 0 0.5 1\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::OneHot); },
                 {dir.file("d.txt"), "line 3", "field 3 is 0.5, not 0 or 1"});
}

TEST(DatasetText, IndexLabelNegative) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "0.5 3\n\n0.5 -1\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::Index); },
                 {dir.file("d.txt"), "line 3", "-1 is negative"});
}

TEST(DatasetText, IndexLabelNotAnInteger) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "0.5 3\n0.5 2.5\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::Index); },
                 {dir.file("d.txt"), "line 2", "2.5 is not an integer"});
}

TEST(DatasetText, AutoWhenNeitherFormFits) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "0.5 3\n0.5 2.5\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::Auto); },
                 {dir.file("d.txt"), "neither", "One-hot: line 1", "Class index: line 2", "not an integer"});
}

TEST(DatasetText, NonNumericFieldIsQuoted) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "1 2 0\n1 abc 1\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::Auto); },
                 {dir.file("d.txt"), "line 2", "field 2 'abc' is not a number"});
    write_text(dir.file("e.txt"), "1 2x 0\n");
    expect_error([&] { load_text(dir.file("e.txt"), LabelFormat::Auto); }, {"line 1", "'2x' is not a number"});
    write_text(dir.file("f.txt"), "1 nan 0\n");
    expect_error([&] { load_text(dir.file("f.txt"), LabelFormat::Auto); }, {"line 1", "'nan' is not a finite number"});
    write_text(dir.file("g.txt"), "1 1e60 0\n");
    expect_error([&] { load_text(dir.file("g.txt"), LabelFormat::Auto); }, {"line 1", "'1e60' is out of range"});
}

TEST(DatasetText, EmptyField) {
    const TempDir dir;
    write_text(dir.file("d.csv"), "1,2,0\n1,,1\n");
    expect_error([&] { load_text(dir.file("d.csv"), LabelFormat::Auto); },
                 {dir.file("d.csv"), "line 2", "field 2 is empty"});
}

TEST(DatasetText, RaggedRows) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "# c\n1 2 0\n1 2 1\n\n1 2 3 1\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::Auto); },
                 {dir.file("d.txt"), "line 5", "has 4 fields, expected 3 as on line 2"});
}

TEST(DatasetText, EmptyFile) {
    const TempDir dir;
    write_text(dir.file("empty.txt"), "");
    expect_error([&] { load_text(dir.file("empty.txt"), LabelFormat::Auto); }, {dir.file("empty.txt"), "no samples"});
    write_text(dir.file("comments.txt"), "# only\n\n# comments\n");
    expect_error([&] { load_text(dir.file("comments.txt"), LabelFormat::Auto); },
                 {dir.file("comments.txt"), "no samples", "3 lines"});
}

TEST(DatasetText, TooFewColumns) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "\n3\n4\n");
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::Auto); },
                 {dir.file("d.txt"), "line 2", "need at least 2"});
}

TEST(DatasetText, OneHotBlockMustLeaveAFeature) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "0 1\n1 0\n");
    // Auto: no one-hot block leaves a feature, so the last column is an index label.
    const Dataset d = load_text(dir.file("d.txt"), LabelFormat::Auto);
    EXPECT_EQ(d.features(), 1u);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{1, 0}));
    expect_error([&] { load_text(dir.file("d.txt"), LabelFormat::OneHot); },
                 {dir.file("d.txt"), "line 2", "no feature column"});
}

TEST(DatasetText, MissingFile) {
    const TempDir dir;
    expect_error([&] { load_text(dir.file("none.txt"), LabelFormat::Auto); }, {dir.file("none.txt"), "cannot read"});
}

TEST(DatasetText, ManyLines) {
    const TempDir dir;
    constexpr int kRows = 100000;
    std::string text;
    text.reserve(kRows * 32);
    for (int i = 0; i < kRows; ++i)
        text += std::to_string(i) + ".5," + std::to_string(i % 97) + ",-0.125," + std::to_string(i % 7) + "\n";
    write_text(dir.file("big.csv"), text);
    const Dataset d = load_text(dir.file("big.csv"), LabelFormat::Auto);
    ASSERT_EQ(d.size(), static_cast<std::size_t>(kRows));
    ASSERT_EQ(d.features(), 3u);
    EXPECT_EQ(d.classes, 7);
    EXPECT_EQ(d.x.at(kRows - 1, 0), static_cast<float>(kRows - 1) + 0.5f);
    EXPECT_EQ(d.x.at(12345, 1), static_cast<float>(12345 % 97));
    EXPECT_EQ(d.x.at(12345, 2), -0.125f);
    EXPECT_EQ(d.y[kRows - 1], (kRows - 1) % 7);
}

// ---------------------------------------------------------------------------------------------
// Label format, specs, the built-in set

TEST(DatasetLabelFormat, Parses) {
    EXPECT_EQ(parse_label_format("auto"), LabelFormat::Auto);
    EXPECT_EQ(parse_label_format("onehot"), LabelFormat::OneHot);
    EXPECT_EQ(parse_label_format("index"), LabelFormat::Index);
    try {
        parse_label_format("one-hot");
        ADD_FAILURE() << "no ConfigError";
    } catch (const ConfigError& e) {
        const std::string msg = e.what();
        for (const char* p : {"label-format", "one-hot", "auto", "onehot", "index"})
            EXPECT_NE(msg.find(p), std::string::npos) << p << " not in: " << msg;
    }
}

TEST(DatasetSpec, Folder) {
    const TempDir dir;
    write_bytes(dir.file("train-images-idx3-ubyte"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("train-labels-idx1-ubyte"), idx_labels(3, kLabels));
    const Dataset d = load_dataset(dir.path().string());
    EXPECT_EQ(d.size(), 3u);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{2, 0, 1}));
    EXPECT_EQ(d.source, dir.path().string());
}

TEST(DatasetSpec, FolderWithoutIdxFiles) {
    const TempDir dir;
    write_bytes(dir.file("train-images-idx3-ubyte"), idx_images(3, 2, 3, kPixels));
    expect_error([&] { load_dataset(dir.path().string()); }, {dir.file("train-labels-idx1-ubyte"), "missing"});
}

TEST(DatasetSpec, ImagesFileFindsItsLabels) {
    const TempDir dir;
    write_bytes(dir.file("t10k-images-idx3-ubyte"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_labels(3, kLabels));
    const Dataset d = load_dataset(dir.file("t10k-images-idx3-ubyte"));
    EXPECT_EQ(d.size(), 3u);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{2, 0, 1}));
    expect_error([&] { load_dataset(dir.file("t10k-labels-idx1-ubyte")); }, {"IDX labels file", "IMAGES,LABELS"});
}

TEST(DatasetSpec, ImagesFileWithoutLabels) {
    const TempDir dir;
    write_bytes(dir.file("digits.idx"), idx_images(3, 2, 3, kPixels));
    expect_error([&] { load_dataset(dir.file("digits.idx")); }, {dir.file("digits.idx"), "IMAGES,LABELS"});
    write_bytes(dir.file("my-images"), idx_images(3, 2, 3, kPixels));
    expect_error([&] { load_dataset(dir.file("my-images")); }, {dir.file("my-labels"), "does not exist"});
}

TEST(DatasetSpec, ImagesCommaLabels) {
    const TempDir dir;
    write_bytes(dir.file("a"), idx_images(3, 2, 3, kPixels));
    write_bytes(dir.file("b"), idx_labels(3, kLabels));
    const Dataset d = load_dataset(dir.file("a") + "," + dir.file("b"));
    EXPECT_EQ(d.size(), 3u);
    EXPECT_EQ(d.classes, 3);
    expect_error([&] { load_dataset(dir.file("a") + "," + dir.file("c")); }, {dir.file("c"), "no such file"});
}

TEST(DatasetSpec, TextFile) {
    const TempDir dir;
    write_text(dir.file("d.txt"), "1 0 1\n3 1 0\n");
    const Dataset index = load_dataset(dir.file("d.txt"), LabelFormat::Index);
    EXPECT_EQ(index.features(), 2u);
    EXPECT_EQ(index.y, (std::vector<std::int32_t>{1, 0}));
    const Dataset onehot = load_dataset(dir.file("d.txt"));
    EXPECT_EQ(onehot.features(), 1u);
    EXPECT_EQ(onehot.y, (std::vector<std::int32_t>{1, 0}));
}

TEST(DatasetSpec, NothingThere) {
    const TempDir dir;
    expect_error([&] { load_dataset(dir.file("nothing")); }, {dir.file("nothing"), "no such file or folder", "mnist"});
}

TEST(DatasetSpec, DataDirFromEnvironment) {
    const TempDir dir;
    {
        const EnvGuard env("DNNSWEEP_DATA_DIR", dir.path().string());
        EXPECT_EQ(builtin_mnist_dir(), dir.path().string());
        expect_error([&] { load_dataset("mnist"); },
                     {dir.path().string(), "DNNSWEEP_DATA_DIR", "bash scripts/setup.sh", "fetch_mnist.sh"});
        write_bytes(dir.file("train-images-idx3-ubyte"), idx_images(3, 2, 3, kPixels));
        write_bytes(dir.file("train-labels-idx1-ubyte"), idx_labels(3, kLabels));
        EXPECT_EQ(load_dataset("mnist").size(), 3u);
    }
    {
        const EnvGuard env("DNNSWEEP_DATA_DIR", std::string());  // empty: the built-in default
        EXPECT_FALSE(builtin_mnist_dir().empty());
        EXPECT_NE(builtin_mnist_dir(), dir.path().string());
    }
}

// The share folder: from DNNSWEEP_SHARE_DIR, else found from the binary (this test's, in build/tests/,
// finds build/share/dnnsweep, made at configure time); `--data mnist` reads its mnist/ folder.
TEST(DatasetSpec, DataDirFromShareFolder) {
    const TempDir dir;
    const EnvGuard data("DNNSWEEP_DATA_DIR", std::nullopt);
    {
        const EnvGuard share("DNNSWEEP_SHARE_DIR", dir.path().string());
        EXPECT_EQ(share_dir(), dir.path());
        const std::string mnist = fs::weakly_canonical(dir.path() / "mnist").string();
        EXPECT_EQ(builtin_mnist_dir(), mnist);
        expect_error([&] { load_dataset("mnist"); }, {mnist, "fetch_mnist.sh"});
    }
    const EnvGuard share("DNNSWEEP_SHARE_DIR", std::nullopt);
    EXPECT_TRUE(fs::is_directory(share_dir())) << share_dir();
    EXPECT_EQ(share_dir().parent_path().filename(), "share");
    EXPECT_EQ(share_dir().filename(), "dnnsweep");
}

// The real digits: the test suite runs after the set-up fetched them (scripts/fetch_mnist.sh).
TEST(DatasetMnist, BuiltinDigits) {
    const Dataset d = load_dataset("mnist");
    ASSERT_EQ(d.size(), 10000u);
    ASSERT_EQ(d.features(), 784u);
    EXPECT_EQ(d.classes, 10);
    const auto [lo, hi] = std::minmax_element(d.x.data.begin(), d.x.data.end());
    EXPECT_EQ(*lo, 0.0f);
    EXPECT_EQ(*hi, 255.0f);
    std::vector<int> count(10, 0);
    for (const std::int32_t y : d.y) {
        ASSERT_GE(y, 0);
        ASSERT_LT(y, 10);
        ++count[static_cast<std::size_t>(y)];
    }
    for (int c = 0; c < 10; ++c) {
        EXPECT_GE(count[static_cast<std::size_t>(c)], 800) << "class " << c;
        EXPECT_LE(count[static_cast<std::size_t>(c)], 1200) << "class " << c;
    }
    // Every image has ink, and none is all ink.
    for (std::size_t i = 0; i < d.size(); ++i) {
        const float* r = d.x.row(i);
        const auto lit = std::count_if(r, r + d.features(), [](float v) { return v > 0.0f; });
        ASSERT_GT(lit, 20) << "image " << i;
        ASSERT_LT(lit, 500) << "image " << i;
    }
    EXPECT_NE(d.source.find("mnist"), std::string::npos);
}

TEST(DataError, QuotedDataStaysOnOneLine) {
    const DataError e("x.csv: line 1: no column named 'a\nb\tc\x01'");
    EXPECT_EQ(std::string(e.what()), "x.csv: line 1: no column named 'a\\nb\\tc\\x01'");
}

}  // namespace
}  // namespace dnnsweep
