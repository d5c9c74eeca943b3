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

namespace dnnsweep {
namespace {

// Four folds per configuration (unit u: fold u % 4 of configuration u / 4); configurations 0-3
// cost 2, configurations 4-5 cost 1. The schedule: longest first, each configuration's folds in order.
WorkQueue fold_queue(std::vector<std::uint64_t> pending, std::set<std::uint64_t> pruned_configs = {}) {
    const Affinity affinity{.parts_of = [](std::uint64_t u) { return u % 4; },
                            .cost_of = [](std::uint64_t u) { return u / 4 < 4 ? 2.0 : 1.0; }};
    return WorkQueue(
        std::move(pending), 1, [](std::uint64_t u) { return u / 4; }, std::move(pruned_configs), affinity);
}

std::vector<std::uint64_t> schedule_of_six() {
    std::vector<std::uint64_t> units(24);
    for (std::uint64_t u = 0; u < units.size(); ++u) units[u] = u;
    return units;
}

TEST(WorkQueueAffinity, AWorkerGetsUnitsOfItsLastFoldAmongUnitsOfTheSameCost) {
    WorkQueue q = fold_queue(schedule_of_six());
    EXPECT_EQ(q.next()->unit, 0u);        // no unit before: the head
    EXPECT_EQ(q.next()->unit, 1u);        // another worker
    EXPECT_EQ(q.next_like(0)->unit, 4u);  // fold 0 of configuration 1, ahead of units 2 and 3
    EXPECT_EQ(q.next_like(1)->unit, 5u);  // fold 1
    EXPECT_EQ(q.next_like(4)->unit, 8u);
    EXPECT_EQ(q.next_like(8)->unit, 12u);  // the last fold-0 unit of cost 2
    // No fold-0 unit of the head's cost is left: the head (unit 2), not the cheaper unit 16.
    EXPECT_EQ(q.next_like(12)->unit, 2u);
    // The units passed over kept their order.
    std::vector<std::uint64_t> rest;
    while (const auto a = q.next_like(2)) rest.push_back(a->unit);
    EXPECT_EQ(rest, (std::vector<std::uint64_t>{6, 10, 14, 3, 7, 9, 11, 13, 15, 18, 22, 16, 17, 19, 20, 21, 23}));
    EXPECT_TRUE(q.exhausted());
    EXPECT_EQ(q.out(), 24u);  // every unit handed out once
}

TEST(WorkQueueAffinity, AlwaysHandsOutEveryUnitOnceAndNeverACheaperOneFirst) {
    WorkQueue q = fold_queue(schedule_of_six());
    std::vector<std::uint64_t> order;
    std::uint64_t like[3] = {0, 1, 2};  // three workers, asking in turn
    for (int w = 0; !q.exhausted(); w = (w + 1) % 3) {
        const auto a = order.size() < 3 ? q.next() : q.next_like(like[w]);
        ASSERT_TRUE(a);
        order.push_back(a->unit);
        like[w] = a->unit;
    }
    std::vector<std::uint64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, schedule_of_six());
    for (std::size_t i = 1; i < order.size(); ++i) EXPECT_LE(order[i - 1] / 4 < 4 ? 0 : 1, order[i] / 4 < 4 ? 0 : 1);
}

TEST(WorkQueueAffinity, RetriesAndPrunedSiblingsAsWithoutAffinity) {
    WorkQueue q = fold_queue({0, 1, 4, 5});
    EXPECT_EQ(q.next()->unit, 0u);
    EXPECT_TRUE(q.report({0, Outcome::Pruned}));  // configuration 0 pruned
    const auto a1 = q.next_like(0);               // fold 0 again: unit 4 (configuration 1)
    EXPECT_EQ(a1->unit, 4u);
    EXPECT_FALSE(a1->record_pruned);
    const auto a2 = q.next_like(4);  // no fold-0 unit left: the head, configuration 0's other fold
    EXPECT_EQ(a2->unit, 1u);
    EXPECT_TRUE(a2->record_pruned);
    EXPECT_FALSE(q.report({4, Outcome::Failed}));  // retried
    EXPECT_EQ(q.next_like(4)->unit, 5u);           // fresh units first
    EXPECT_EQ(q.next_like(4)->unit, 4u);           // then the retry
    EXPECT_FALSE(q.next_like(4));
}

TEST(WorkQueueAffinity, WithoutAffinityNextLikeIsNext) {
    WorkQueue q = queue({5, 2, 7, 0}, 1);
    EXPECT_EQ(q.next_like(0)->unit, 5u);
    EXPECT_EQ(q.next_like(7)->unit, 2u);
}

}  // namespace
}  // namespace dnnsweep
