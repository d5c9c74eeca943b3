#include "runner/sweep/mpi.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>

namespace dnnsweep {

void mpi_check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
    throw MpiError(std::string(what) + ": " +
                   (len > 0 ? std::string(text, static_cast<std::size_t>(len)) : "MPI error " + std::to_string(rc)));
}

bool launched_by_mpi() {
    // Open MPI's mpirun (OMPI_*), PMIx launchers (Open MPI 5's prterun, srun --mpi=pmix), PMI-1/2
    // launchers (MPICH's and Intel MPI's mpiexec, srun --mpi=pmi2), and Slurm steps of several tasks
    // (a direct launch whose PMI variables the MPI library reads from Slurm itself).
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "PMI_FD"})
        if (std::getenv(name) != nullptr) return true;
    const char* tasks = std::getenv("SLURM_STEP_NUM_TASKS");
    return tasks != nullptr && std::atoi(tasks) > 1;
}

int launcher_rank() {
    if (!launched_by_mpi()) return 0;
    for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
        if (const char* rank = std::getenv(name); rank != nullptr && *rank != '\0') return std::atoi(rank);
    return -1;
}

bool mpi_active() {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized != 0 && finalized == 0;
}

MpiSession::MpiSession() {
    if (!launched_by_mpi()) return;  // alone: rank 0 of 1
    int provided = 0;
    mpi_check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    // Errors come back as return codes (checked above) instead of aborting inside MPI.
    mpi_check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    mpi_check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
    // While an exception unwinds, MPI_Finalize would wait for ranks that are still working (or
    // stuck in a collective this rank left) and the job would hang: the caller's catch-all ends
    // the job with MpiSession::abort instead.
    if (std::uncaught_exceptions() > 0) return;
    if (mpi_active()) MPI_Finalize();
}

std::string processor_name() {
    char name[MPI_MAX_PROCESSOR_NAME];
    if (!mpi_active()) {
        if (gethostname(name, sizeof name) != 0) return "localhost";
        return std::string(name, strnlen(name, sizeof name));
    }
    int len = 0;
    mpi_check(MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
    return std::string(name, static_cast<std::size_t>(len));
}

std::string MpiSession::host() const { return processor_name(); }

std::vector<std::string> MpiSession::gather_hosts() const {
    if (!mpi_active()) return {host()};
    std::string mine = host();
    mine.resize(MPI_MAX_PROCESSOR_NAME, '\0');
    std::vector<char> all(rank_ == 0 ? static_cast<std::size_t>(size_) * MPI_MAX_PROCESSOR_NAME : 0);
    mpi_check(MPI_Gather(mine.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0,
                         MPI_COMM_WORLD),
              "MPI_Gather(hosts)");
    std::vector<std::string> hosts;
    for (int r = 0; rank_ == 0 && r < size_; ++r) {
        const char* p = all.data() + static_cast<std::size_t>(r) * MPI_MAX_PROCESSOR_NAME;
        hosts.emplace_back(p, strnlen(p, MPI_MAX_PROCESSOR_NAME));
    }
    return hosts;
}

void MpiSession::abort(int code) {
    if (mpi_active()) MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // MPI_Abort should not return; if it does, still never go on
}

void send_words(const std::vector<std::uint64_t>& words, int dest, int tag) {
    mpi_check(MPI_Send(words.data(), static_cast<int>(words.size()), MPI_UINT64_T, dest, tag, MPI_COMM_WORLD),
              "MPI_Send");
}

std::vector<std::uint64_t> recv_words(std::size_t count, int source, int tag, MPI_Status* status) {
    std::vector<std::uint64_t> words(count);
    MPI_Status local;
    mpi_check(MPI_Recv(words.data(), static_cast<int>(count), MPI_UINT64_T, source, tag, MPI_COMM_WORLD,
                       status ? status : &local),
              "MPI_Recv");
    return words;
}

namespace {

// Open MPI's MPI_Iprobe looks for a matching message first and only then progresses the transports,
// so a message that arrived while this rank slept is seen by the second call, not the first. Probing
// twice saves a whole sleep per message (2 ms at rank 0 per unit).
bool probe(int source, MPI_Status& status) {
    int flag = 0;
    for (int attempt = 0; attempt < 2 && flag == 0; ++attempt)
        mpi_check(MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    return flag != 0;
}

}  // namespace

bool probe_any(MPI_Status& status) { return probe(MPI_ANY_SOURCE, status); }

std::size_t probed_words(const MPI_Status& status) {
    int count = 0;
    mpi_check(MPI_Get_count(&status, MPI_UINT64_T, &count), "MPI_Get_count");
    if (count < 0) throw MpiError("MPI_Get_count: a message that is not whole 64-bit words");
    return static_cast<std::size_t>(count);
}

std::pair<int, std::vector<std::uint64_t>> recv_polling(std::size_t max_count, int source) {
    Backoff backoff(std::chrono::microseconds{250});
    for (;;) {
        MPI_Status status;
        if (probe(source, status)) {
            const std::size_t count = probed_words(status);
            if (count > max_count)
                throw MpiError("a message of " + std::to_string(count) + " words from rank " + std::to_string(source) +
                               " with tag " + std::to_string(status.MPI_TAG) + ": at most " +
                               std::to_string(max_count) + " expected");
            return {status.MPI_TAG, recv_words(count, source, status.MPI_TAG)};
        }
        backoff.wait();
    }
}

void Backoff::wait() {
    std::this_thread::sleep_for(pause_);
    waited_ += pause_;
    pause_ = std::min(pause_ * 2, waited_ < kQuickFor ? quick_max_ : kMax);
}

std::uint64_t broadcast_word(std::uint64_t word) {
    if (!mpi_active()) return word;  // alone: rank 0's word is this process's
    mpi_check(MPI_Bcast(&word, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
    return word;
}

std::string broadcast_text(std::string text) {
    if (!mpi_active()) return text;  // alone: rank 0's text is this process's
    const std::uint64_t size = broadcast_word(text.size());
    if (size > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
        throw MpiError("broadcast of " + std::to_string(size) + " bytes: more than one MPI_Bcast takes");
    text.resize(size);
    if (size > 0) mpi_check(MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
    return text;
}

void barrier() {
    if (!mpi_active()) return;
    MPI_Request request = MPI_REQUEST_NULL;
    mpi_check(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
    Backoff backoff;
    for (;;) {
        int done = 0;
        mpi_check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done) return;
        backoff.wait();
    }
}

}  // namespace dnnsweep
