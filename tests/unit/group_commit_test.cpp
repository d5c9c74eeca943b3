// Group commit's pieces that need no MPI (runner/sweep/group_commit.hpp): the batch size rank 0
// picks from the units' measured time, and the batch and report messages' words.
#include "runner/sweep/group_commit.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "runner/sweep/mpi.hpp"

namespace dnnsweep {
namespace {

TEST(BatchSizer, OneUnitUntilMeasuredAndForLongUnits) {
    BatchSizer sizer(0.2);
    EXPECT_EQ(sizer.size(10000, 2), 1u);  // nothing measured yet
    sizer.observe(0.5);
    EXPECT_EQ(sizer.size(10000, 2), 1u);  // long units: exactly as without batches
    BatchSizer off(0.0);                  // --batch-seconds 0
    off.observe(0.0001);
    EXPECT_EQ(off.size(10000, 2), 1u);
}

TEST(BatchSizer, ShortUnitsFillTheTargetWithinItsLimits) {
    BatchSizer sizer(0.2, 256);
    sizer.observe(0.004);
    EXPECT_EQ(sizer.size(100000, 2), 50u);  // 0.2 s / 4 ms
    EXPECT_EQ(sizer.size(100, 2), 25u);     // at most a quarter each of the 100 left for 2 workers
    EXPECT_EQ(sizer.size(3, 2), 1u);        // the last units go one by one
    BatchSizer tiny(0.2, 256);
    tiny.observe(0.0);  // below the clock's resolution
    EXPECT_EQ(tiny.size(100000, 1), 256u);
}

TEST(BatchSizer, FollowsUnitsThatGetShorter) {
    BatchSizer sizer(0.2, 256);
    sizer.observe(0.1);
    EXPECT_EQ(sizer.size(100000, 2), 2u);
    for (int i = 0; i < 64; ++i) sizer.observe(0.002);  // the longest-first schedule's later units
    EXPECT_GE(sizer.size(100000, 2), 95u);
    EXPECT_LE(sizer.size(100000, 2), 100u);
}

TEST(GroupCommitMessages, ABatchRoundTripsThroughItsWords) {
    const std::vector<Assignment> batch = {{7, false, 0}, {123456789012345ULL, true, 0}, {3, false, 9}};
    const std::vector<std::uint64_t> words = encode_batch(batch);
    ASSERT_EQ(words.size(), 3 * protocol::kAssignWords);
    EXPECT_EQ(words[3], 123456789012345ULL);
    EXPECT_EQ(words[4], protocol::kRecordPruned);
    const std::vector<Assignment> got = decode_batch(words);
    ASSERT_EQ(got.size(), batch.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].unit, batch[i].unit);
        EXPECT_EQ(got[i].record_pruned, batch[i].record_pruned);
        EXPECT_EQ(got[i].epochs, batch[i].epochs);
    }
}

TEST(GroupCommitMessages, ReportsRoundTripInBatchOrder) {
    std::vector<protocol::Request> reports(3);
    for (std::size_t i = 0; i < reports.size(); ++i) {
        reports[i].unit = 10 + i;
        reports[i].status = i == 1 ? UnitStatus::Failed : UnitStatus::Ok;
        reports[i].seconds = 0.5 * static_cast<double>(i);
        reports[i].epochs = i;
    }
    const std::vector<protocol::Request> got = decode_reports(encode_reports(reports));
    ASSERT_EQ(got.size(), reports.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].unit, reports[i].unit);
        EXPECT_EQ(got[i].status, reports[i].status);
        EXPECT_EQ(got[i].seconds, reports[i].seconds);
        EXPECT_EQ(got[i].epochs, reports[i].epochs);
    }
}

TEST(GroupCommitMessages, MalformedMessagesAreRefused) {
    EXPECT_THROW(decode_batch(std::vector<std::uint64_t>{}), MpiError);
    EXPECT_THROW(decode_batch(std::vector<std::uint64_t>(protocol::kAssignWords + 1)), MpiError);
    EXPECT_THROW(decode_batch(std::vector<std::uint64_t>(protocol::kAssignWords * (protocol::kMaxBatch + 1))),
                 MpiError);
    EXPECT_THROW(decode_reports(std::vector<std::uint64_t>{}), MpiError);
    EXPECT_THROW(decode_reports(std::vector<std::uint64_t>(protocol::kRequestWords - 1)), MpiError);
}

}  // namespace
}  // namespace dnnsweep
