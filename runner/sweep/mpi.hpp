#pragma once
// A thin checked layer over the MPI C API: every call's return code becomes an MpiError carrying
// MPI's own message, and the session (MPI_Init / MPI_Finalize) is an RAII object.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <mpi.h>

namespace dnnsweep {

class MpiError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws MpiError("what: <MPI's message>") unless rc is MPI_SUCCESS.
void mpi_check(int rc, const char* what);

// Whether an MPI launcher (mpirun, mpiexec, srun with PMI or PMIx) started this process. A
// process started otherwise runs alone without initialising MPI at all: Open MPI's singleton
// MPI_Init starts a daemon of its own and costs about as much as a short sweep.
bool launched_by_mpi();
// This process's rank as its launcher's environment gives it, before MPI_Init: 0 when no launcher
// started it, -1 when a launcher did but its variables are not known here.
int launcher_rank();
// MPI_Init was called and MPI_Finalize not yet: the collectives below then talk to the other
// ranks; without it (one process alone) they are what one rank would see, without any call.
bool mpi_active();

class MpiSession {
public:
    MpiSession();   // MPI_Init when launched_by_mpi(); otherwise rank 0 of 1, MPI untouched
    ~MpiSession();  // MPI_Finalize, unless an exception is unwinding (then call abort)
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    // This rank's host name; on rank 0, gathered: every rank's host, in rank order.
    std::string host() const;
    std::vector<std::string> gather_hosts() const;
    // Ends every rank of the job at once (the catch-all for a rank that cannot go on, so the
    // others never wait forever on it); without MPI, this process.
    [[noreturn]] static void abort(int code);

private:
    int rank_ = 0;
    int size_ = 1;
};

// This rank's host as MPI names it (MPI_Get_processor_name; gethostname, as Open MPI does, without MPI).
std::string processor_name();

// Fixed-size messages of 64-bit words: the protocol's only message shape (runner/sweep/sweep_protocol.hpp).
void send_words(const std::vector<std::uint64_t>& words, int dest, int tag);
std::vector<std::uint64_t> recv_words(std::size_t count, int source, int tag, MPI_Status* status = nullptr);
// Non-blocking check for any message; true and its envelope in `status` when one is waiting.
bool probe_any(MPI_Status& status);
// The number of words of a message whose envelope a probe returned.
std::size_t probed_words(const MPI_Status& status);
// Blocking wait for the next message from `source` (any tag) that sleeps between polls instead
// of spinning (Open MPI's blocking receive spins a core at 100%). Returns its tag and words: as
// many as were sent, at most `max_count` (more is an MpiError).
std::pair<int, std::vector<std::uint64_t>> recv_polling(std::size_t max_count, int source);
// Sleeps between polls, doubling from 20 us. For the first second of a wait the pause stays at
// most `quick_max`: a sweep's messages wait on it (a request at rank 0, the answer at the worker),
// so each unit waits about that long at most; a 20 ms cap there cost 40-60 ms per unit, a third of
// the time of 0.2 s units (docs/performance-log.md, "Scaling"). Each wake-up costs about 25 us of CPU
// on a virtual machine, so rank 0 keeps 2 ms (1-1.5% of a core) while a worker, whose core is
// idle anyway, polls for its answer every 0.25 ms. Longer waits (long units, deferred requests, the
// final merge) go up to 20 ms: well under 1% of a core. reset() after each message.
class Backoff {
public:
    explicit Backoff(std::chrono::microseconds quick_max = std::chrono::microseconds{2000}) : quick_max_(quick_max) {}
    void wait();
    void reset() {
        pause_ = kMin;
        waited_ = {};
    }

private:
    static constexpr std::chrono::microseconds kMin{20}, kMax{20000}, kQuickFor{1000000};
    std::chrono::microseconds quick_max_;
    std::chrono::microseconds pause_ = kMin;
    std::chrono::microseconds waited_{};
};

// Broadcast of a small status word from rank 0 (e.g. "the inputs are valid, go on").
std::uint64_t broadcast_word(std::uint64_t word);
// Broadcast of a text from rank 0 (the others pass anything and get rank 0's).
std::string broadcast_text(std::string text);
// Every rank waits here for the others, sleeping between polls (MPI_Barrier spins a core).
void barrier();

}  // namespace dnnsweep
