// The report's memory line: median and highest of the ranks' recorded Pss, pruned records left out.
#include "outputs/memory_summary.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "runner/sweep/process_memory.hpp"

namespace dnnsweep {
namespace {

UnitResult unit_with(double mb, int rank, const char* host) {
    UnitResult u;
    u.memory_mb = mb;
    u.rank = rank;
    u.host = host;
    return u;
}

TEST(MemorySummary, MedianAndHighestWithItsRankAndHost) {
    const std::vector<UnitResult> units = {unit_with(40.0, 1, "node1"), unit_with(63.25, 3, "node2"),
                                           unit_with(41.0, 2, "node2"), UnitResult{}};  // the last: pruned (NaN)
    EXPECT_EQ(memory_summary_text(units),
              "memory per rank when a unit ended (Pss): median 41.0 MiB, highest 63.2 MiB (rank 3 on node2)");
}

TEST(MemorySummary, AnEvenCountTakesTheMiddleTwosMean) {
    const std::vector<UnitResult> units = {unit_with(10.0, 1, "a"), unit_with(30.0, 1, "a"), unit_with(20.0, 2, "b"),
                                           unit_with(50.0, 2, "b")};
    EXPECT_NE(memory_summary_text(units).find("median 25.0 MiB, highest 50.0 MiB (rank 2 on b)"), std::string::npos);
}

TEST(MemorySummary, NoFigureNoLine) {
    EXPECT_EQ(memory_summary_text(std::vector<UnitResult>(3)), "");
    EXPECT_EQ(memory_summary_text({}), "");
}

// The figure is this process's own: a 64 MiB buffer written in full shows in it.
TEST(ProcessMemory, GrowsWithWhatTheProcessTouches) {
    const double before = process_memory_mb();
    ASSERT_GT(before, 0.0);
    std::vector<char> block(64u << 20, 1);
    const double after = process_memory_mb();
    EXPECT_GT(after - before, 60.0) << before << " -> " << after;
    EXPECT_EQ(block[12345], 1);
}

}  // namespace
}  // namespace dnnsweep
