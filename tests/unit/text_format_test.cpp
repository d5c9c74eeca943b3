// The one spelling of numbers and durations users see (engine/text_format.hpp), and the one file
// reader (engine/read_file.hpp).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "engine/dataset.hpp"
#include "engine/read_file.hpp"
#include "engine/text_format.hpp"

namespace dnnsweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(TextFormat, FixedDecimals) {
    EXPECT_EQ(fixed(0.12345, 3), "0.123");
    EXPECT_EQ(fixed(0.9876, 2), "0.99");
    EXPECT_EQ(fixed(2.5, 0), "2");  // round half to even, as printf
    EXPECT_EQ(fixed(12.0, 1), "12.0");
    EXPECT_EQ(fixed(-0.001, 2), "0.00");  // no sign on a zero
    EXPECT_EQ(fixed(-0.5, 2), "-0.50");
    EXPECT_EQ(fixed(kNaN, 3), "-");  // a figure that does not exist
    EXPECT_EQ(fixed(std::numeric_limits<double>::infinity(), 4), "inf");
    EXPECT_EQ(fixed(-std::numeric_limits<double>::infinity(), 4), "-inf");
}

TEST(TextFormat, SignificantAndScientific) {
    EXPECT_EQ(significant(0.0123456, 3), "0.0123");
    EXPECT_EQ(significant(1234.5, 3), "1.23e+03");
    EXPECT_EQ(significant(0.05, 6), "0.05");
    EXPECT_EQ(significant(1e-5, 6), "1e-05");
    EXPECT_EQ(significant(-0.0, 3), "0");
    EXPECT_EQ(significant(kNaN, 3), "-");
    EXPECT_EQ(scientific(9.6e-8, 1), "9.6e-08");
    EXPECT_EQ(scientific(0.001, 1), "1.0e-03");
}

TEST(TextFormat, ExactEchoesAValueAsItReadsBack) {
    EXPECT_EQ(exact(0.1), "0.1");
    EXPECT_EQ(exact(0.99999), "0.99999");
    EXPECT_EQ(exact(2.0), "2");
    EXPECT_EQ(exact(1e-5), "1e-05");
    EXPECT_EQ(exact(kNaN), "nan");
    EXPECT_EQ(std::stod(exact(1.0 / 3.0)), 1.0 / 3.0);
}

TEST(TextFormat, ThousandsAndPercent) {
    EXPECT_EQ(thousands(0), "0");
    EXPECT_EQ(thousands(999), "999");
    EXPECT_EQ(thousands(1000), "1,000");
    EXPECT_EQ(thousands(1234567), "1,234,567");
    EXPECT_EQ(thousands(-1234), "-1,234");
    EXPECT_EQ(thousands(std::numeric_limits<std::int64_t>::min()), "-9,223,372,036,854,775,808");
    EXPECT_EQ(percent(187, 480), "39%");
    EXPECT_EQ(percent(0, 5), "0%");
    EXPECT_EQ(percent(5, 5), "100%");
    EXPECT_EQ(percent(1, 0), "-");
}

TEST(TextFormat, OneDurationFormat) {
    EXPECT_EQ(duration_text(0), "0s");
    EXPECT_EQ(duration_text(-3), "0s");
    EXPECT_EQ(duration_text(59.4), "59s");
    EXPECT_EQ(duration_text(59.6), "1m00s");
    EXPECT_EQ(duration_text(125), "2m05s");
    EXPECT_EQ(duration_text(5400), "1h30m00s");
    EXPECT_EQ(duration_text(3 * 86400 + 61), "72h01m01s");  // hours do not roll over into days
}

TEST(ReadFile, ReadsEveryByte) {
    const std::string path = (std::filesystem::temp_directory_path() / "dnnsweep_read_file_test.bin").string();
    const std::string bytes = std::string("a\0b\n", 4) + std::string(200000, 'x');
    std::ofstream(path, std::ios::binary) << bytes;
    EXPECT_EQ(read_file<DataError>(path), bytes);
    std::filesystem::remove(path);
}

TEST(ReadFile, FailuresNameThePathAndTakeTheCallersErrorType) {
    try {
        (void)read_file<DataError>("/no/such/file.txt");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("/no/such/file.txt: cannot read: ", 0), 0u) << e.what();
    }
    std::string error;
    EXPECT_EQ(try_read_file(std::filesystem::temp_directory_path().string(), error), std::nullopt);
    EXPECT_NE(error.find("cannot read: Is a directory"), std::string::npos) << error;
    EXPECT_THROW((void)read_file<std::runtime_error>("/no/such/file.txt"), std::runtime_error);
}

}  // namespace
}  // namespace dnnsweep
