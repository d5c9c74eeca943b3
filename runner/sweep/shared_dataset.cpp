#include "runner/sweep/shared_dataset.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

#include <sys/statvfs.h>
#include <unistd.h>

#include "runner/sweep/mpi.hpp"

namespace dnnsweep {
namespace {

// MPI counts are ints: larger datasets go in pieces.
constexpr std::size_t kChunkBytes = std::size_t{1} << 30;

void broadcast_bytes(std::byte* bytes, std::size_t n, MPI_Comm comm) {
    for (std::size_t at = 0; at < n; at += kChunkBytes) {
        const auto count = static_cast<int>(std::min(kChunkBytes, n - at));
        mpi_check(MPI_Bcast(bytes + at, count, MPI_BYTE, 0, comm), "MPI_Bcast(dataset rows)");
    }
}

// Where Open MPI puts a shared window's backing file (its `osc_sm_backing_directory`, which mpirun
// --mca and the environment set), and whether `bytes` fit there. An unfit folder (too small, as
// Docker's 64 MB /dev/shm often is, or missing) gives a SIGBUS or an MPI internal error deep in
// MPI_Win_allocate_shared, so it is checked first; the empty string means it fits. (A folder set
// only in Open MPI's parameter files is not seen: /dev/shm is checked instead.)
std::string window_room_problem(std::size_t bytes) {
    const char* env = std::getenv("OMPI_MCA_osc_sm_backing_directory");
    const std::string dir = env != nullptr && *env != '\0' ? env : "/dev/shm";
    struct statvfs fs {};
    if (statvfs(dir.c_str(), &fs) != 0 || access(dir.c_str(), W_OK) != 0)
        return dir + " (Open MPI's folder for shared windows) cannot be used: " + std::strerror(errno) +
               " (name an existing, writable local folder in OMPI_MCA_osc_sm_backing_directory)";
    const std::uint64_t free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    // Open MPI adds a little to the segment (a header, rounding to pages): keep a margin.
    const std::uint64_t needed = bytes + bytes / 64 + (std::uint64_t{1} << 20);
    if (free >= needed) return {};
    return dir + " (Open MPI's folder for shared windows) has " + std::to_string(free >> 20) +
           " MB free, the data needs " + std::to_string((needed >> 20) + 1) +
           " MB (give it room, e.g. docker run --shm-size, or name a larger local folder in "
           "OMPI_MCA_osc_sm_backing_directory)";
}

// The frees below are collective. While an exception unwinds, another rank may still be training
// and never join them: skip them, as the job is about to end by MPI_Abort (run_sweep_command's
// catch-all), which releases everything. After MPI_Finalize they would be erroneous.
bool may_free() {
    int finalized = 0;
    return std::uncaught_exceptions() == 0 && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized;
}

// A destructor cannot throw: a failed free is reported and otherwise ignored.
void report_free(int rc, const char* what) {
    try {
        mpi_check(rc, what);
    } catch (const MpiError& e) {
        std::cerr << "dnnsweep: warning: " << e.what() << std::endl;
    }
}

}  // namespace

SharedDataset::Communicator::~Communicator() {
    if (comm_ != MPI_COMM_NULL && may_free()) report_free(MPI_Comm_free(&comm_), "MPI_Comm_free");
}

SharedDataset::Window::~Window() {
    if (win_ != MPI_WIN_NULL && may_free()) report_free(MPI_Win_free(&win_), "MPI_Win_free");
}

SharedDataset::SharedDataset(const Dataset* data) {
    int world_rank = 0;
    mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &world_rank), "MPI_Comm_rank");
    if (world_rank == 0 && data == nullptr) throw std::invalid_argument("SharedDataset: rank 0 must pass the dataset");
    // Keyed by world rank, so world rank 0 is rank 0 of its node and of the leaders. New
    // communicators inherit MPI_COMM_WORLD's MPI_ERRORS_RETURN.
    mpi_check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, node_.out()),
              "MPI_Comm_split_type(shared)");
    int node_rank = 0;
    mpi_check(MPI_Comm_rank(node_.get(), &node_rank), "MPI_Comm_rank(node)");
    const bool leader = node_rank == 0;
    mpi_check(MPI_Comm_split(MPI_COMM_WORLD, leader ? 0 : MPI_UNDEFINED, world_rank, leaders_.out()),
              "MPI_Comm_split(node leaders)");

    // Everything but the rows and labels, from rank 0 to every rank.
    std::uint64_t head[4] = {0, 0, 0, 0};
    if (world_rank == 0) {
        if (data->y.size() != data->size())
            throw std::invalid_argument("SharedDataset: " + data->source + " has " + std::to_string(data->size()) +
                                        " rows but " + std::to_string(data->y.size()) + " labels");
        head[0] = data->x.rows;
        head[1] = data->x.cols;
        head[2] = static_cast<std::uint64_t>(data->classes);
        head[3] = data->source.size();
        source_ = data->source;
    }
    mpi_check(MPI_Bcast(head, 4, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast(dataset shape)");
    rows_count_ = head[0];
    cols_ = head[1];
    classes_ = static_cast<int>(head[2]);
    source_.resize(head[3]);
    mpi_check(MPI_Bcast(source_.data(), static_cast<int>(source_.size()), MPI_CHAR, 0, MPI_COMM_WORLD),
              "MPI_Bcast(dataset source)");

    const std::size_t x_bytes = rows_count_ * cols_ * sizeof(float), y_bytes = rows_count_ * sizeof(std::int32_t);
    const std::size_t total = x_bytes + y_bytes;
    // Each node's leader checks its node has room for the window. A node without room keeps one
    // copy per rank instead; the other nodes still share theirs (the collectives below are over
    // one node's ranks, or over all leaders, whichever their destination).
    int fits = 1;
    if (leader) {
        const std::string problem = window_room_problem(total);
        fits = problem.empty() ? 1 : 0;
        if (fits == 0)
            std::cerr << "dnnsweep sweep: warning: on " << processor_name() << ", " << problem
                      << ": every rank of this node keeps its own copy of the data (more memory, same results)"
                      << std::endl;
    }
    mpi_check(MPI_Bcast(&fits, 1, MPI_INT, 0, node_.get()), "MPI_Bcast(window room)");

    std::byte* bytes = nullptr;
    if (fits != 0) {
        // The leader's segment holds the rows then the labels; the others allocate nothing and read it.
        own_bytes_ = leader ? total : 0;
        void* mine = nullptr;
        const std::string what =
            "MPI_Win_allocate_shared (the node's shared copy of the dataset, " + std::to_string(total) + " bytes)";
        mpi_check(MPI_Win_allocate_shared(static_cast<MPI_Aint>(own_bytes_), 1, MPI_INFO_NULL, node_.get(), &mine,
                                          window_.out()),
                  what.c_str());
        mpi_check(MPI_Win_set_errhandler(window_.get(), MPI_ERRORS_RETURN), "MPI_Win_set_errhandler");
        MPI_Aint size = 0;
        int unit = 0;
        void* segment = nullptr;
        mpi_check(MPI_Win_shared_query(window_.get(), 0, &size, &unit, &segment), "MPI_Win_shared_query");
        bytes = static_cast<std::byte*>(segment);
    } else {
        own_copy_ = AlignedBuffer((total + sizeof(float) - 1) / sizeof(float));
        own_bytes_ = total;
        bytes = reinterpret_cast<std::byte*>(own_copy_.data());
    }
    if (leader && total > 0) {
        if (world_rank == 0) {
            std::memcpy(bytes, data->x.elements(), x_bytes);
            std::memcpy(bytes + x_bytes, data->y.data(), y_bytes);
        }
        broadcast_bytes(bytes, total, leaders_.get());  // to the other nodes' leaders
    }
    if (fits != 0) {
        // The leader's stores are complete and visible before any rank of the node reads them.
        mpi_check(MPI_Win_fence(0, window_.get()), "MPI_Win_fence");
    } else if (total > 0) {
        broadcast_bytes(bytes, total, node_.get());  // from the node's leader to each rank's copy
    }
    if (total > 0) {
        rows_ = reinterpret_cast<const float*>(bytes);
        labels_ = reinterpret_cast<const std::int32_t*>(bytes + x_bytes);
    }
}

SharedDataset::~SharedDataset() = default;

Dataset SharedDataset::view() const {
    Dataset d;
    d.x = Matrix::view(rows_, rows_count_, cols_);
    if (labels_ != nullptr) d.y.assign(labels_, labels_ + rows_count_);
    d.classes = classes_;
    d.source = source_;
    return d;
}

Study share_study(std::optional<Study> loaded, const std::string& spec_path) {
    Study s = loaded ? std::move(*loaded) : load_study_spec(spec_path);
    auto shared = std::make_shared<const SharedDataset>(loaded ? &s.data : nullptr);
    s.data = shared->view();  // on rank 0 this frees its own copy of the rows
    s.shared = std::move(shared);
    return s;
}

}  // namespace dnnsweep
