// The report's memory line: median and highest of the ranks' recorded Pss, pruned records left out.
#include "outputs/memory_summary.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>

#include <chrono>
#include <functional>
#include <memory>
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

using Mapping = std::unique_ptr<void, std::function<void(void*)>>;

// 64 MiB mapped and written page by page (null if the mapping failed). Mapped directly, not through
// the allocator: AddressSanitizer's may hand out memory already resident.
Mapping touched_64_mib() {
    constexpr std::size_t bytes = 64u << 20;
    void* const mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return Mapping(nullptr, [](void*) {});
    auto* const block = static_cast<volatile char*>(mapped);
    for (std::size_t i = 0; i < bytes; i += 4096) block[i] = 1;
    return Mapping(mapped, [](void* p) { munmap(p, bytes); });
}

// The figure is this process's own: 64 MiB touched show in it.
TEST(ProcessMemory, GrowsWithWhatTheProcessTouches) {
    const double before = process_memory_mb();
    ASSERT_GT(before, 0.0);
    const Mapping touched = touched_64_mib();
    ASSERT_TRUE(touched);
    const double after = process_memory_mb();
    // Half the mapping as the bound: Pss divides shared pages among the processes mapping them, so a
    // sibling test process starting or ending under `ctest -j` moves this one's share of the test
    // binary and its libraries (tens of MB with AddressSanitizer: 47 MB grew once in CI).
    EXPECT_GT(after - before, 32.0) << before << " -> " << after;
}

// Within the interval the sampler gives its last figure without reading again; past it, a fresh one.
TEST(ProcessMemory, TheSamplerReadsAtMostOncePerInterval) {
    MemorySampler sampler(std::chrono::seconds(1));
    const MemorySampler::Clock::time_point t0{};
    const double first = sampler.sample_at(t0);
    ASSERT_GT(first, 0.0);
    const Mapping touched = touched_64_mib();
    ASSERT_TRUE(touched);
    EXPECT_EQ(sampler.sample_at(t0 + std::chrono::milliseconds(999)), first);  // not read again
    // Read again: the 64 MiB show (half of them as the bound: see GrowsWithWhatTheProcessTouches).
    EXPECT_GT(sampler.sample_at(t0 + std::chrono::seconds(1)) - first, 32.0);
}

}  // namespace
}  // namespace dnnsweep
