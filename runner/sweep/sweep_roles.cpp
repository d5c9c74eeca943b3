#include "runner/sweep/sweep_roles.hpp"

#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>

#include "engine/fold_cache.hpp"
#include "engine/prune_policy.hpp"
#include "engine/stop.hpp"
#include "runner/sweep/group_commit.hpp"
#include "runner/sweep/halving_queue.hpp"
#include "runner/sweep/heap_reuse.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/signals.hpp"
#include "runner/sweep/sweep_protocol.hpp"
#include "runner/sweep/work_queue.hpp"

namespace dnnsweep {
namespace {

// Worker: the unit in training is abandoned at the next mini-batch when this rank got a stop
// signal or the coordinator sent kAbort (it got one, or another worker did).
bool g_abort_received = false;
bool worker_should_stop() {
    if (stop_signal() != 0 || g_abort_received) return true;
    int flag = 0;
    MPI_Status status;
    mpi_check(MPI_Iprobe(0, protocol::kAbort, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag) {
        recv_words(protocol::kEmptyWords, 0, protocol::kAbort);
        g_abort_received = true;
    }
    return g_abort_received;
}

// Units share fold parts when they have the same fold and input scaling; they may trade places in
// the schedule with units of the same expected cost (runner/sweep/work_queue.hpp).
Affinity fold_affinity(const Study& s) {
    const auto folds = static_cast<std::uint64_t>(s.grid.folds());
    return {
        .parts_of =
            [&grid = s.grid, folds](std::uint64_t u) {
                const UnitRef ref = grid.unit(u);
                const auto scaling = static_cast<std::uint64_t>(input_scaling(grid.config(ref.config).normalization));
                return scaling * folds + static_cast<std::uint64_t>(ref.fold);
            },
        .cost_of = [&grid = s.grid, shape = shape_of(s.data)](std::uint64_t u) { return grid.unit_flops(u, shape); }};
}

// The spec's scheduler: successive halving, or every unit once (with chance pruning's skips).
std::unique_ptr<Scheduler> make_scheduler(const Study& s, const Plan& plan, int retries) {
    switch (policy(s.spec.prune.mode).scheduler) {
    case SchedulerKind::SuccessiveHalving:
        return std::make_unique<HalvingQueue>(s.grid, plan.share, plan.recorded, s.spec.prune, retries);
    case SchedulerKind::EveryUnitOnce:
        return std::make_unique<WorkQueue>(
            plan.pending, retries, [&grid = s.grid](std::uint64_t u) { return grid.unit(u).config; },
            plan.pruned_configs, fold_affinity(s));
    }
    throw std::logic_error("no scheduler for prune = " + std::string(name(s.spec.prune.mode)));
}

}  // namespace

Plan make_plan(const Study& s, Recorded recorded, int array_task, int array_tasks) {
    Plan p;
    for (const std::uint64_t u : recorded.pruned) p.pruned_configs.insert(s.grid.unit(u).config);
    const std::set<std::uint64_t>& done = recorded.units;
    const auto schedule = s.grid.schedule(shape_of(s.data));
    std::uint64_t mine = 0;
    for (std::size_t i = 0; i < schedule.size(); ++i) {
        if (static_cast<int>(i % static_cast<std::size_t>(array_tasks)) != array_task) continue;
        ++mine;
        const std::uint64_t u = schedule[i];
        p.share.push_back(u);
        if (!done.contains(u)) {
            p.pending.push_back(u);
            p.pending_flops += s.grid.unit_flops(u, shape_of(s.data));
        }
    }
    p.already_done = mine - p.pending.size();
    p.units = mine;
    p.recorded = std::move(recorded);
    return p;
}

namespace {

// This run's final counts, from its scheduler.
void add_counts(RunSummary& summary, const Scheduler& queue) {
    summary.done = queue.done();
    summary.pruned = queue.pruned();
    summary.failed = queue.failed();
    summary.abandoned = queue.abandoned();
}

// Rank 0's side of the protocol: answers requests until every worker closed its shard.
class Coordinator {
public:
    Coordinator(const Study& s, const Plan& plan, int ranks, int retries, Progress& progress)
        : s_(s),
          ranks_(ranks),
          progress_(progress),
          queue_(make_scheduler(s, plan, retries)),
          sizer_(s.batch_seconds),
          busy_(static_cast<std::size_t>(ranks), 0),
          last_trained_(static_cast<std::size_t>(ranks)),
          unstarted_(plan.pending.size()) {}

    RunSummary run() {
        Backoff backoff;
        while (closed_ < ranks_ - 1) {
            if (stop_signal() != 0) begin_stop();
            while (!waiting_.empty() && answer(waiting_.front())) waiting_.pop_front();
            MPI_Status status;
            if (!probe_any(status)) {
                backoff.wait();
                continue;
            }
            backoff.reset();
            handle(status);
        }
        add_counts(summary_, *queue_);
        return summary_;
    }

private:
    // Stopping: a signal here, or a worker that reports it stopped (it got the signal). Busy
    // workers are told to abandon their unit; every request is answered with kStop.
    void begin_stop() {
        if (summary_.stopped) return;
        summary_.stopped = true;
        for (int w = 1; w < ranks_; ++w)
            if (busy_[static_cast<std::size_t>(w)] != 0) send_words({0}, w, protocol::kAbort);
    }

    // Answers one worker's request: a batch of units, kStop, or (nothing now, more may come) not yet.
    bool answer(int worker) {
        std::vector<Assignment> batch;
        if (!summary_.stopped) {
            const std::size_t n = sizer_.size(unstarted_, ranks_ - 1);
            std::optional<std::uint64_t>& like = last_trained_[static_cast<std::size_t>(worker)];
            while (batch.size() < n) {
                std::optional<Assignment> next = like ? queue_->next_like(*like) : queue_->next();
                if (!next) break;
                if (!next->record_pruned) like = next->unit;  // a unit recorded pruned prepares no parts
                batch.push_back(*next);
            }
        }
        if (!batch.empty()) {
            busy_[static_cast<std::size_t>(worker)] = batch.size();
            unstarted_ -= std::min(unstarted_, batch.size());
            send_words(encode_batch(batch), worker, protocol::kAssign);
            return true;
        }
        if (summary_.stopped || queue_->exhausted()) {
            send_words({0}, worker, protocol::kStop);
            return true;
        }
        return false;
    }

    void handle(const MPI_Status& status) {
        const int worker = status.MPI_SOURCE;
        if (status.MPI_TAG == protocol::kRequest) {
            handle_request(worker, probed_words(status));
        } else if (status.MPI_TAG == protocol::kClosed) {
            if (recv_words(protocol::kEmptyWords, worker, protocol::kClosed)[0] == protocol::kClosedNoSpace)
                summary_.no_space_rank = worker;
            ++closed_;
        } else {
            throw MpiError("coordinator: unexpected message tag " + std::to_string(status.MPI_TAG) + " from rank " +
                           std::to_string(worker));
        }
    }

    // A request, carrying the reports of the worker's previous batch (if any): record them, answer.
    void handle_request(int worker, std::size_t words) {
        const auto start = std::chrono::steady_clock::now();
        const std::vector<protocol::Request> reports = decode_reports(recv_words(words, worker, protocol::kRequest));
        busy_[static_cast<std::size_t>(worker)] = 0;
        bool batch = false;
        for (const protocol::Request& report : reports)
            if (report.unit != protocol::kNoUnit) {
                record(report);
                batch = true;
            }
        if (batch) ++summary_.batches;
        if (!answer(worker)) waiting_.push_back(worker);
        summary_.handling_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ++summary_.requests;
    }

    void record(const protocol::Request& report) {
        if (report.status == UnitStatus::Stopped) begin_stop();
        const UnitReport r{report.unit, outcome_of(report.status), static_cast<int>(report.epochs), report.val_acc};
        if (queue_->report(r))
            progress_.unit_done(report.status == UnitStatus::Failed,
                                s_.grid.unit_flops(report.unit, shape_of(s_.data)));
        if (report.epochs > 0) sizer_.observe(report.seconds + report.setup_seconds);
        summary_.unit_seconds += report.seconds;
        summary_.record_seconds += report.record_seconds;
        summary_.setup_seconds += report.setup_seconds;
        summary_.wait_seconds += report.wait_seconds;
        summary_.epochs_trained += r.epochs;
        ++summary_.reports;
    }

    const Study& s_;
    const int ranks_;
    Progress& progress_;
    const std::unique_ptr<Scheduler> queue_;
    RunSummary summary_;
    BatchSizer sizer_;
    std::vector<std::size_t> busy_;  // units out per worker (its batch)
    // The last unit each worker was given to train: its fold parts are what the worker keeps.
    std::vector<std::optional<std::uint64_t>> last_trained_;
    std::size_t unstarted_;    // units not handed out yet, as far as the plan knows (retries and rungs aside)
    std::deque<int> waiting_;  // workers whose request found nothing to hand out yet (halving)
    int closed_ = 0;
};

}  // namespace

RunSummary coordinate(const Study& s, const Plan& plan, int ranks, int retries, Progress& progress) {
    return Coordinator(s, plan, ranks, retries, progress).run();
}

void work(const Study& s, const std::string& out, const RunInfo& info, int rank, const std::string& host) {
    set_stop_check(worker_should_stop);
    reuse_freed_heap();
    bool no_space = false;  // the shard cannot take more: every unit from here on is reported stopped
    {
        std::optional<ShardWriter> shard;
        try {
            shard.emplace(shard_path(out, rank, info.run_id), s.spec, info, rank, s.sync_shards);
        } catch (const Hdf5NoSpaceError&) {
            no_space = true;
        }
        FoldCache folds(s.data, s.spec.split);
        const BatchRun run{s, rank, host, worker_should_stop, folds};
        std::vector<protocol::Request> reports(1);  // the first request reports no unit
        for (;;) {
            send_words(encode_reports(reports), 0, protocol::kRequest);
            const auto wait_start = std::chrono::steady_clock::now();
            auto [tag, words] = recv_polling(protocol::kAssignWords * protocol::kMaxBatch, 0);
            // A kAbort that crossed this request (the batch had already finished) is stale.
            while (tag == protocol::kAbort)
                std::tie(tag, words) = recv_polling(protocol::kAssignWords * protocol::kMaxBatch, 0);
            const double wait_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start).count();
            if (tag == protocol::kStop) break;
            if (tag != protocol::kAssign) throw MpiError("worker: unexpected message tag " + std::to_string(tag));
            g_abort_received = false;
            const std::vector<Assignment> batch = decode_batch(words);
            // Recorded (one append, one sync) before they are reported; with no space, reported stopped.
            reports = run_batch(run, batch, shard ? &*shard : nullptr, no_space, wait_seconds);
        }
    }  // the shard is closed before rank 0 is told so
    send_words({no_space ? protocol::kClosedNoSpace : 0}, 0, protocol::kClosed);
}

RunSummary work_alone(const Study& s, const Plan& plan, const std::string& out, const RunInfo& info,
                      const std::string& host, int retries, Progress& progress) {
    set_stop_check([] { return stop_signal() != 0; });
    reuse_freed_heap();
    const std::unique_ptr<Scheduler> queue = make_scheduler(s, plan, retries);
    RunSummary summary;
    std::optional<ShardWriter> shard;
    try {
        shard.emplace(shard_path(out, 0, info.run_id), s.spec, info, 0, s.sync_shards);
    } catch (const Hdf5NoSpaceError&) {
        summary.no_space_rank = 0;
        summary.stopped = true;
        add_counts(summary, *queue);
        return summary;
    }
    // The same batches as a worker's, so short units cost one append and one sync a batch here too.
    FoldCache folds(s.data, s.spec.split);
    const BatchRun run{s, 0, host, [] { return stop_signal() != 0; }, folds};
    BatchSizer sizer(s.batch_seconds);
    std::size_t unstarted = plan.pending.size();
    bool no_space = false;
    std::optional<std::uint64_t> like;  // the last unit trained: its fold parts are kept
    while (stop_signal() == 0 && !no_space) {
        std::vector<Assignment> batch;
        const std::size_t n = sizer.size(unstarted, 1);
        while (batch.size() < n) {
            // Alone, nothing is out: none means done.
            const std::optional<Assignment> a = like ? queue->next_like(*like) : queue->next();
            if (!a) break;
            if (!a->record_pruned) like = a->unit;
            batch.push_back(*a);
        }
        if (batch.empty()) break;
        unstarted -= std::min(unstarted, batch.size());
        for (const protocol::Request& r : run_batch(run, batch, &*shard, no_space, 0.0)) {
            if (r.epochs > 0) sizer.observe(r.seconds + r.setup_seconds);
            summary.unit_seconds += r.seconds;
            summary.setup_seconds += r.setup_seconds;
            summary.record_seconds += r.record_seconds;
            summary.epochs_trained += static_cast<std::int64_t>(r.epochs);
            if (queue->report({r.unit, outcome_of(r.status), static_cast<int>(r.epochs), r.val_acc}))
                progress.unit_done(r.status == UnitStatus::Failed, s.grid.unit_flops(r.unit, shape_of(s.data)));
        }
    }
    if (no_space) summary.no_space_rank = 0;
    summary.stopped = stop_signal() != 0 || summary.no_space_rank >= 0;
    add_counts(summary, *queue);
    return summary;
}

}  // namespace dnnsweep
