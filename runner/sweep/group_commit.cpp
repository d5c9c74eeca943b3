#include "runner/sweep/group_commit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "engine/prune_policy.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/unit_runner.hpp"

namespace dnnsweep {
namespace {

// Weight of the newest unit in the mean: about the last 8 units count.
constexpr double kNewWeight = 0.125;

double last_val_acc(const UnitResult& r) {
    return r.history.empty() ? std::numeric_limits<double>::quiet_NaN() : r.history.back().val_acc;
}

}  // namespace

BatchSizer::BatchSizer(double target_seconds, std::size_t max_units)
    : target_(target_seconds), max_(std::max<std::size_t>(1, max_units)) {}

void BatchSizer::observe(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0.0) return;
    mean_ = measured_ ? mean_ + kNewWeight * (seconds - mean_) : seconds;
    measured_ = true;
}

std::size_t BatchSizer::size(std::size_t unstarted, int workers) const {
    if (!measured_ || mean_ >= target_) return 1;
    // A unit measured at 0 s (below the clock's resolution) gets the largest batch.
    const double fits = mean_ > 0.0 ? target_ / mean_ : static_cast<double>(max_);
    auto n = static_cast<std::size_t>(std::min(fits, static_cast<double>(max_)));
    n = std::min(n, unstarted / (2 * static_cast<std::size_t>(std::max(1, workers))));
    return std::max<std::size_t>(1, n);
}

std::vector<protocol::Request> run_batch(const BatchRun& run, std::span<const Assignment> batch, ShardWriter* shard,
                                         bool& no_space, double wait_seconds) {
    const Study& s = run.study;
    const bool chance = policy(s.spec.prune.mode).prunes_at_chance;
    const double share = batch.empty() ? 0.0 : 1.0 / static_cast<double>(batch.size());
    std::vector<protocol::Request> reports(batch.size());
    std::vector<UnitResult> results;  // the finished units, to record
    std::vector<std::size_t> at;      // their places in the batch
    results.reserve(batch.size());
    std::set<std::uint64_t> pruned_configs;  // configurations pruned by a unit of this batch
    bool stopped = no_space || shard == nullptr;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Assignment& a = batch[i];
        protocol::Request& report = reports[i];
        report.unit = a.unit;
        report.status = UnitStatus::Stopped;
        report.wait_seconds = wait_seconds * share;
        if (!stopped && run.should_stop != nullptr && run.should_stop()) stopped = true;
        if (stopped) continue;
        const std::uint64_t config = s.grid.unit(a.unit).config;
        const bool record_pruned = a.record_pruned || (chance && pruned_configs.contains(config));
        UnitResult r = run_unit(s.spec, s.grid, run.folds, s.chance, a.unit, run.rank, run.host,
                                record_pruned ? UnitTask::RecordPruned : UnitTask::Train, a.epochs);
        report.status = r.status;
        report.seconds = r.seconds;
        report.epochs = static_cast<std::uint64_t>(r.epochs);
        report.val_acc = last_val_acc(r);
        report.setup_seconds = r.setup_seconds;
        // A unit cut short by a stop is not a result: it is not recorded, and runs again on resume.
        if (r.status == UnitStatus::Stopped) {
            stopped = true;
            continue;
        }
        if (chance && r.status == UnitStatus::Pruned) pruned_configs.insert(config);
        results.push_back(std::move(r));
        at.push_back(i);
    }
    if (results.empty()) return reports;
    const auto start = std::chrono::steady_clock::now();
    try {
        shard->append(results);
    } catch (const Hdf5NoSpaceError&) {
        no_space = true;  // none of them recorded: they run again on resume
        for (const std::size_t i : at) reports[i].status = UnitStatus::Stopped;
    }
    const double each = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                        static_cast<double>(results.size());
    for (const std::size_t i : at) reports[i].record_seconds = each;
    return reports;
}

std::vector<std::uint64_t> encode_batch(std::span<const Assignment> batch) {
    std::vector<std::uint64_t> words;
    words.reserve(batch.size() * protocol::kAssignWords);
    for (const Assignment& a : batch) {
        words.push_back(a.unit);
        words.push_back(a.record_pruned ? protocol::kRecordPruned : protocol::kTrain);
        words.push_back(static_cast<std::uint64_t>(a.epochs));
    }
    return words;
}

std::vector<Assignment> decode_batch(std::span<const std::uint64_t> words) {
    if (words.empty() || words.size() % protocol::kAssignWords != 0 ||
        words.size() / protocol::kAssignWords > protocol::kMaxBatch)
        throw MpiError("worker: a kAssign of " + std::to_string(words.size()) + " words: expected 1 to " +
                       std::to_string(protocol::kMaxBatch) + " units of " + std::to_string(protocol::kAssignWords));
    std::vector<Assignment> batch;
    batch.reserve(words.size() / protocol::kAssignWords);
    for (std::size_t i = 0; i < words.size(); i += protocol::kAssignWords)
        batch.push_back({words[i], words[i + 1] == protocol::kRecordPruned, static_cast<int>(words[i + 2])});
    return batch;
}

std::vector<std::uint64_t> encode_reports(std::span<const protocol::Request> reports) {
    std::vector<std::uint64_t> words;
    words.reserve(reports.size() * protocol::kRequestWords);
    for (const protocol::Request& r : reports) {
        const auto w = protocol::encode(r);
        words.insert(words.end(), w.begin(), w.end());
    }
    return words;
}

std::vector<protocol::Request> decode_reports(std::span<const std::uint64_t> words) {
    if (words.empty() || words.size() % protocol::kRequestWords != 0)
        throw MpiError("coordinator: a kRequest of " + std::to_string(words.size()) +
                       " words: expected a positive multiple of " + std::to_string(protocol::kRequestWords));
    std::vector<protocol::Request> reports;
    reports.reserve(words.size() / protocol::kRequestWords);
    for (std::size_t i = 0; i < words.size(); i += protocol::kRequestWords)
        reports.push_back(protocol::decode_request(
            std::span<const std::uint64_t, protocol::kRequestWords>(words.data() + i, protocol::kRequestWords)));
    return reports;
}

}  // namespace dnnsweep
