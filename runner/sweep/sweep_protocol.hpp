#pragma once
// The coordinator/worker protocol of `dnnsweep sweep`, step by step.
//
//  1. Every rank parses the spec and builds the grid (cheap, deterministic: the same unit indices
//     and ids everywhere). Rank 0 checks the inputs first and loads the dataset; it broadcasts one
//     word, kGo, kQuit or kQuitNoSpace (no room for the results folder or the lock), so a bad
//     spec or dataset is reported once (by rank 0) and every rank exits with the same code instead
//     of hanging. Workers then load the dataset themselves.
//  2. Rank 0 (the coordinator) orders the units still to do longest expected cost first
//     (Grid::schedule: FLOP estimate), skipping those already recorded in the results.
//  3. A worker (rank >= 1) sends kRequest with one report per unit of its last batch, in the order
//     it ran them, each {unit, its status, its training seconds, the seconds its shard append took
//     (its share of the batch's), the epochs it trained, its validation accuracy at its last epoch,
//     the seconds its preparation took, the seconds the worker waited for the batch's kAssign (its
//     share)}; its first request carries one report of kNoUnit. Group commit: the worker appends
//     a batch's finished units to its own shard in one append, flushes and fsyncs it once (not
//     with --no-sync), and only then sends their reports: a reported unit is durable, also against
//     a power loss.
//  4. The coordinator answers each request with kAssign, a batch of 1 to kMaxBatch {unit, task,
//     epochs} to run in that order, while units remain, else kStop {}. Task kTrain: train it for
//     `epochs` (0: its configuration's own). Task kRecordPruned (`prune = chance`): another fold
//     of its configuration was reported Pruned, so the worker records this one as pruned, zero
//     epochs, without training it; a worker applies the same rule within its batch (a fold of a
//     configuration pruned earlier in the batch is recorded pruned). A batch holds one unit
//     until the units' measured time (training and preparation, an average over the reports)
//     says they are short: then as many as fill about --batch-seconds (0.2 s), at most kMaxBatch, and at
//     most 1/(2 x workers) of the units not yet handed out (runner/sweep/group_commit.hpp). Long
//     units cost nothing more; results never depend on the batching (each unit's metrics depend
//     only on the spec). A unit that failed
//     (threw) goes back in the queue while it has retries left (--retries). With `prune =
//     halving` (runner/sweep/halving_queue.hpp) a unit comes back once per rung it reaches (epochs = the
//     rung's), and a request that finds nothing to hand out while units are still out is left
//     unanswered until a report brings a promotion or the last unit is in (then kStop).
//     It never blocks in a spinning MPI call: it polls (MPI_Iprobe) and sleeps with backoff (at
//     most 2 ms while messages come at least once a second, runner/sweep/mpi.hpp), so it stays near 1%
//     of a core while the workers train, and a worker waits about 1 ms for its next unit.
//  Stopping (SIGTERM, SIGINT, SIGUSR1 to any rank, or to mpirun, which forwards them): the
//     coordinator, on its own signal or on a worker's report of status Stopped, sends kAbort {}
//     to every busy worker and answers every further request, and any left waiting, with kStop. A worker checks for a
//     signal or a kAbort before every mini-batch (engine/stop.hpp) and before every unit of its
//     batch; the unit it abandons is not recorded (it runs again on resume) and is reported as
//     Stopped, and so are the batch's units after it, not started. The batch's units finished
//     before it are recorded and reported as usual. A kAbort that crosses a
//     worker's request is discarded. Then steps 5-6 as usual, and rank 0 exits with code 3.
//  No space (ENOSPC, EDQUOT) for a worker's shard: the worker reports the units of the batch it
//     could not record, and every later one, as Stopped (so rank 0 stops the run as for a signal), and says so in
//     its kClosed {kClosedNoSpace}; rank 0 exits with exit_code::no_space.
//  5. A worker receiving kStop closes its shard and sends kClosed {}; it then leaves the loop.
//  6. When every worker has sent kClosed, the coordinator merges the shards into the results file
//     and every rank exits.
//  With one rank there is no message at all: rank 0 runs steps 2-6 by training every unit itself,
//     in the same batches (one append and one sync per batch).
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "engine/unit_status.hpp"

namespace dnnsweep::protocol {

enum Tag : int { kRequest = 1, kAssign = 2, kStop = 3, kClosed = 4, kAbort = 5 };

inline constexpr std::uint64_t kNoUnit = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::uint64_t kGo = 1, kQuit = 0, kQuitNoSpace = 2;

// Words of each message (all MPI_UINT64_T).
inline constexpr std::size_t kRequestWords = 8;                // a Request, see encode() below; kRequest: 1 or more
inline constexpr std::size_t kAssignWords = 3;                 // {unit, task, epochs}; kAssign: 1 to kMaxBatch
inline constexpr std::size_t kMaxBatch = 256;                  // units in one kAssign
inline constexpr std::uint64_t kTrain = 0, kRecordPruned = 1;  // the task word of kAssign
inline constexpr std::size_t kEmptyWords = 1;                  // kStop, kClosed, kAbort: {0}
inline constexpr std::uint64_t kClosedNoSpace = 1;             // kClosed {1}: the shard ran out of space

// kRequest (step 3): the worker's report on the unit it last ran (unit = kNoUnit: none yet).
struct Request {
    std::uint64_t unit = kNoUnit;
    UnitStatus status = UnitStatus::Ok;  // the unit's record (meaningless with kNoUnit)
    double seconds = 0.0;                // the unit's training and evaluation
    double record_seconds = 0.0;         // its append to the worker's shard
    std::uint64_t epochs = 0;            // epochs it trained
    double val_acc = 0.0;                // validation accuracy at its last epoch (halving ranks by it)
    double setup_seconds = 0.0;          // its preparation: fold rows, scaling, model build
    double wait_seconds = 0.0;           // the worker's wait for its kAssign
};

// Every field is one word (status padded to one): a field added without kRequestWords growing
// does not compile.
static_assert(sizeof(Request) == kRequestWords * sizeof(std::uint64_t));
static_assert(offsetof(Request, seconds) == 2 * sizeof(std::uint64_t), "status is one word of its own");

// The words in field order, doubles as their bits.
inline std::array<std::uint64_t, kRequestWords> encode(const Request& r) {
    return {r.unit,
            static_cast<std::uint64_t>(r.status),
            std::bit_cast<std::uint64_t>(r.seconds),
            std::bit_cast<std::uint64_t>(r.record_seconds),
            r.epochs,
            std::bit_cast<std::uint64_t>(r.val_acc),
            std::bit_cast<std::uint64_t>(r.setup_seconds),
            std::bit_cast<std::uint64_t>(r.wait_seconds)};
}

inline Request decode_request(std::span<const std::uint64_t, kRequestWords> w) {
    return {w[0], static_cast<UnitStatus>(w[1]), std::bit_cast<double>(w[2]), std::bit_cast<double>(w[3]),
            w[4], std::bit_cast<double>(w[5]),   std::bit_cast<double>(w[6]), std::bit_cast<double>(w[7])};
}

}  // namespace dnnsweep::protocol
