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

#include "engine/data_fingerprint.hpp"
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

SharedDataset::SharedDataset(const Dataset* data, const RowSource* from_file) {
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
    std::uint64_t head[5] = {0, 0, 0, 0, 0};
    std::string names;  // the class names, each ended by a null byte
    if (world_rank == 0) {
        for (const std::string& n : data->class_names) names.append(n).push_back('\0');
        if (data->y.size() != data->size())
            throw std::invalid_argument("SharedDataset: " + data->source + " has " + std::to_string(data->size()) +
                                        " rows but " + std::to_string(data->y.size()) + " labels");
        head[0] = data->x.rows;
        head[1] = data->x.cols;
        head[2] = static_cast<std::uint64_t>(data->classes);
        head[3] = data->source.size();
        head[4] = names.size();
        source_ = data->source;
    }
    mpi_check(MPI_Bcast(head, 5, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast(dataset shape)");
    rows_count_ = head[0];
    cols_ = head[1];
    classes_ = static_cast<int>(head[2]);
    source_.resize(head[3]);
    mpi_check(MPI_Bcast(source_.data(), static_cast<int>(source_.size()), MPI_CHAR, 0, MPI_COMM_WORLD),
              "MPI_Bcast(dataset source)");
    names.resize(head[4]);
    mpi_check(MPI_Bcast(names.data(), static_cast<int>(names.size()), MPI_CHAR, 0, MPI_COMM_WORLD),
              "MPI_Bcast(class names)");
    for (std::size_t at = 0; at < names.size();) {
        const std::size_t end = names.find('\0', at);
        class_names_.push_back(names.substr(at, end - at));
        at = end + 1;
    }
    // Rank 0's own rows go before the window is made: one copy of them at a time.
    if (world_rank == 0 && from_file != nullptr) from_file->release();

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
            if (from_file != nullptr)
                from_file->fill(reinterpret_cast<float*>(bytes));
            else
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
    d.class_names = class_names_;
    d.source = source_;
    return d;
}

Study share_study(std::optional<Study> loaded, const std::string& spec_path, const std::string& fingerprint) {
    return share_study(std::move(loaded), SpecSource{.path = spec_path}, fingerprint);
}

Study share_study(std::optional<Study> loaded, const SpecSource& spec, const std::string& fingerprint) {
    const bool rank0 = loaded.has_value();
    Study s = rank0 ? std::move(*loaded) : load_study_spec(spec);
    std::uint64_t test_rows = s.spec.split.test_rows;
    mpi_check(MPI_Bcast(&test_rows, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast(test rows)");
    s.spec.split.test_rows = test_rows;

    // HDF5 and NumPy rows are read again, straight into the window; the fingerprint of the data
    // before and after shows they are the rows load_study checked.
    const LoadOptions options = s.spec.load_options();
    const bool from_file = rank0 && features_readable_into(s.spec.data) &&
                           (s.spec.test_data.empty() || features_readable_into(s.spec.test_data));
    const std::size_t cols = s.data.features(), test = s.spec.split.test_rows, train = s.data.size() - test;
    const SharedDataset::RowSource source{
        [&] {
            s.data.x = Matrix(0, 0);  // frees the rows; shape and labels went to the window's header already
        },
        [&](float* dst) {
            read_features_into(s.spec.data, options, dst, train, cols);
            if (test > 0) read_features_into(s.spec.test_data, options, dst + train * cols, test, cols);
        }};
    auto shared = std::make_shared<const SharedDataset>(rank0 ? &s.data : nullptr, from_file ? &source : nullptr);
    s.data = shared->view();  // on rank 0 this frees its own copy of the rows
    s.shared = std::move(shared);
    if (from_file && data_fingerprint(s.data) != fingerprint)
        throw DataError(s.spec.data + ": the data changed while the sweep was reading it; run it again");
    count_classes(s);  // every rank: the chance pruning rule needs it
    return s;
}

}  // namespace dnnsweep
