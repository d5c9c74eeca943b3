#include "runner/sweep/work_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace dnnsweep {
namespace {

// Two folds per configuration: unit u is fold u % 2 of configuration u / 2.
std::uint64_t config_of(std::uint64_t u) { return u / 2; }

WorkQueue queue(std::vector<std::uint64_t> pending, int retries, std::set<std::uint64_t> pruned_configs = {}) {
    return WorkQueue(std::move(pending), retries, config_of, std::move(pruned_configs));
}

// Every unit the queue hands out now, in order.
std::vector<std::uint64_t> drain(WorkQueue& q) {
    std::vector<std::uint64_t> units;
    while (const std::optional<Assignment> a = q.next()) units.push_back(a->unit);
    return units;
}

TEST(WorkQueue, HandsOutThePendingUnitsInScheduleOrderOnce) {
    WorkQueue q = queue({5, 2, 7, 0}, 1);
    EXPECT_FALSE(q.exhausted());
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{5, 2, 7, 0}));
    EXPECT_TRUE(q.exhausted());  // nothing left to start, though all four are still out
    EXPECT_EQ(q.out(), 4u);
    for (const std::uint64_t u : {5, 2, 7, 0}) EXPECT_TRUE(q.report({u, Outcome::Done}));
    EXPECT_EQ(q.out(), 0u);
    EXPECT_EQ(q.done(), 4u);
    EXPECT_EQ(q.failed(), 0u);
}

TEST(WorkQueue, ReportsInAnyOrderGiveTheSameCounts) {
    WorkQueue q = queue({0, 1, 2, 3, 4, 5}, 0);
    ASSERT_EQ(drain(q).size(), 6u);
    // Reverse order, one of each outcome but Stopped.
    EXPECT_TRUE(q.report({5, Outcome::Done}));
    EXPECT_TRUE(q.report({3, Outcome::Failed}));  // no retries: final at once
    EXPECT_TRUE(q.report({1, Outcome::Done}));
    EXPECT_TRUE(q.report({4, Outcome::Done}));
    EXPECT_TRUE(q.report({2, Outcome::Done}));
    EXPECT_TRUE(q.report({0, Outcome::Done}));
    EXPECT_EQ(q.done(), 5u);
    EXPECT_EQ(q.failed(), 1u);
    EXPECT_EQ(q.out(), 0u);
    EXPECT_TRUE(q.exhausted());
}

TEST(WorkQueue, RetriesAFailedUnitAfterTheFreshOnesUpToRetriesTimes) {
    WorkQueue q = queue({0, 2, 4}, 2);
    ASSERT_EQ(q.next()->unit, 0u);
    EXPECT_FALSE(q.report({0, Outcome::Failed}));  // first failure: retried, not final
    EXPECT_FALSE(q.exhausted());
    // The fresh units first: a retry right after its failure would likely land on the same rank.
    EXPECT_EQ(q.next()->unit, 2u);
    EXPECT_EQ(q.next()->unit, 4u);
    EXPECT_EQ(q.next()->unit, 0u);
    EXPECT_FALSE(q.report({0, Outcome::Failed}));  // second failure: its last retry
    EXPECT_EQ(q.next()->unit, 0u);
    EXPECT_TRUE(q.report({0, Outcome::Failed}));  // third: kept as failed
    EXPECT_FALSE(q.next());
    EXPECT_TRUE(q.report({2, Outcome::Done}));
    EXPECT_TRUE(q.report({4, Outcome::Done}));
    EXPECT_TRUE(q.exhausted());
    EXPECT_EQ(q.failed(), 1u);
    EXPECT_EQ(q.done(), 2u);
}

TEST(WorkQueue, ARetriedUnitThatSucceedsIsDoneNotFailed) {
    WorkQueue q = queue({6}, 1);
    ASSERT_EQ(q.next()->unit, 6u);
    EXPECT_FALSE(q.report({6, Outcome::Failed}));
    ASSERT_EQ(q.next()->unit, 6u);
    EXPECT_TRUE(q.report({6, Outcome::Done}));
    EXPECT_EQ(q.done(), 1u);
    EXPECT_EQ(q.failed(), 0u);
}

TEST(WorkQueue, RetriesCountPerUnit) {
    WorkQueue q = queue({0, 1}, 1);
    ASSERT_EQ(drain(q).size(), 2u);
    // Both fail out of order; each has its own retry.
    EXPECT_FALSE(q.report({1, Outcome::Failed}));
    EXPECT_FALSE(q.report({0, Outcome::Failed}));
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{1, 0}));  // retried in the order they failed
    EXPECT_TRUE(q.report({0, Outcome::Failed}));
    EXPECT_TRUE(q.report({1, Outcome::Failed}));
    EXPECT_EQ(q.failed(), 2u);
    EXPECT_TRUE(q.exhausted());
}

TEST(WorkQueue, AStoppedUnitIsNeitherFinalNorRequeued) {
    WorkQueue q = queue({0, 1}, 3);
    ASSERT_EQ(drain(q).size(), 2u);
    EXPECT_FALSE(q.report({1, Outcome::Stopped}));
    EXPECT_TRUE(q.report({0, Outcome::Done}));
    EXPECT_FALSE(q.next());  // the next run picks it up
    EXPECT_EQ(q.abandoned(), 1u);
    EXPECT_EQ(q.done(), 1u);
    EXPECT_TRUE(q.exhausted());
}

TEST(WorkQueue, APrunedFoldHasItsUnstartedSiblingsRecordedPruned) {
    // Configurations 0 (units 0, 1), 1 (units 2, 3) and 2 (units 4, 5).
    WorkQueue q = queue({0, 2, 4, 1, 3, 5}, 1);
    const auto a0 = q.next(), a2 = q.next();
    EXPECT_FALSE(a0->record_pruned);
    EXPECT_FALSE(a2->record_pruned);
    EXPECT_TRUE(q.report({0, Outcome::Pruned}));
    EXPECT_EQ(q.pruned(), 1u);
    EXPECT_FALSE(q.next()->record_pruned);  // 4: configuration 2, not pruned
    const auto a1 = q.next();
    EXPECT_EQ(a1->unit, 1u);
    EXPECT_TRUE(a1->record_pruned);         // configuration 0's other fold: recorded pruned, untrained
    EXPECT_FALSE(q.next()->record_pruned);  // 3: configuration 1 (unit 2 still out) is not pruned
    EXPECT_FALSE(q.next()->record_pruned);
}

TEST(WorkQueue, AResumeRecordsTheFoldsOfAPrunedConfigurationPruned) {
    // Replay of an earlier run: unit 0 was recorded pruned, so configuration 0 is in pruned_configs;
    // the recorded units are not pending.
    WorkQueue q = queue({1, 2, 3}, 1, {0});
    const auto a1 = q.next(), a2 = q.next(), a3 = q.next();
    EXPECT_EQ(a1->unit, 1u);
    EXPECT_TRUE(a1->record_pruned);
    EXPECT_FALSE(a2->record_pruned);
    EXPECT_FALSE(a3->record_pruned);
    EXPECT_FALSE(q.next());
}

TEST(WorkQueue, NothingPendingIsExhaustedAtOnce) {
    WorkQueue q = queue({}, 1);
    EXPECT_TRUE(q.exhausted());
    EXPECT_FALSE(q.next());
    EXPECT_EQ(q.done(), 0u);
}

}  // namespace
}  // namespace dnnsweep
