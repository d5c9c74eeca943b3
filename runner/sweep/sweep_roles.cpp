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

#include "engine/prune_policy.hpp"
#include "engine/stop.hpp"
#include "runner/sweep/halving_queue.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/signals.hpp"
#include "runner/sweep/sweep_protocol.hpp"
#include "runner/sweep/unit_runner.hpp"
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

// The spec's scheduler: successive halving, or every unit once (with chance pruning's skips).
std::unique_ptr<Scheduler> make_scheduler(const Study& s, const Plan& plan, int retries) {
    switch (policy(s.spec.prune.mode).scheduler) {
    case SchedulerKind::SuccessiveHalving:
        return std::make_unique<HalvingQueue>(s.grid, plan.share, plan.recorded, s.spec.prune, retries);
    case SchedulerKind::EveryUnitOnce:
        return std::make_unique<WorkQueue>(
            plan.pending, retries, [&grid = s.grid](std::uint64_t u) { return grid.unit(u).config; },
            plan.pruned_configs);
    }
    throw std::logic_error("no scheduler for prune = " + std::string(name(s.spec.prune.mode)));
}

double last_val_acc(const UnitResult& r) {
    return r.history.empty() ? std::numeric_limits<double>::quiet_NaN() : r.history.back().val_acc;
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
          busy_(static_cast<std::size_t>(ranks), protocol::kNoUnit) {}

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
            if (busy_[static_cast<std::size_t>(w)] != protocol::kNoUnit) send_words({0}, w, protocol::kAbort);
    }

    // Answers one worker's request: a unit, kStop, or (nothing now, more may come) not yet.
    bool answer(int worker) {
        const std::optional<Assignment> next = summary_.stopped ? std::nullopt : queue_->next();
        if (next) {
            busy_[static_cast<std::size_t>(worker)] = next->unit;
            send_words({next->unit, next->record_pruned ? protocol::kRecordPruned : protocol::kTrain,
                        static_cast<std::uint64_t>(next->epochs)},
                       worker, protocol::kAssign);
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
            handle_request(worker);
        } else if (status.MPI_TAG == protocol::kClosed) {
            recv_words(protocol::kEmptyWords, worker, protocol::kClosed);
            ++closed_;
        } else {
            throw MpiError("coordinator: unexpected message tag " + std::to_string(status.MPI_TAG) + " from rank " +
                           std::to_string(worker));
        }
    }

    // A request, carrying the report of the worker's previous unit (if any): record it, answer.
    void handle_request(int worker) {
        const auto start = std::chrono::steady_clock::now();
        const auto words = recv_words(protocol::kRequestWords, worker, protocol::kRequest);
        const protocol::Request report = protocol::decode_request(
            std::span<const std::uint64_t, protocol::kRequestWords>(words.data(), words.size()));
        busy_[static_cast<std::size_t>(worker)] = protocol::kNoUnit;
        if (report.unit != protocol::kNoUnit) record(report);
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
    std::vector<std::uint64_t> busy_;  // unit per worker
    std::deque<int> waiting_;          // workers whose request found nothing to hand out yet (halving)
    int closed_ = 0;
};

}  // namespace

RunSummary coordinate(const Study& s, const Plan& plan, int ranks, int retries, Progress& progress) {
    return Coordinator(s, plan, ranks, retries, progress).run();
}

void work(const Study& s, const std::string& out, const RunInfo& info, int rank, const std::string& host) {
    set_stop_check(worker_should_stop);
    {
        ShardWriter shard(shard_path(out, rank, info.run_id), s.spec, info, rank);
        protocol::Request report;  // the first request reports no unit
        for (;;) {
            const auto request = protocol::encode(report);
            send_words({request.begin(), request.end()}, 0, protocol::kRequest);
            const auto wait_start = std::chrono::steady_clock::now();
            auto [tag, words] = recv_polling(protocol::kAssignWords, 0);
            // A kAbort that crossed this request (the unit had already finished) is stale.
            while (tag == protocol::kAbort) std::tie(tag, words) = recv_polling(protocol::kAssignWords, 0);
            const double wait_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start).count();
            if (tag == protocol::kStop) break;
            if (tag != protocol::kAssign) throw MpiError("worker: unexpected message tag " + std::to_string(tag));
            g_abort_received = false;
            const UnitResult r =
                run_unit(s.spec, s.grid, s.data, words[0], rank, host,
                         words[1] == protocol::kRecordPruned ? UnitTask::RecordPruned : UnitTask::Train,
                         static_cast<int>(words[2]));
            // A unit cut short by a stop is not a result: it is not recorded, and runs again on resume.
            const auto record_start = std::chrono::steady_clock::now();
            if (r.status != UnitStatus::Stopped) shard.append(r);
            const double record_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - record_start).count();
            report = {
                words[0],        r.status,        r.seconds,   record_seconds, static_cast<std::uint64_t>(r.epochs),
                last_val_acc(r), r.setup_seconds, wait_seconds};
        }
    }  // the shard is closed before rank 0 is told so
    send_words({0}, 0, protocol::kClosed);
}

RunSummary work_alone(const Study& s, const Plan& plan, const std::string& out, const RunInfo& info,
                      const std::string& host, int retries, Progress& progress) {
    set_stop_check([] { return stop_signal() != 0; });
    const std::unique_ptr<Scheduler> queue = make_scheduler(s, plan, retries);
    RunSummary summary;
    ShardWriter shard(shard_path(out, 0, info.run_id), s.spec, info, 0);
    while (stop_signal() == 0) {
        const std::optional<Assignment> a = queue->next();  // alone, nothing is out: none means done
        if (!a) break;
        const UnitResult r = run_unit(s.spec, s.grid, s.data, a->unit, 0, host,
                                      a->record_pruned ? UnitTask::RecordPruned : UnitTask::Train, a->epochs);
        if (r.status != UnitStatus::Stopped) shard.append(r);
        summary.unit_seconds += r.seconds;
        summary.setup_seconds += r.setup_seconds;
        summary.epochs_trained += r.epochs;
        if (queue->report({a->unit, outcome_of(r.status), r.epochs, last_val_acc(r)}))
            progress.unit_done(r.status == UnitStatus::Failed, s.grid.unit_flops(a->unit, shape_of(s.data)));
    }
    summary.stopped = stop_signal() != 0;
    add_counts(summary, *queue);
    return summary;
}

}  // namespace dnnsweep
