// Ranks on one node share one copy of the dataset (runner/sweep/shared_dataset.hpp). Run under
// `mpirun -np 3` on one machine: `shared_dataset_test WORKDIR` (WORKDIR: where rank 0 writes a
// small spec and dataset). Every check runs on every rank, and no check stops a rank early, so the
// ranks stay in step through the collectives.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "engine/data_fingerprint.hpp"
#include "runner/sweep/mpi.hpp"
#include "runner/sweep/shared_dataset.hpp"
#include "runner/sweep/study.hpp"

namespace dnnsweep {
namespace {

std::string g_workdir;

int world_rank() {
    int r = 0;
    mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &r), "MPI_Comm_rank");
    return r;
}

int world_size() {
    int n = 0;
    mpi_check(MPI_Comm_size(MPI_COMM_WORLD, &n), "MPI_Comm_size");
    return n;
}

long long sum_over(MPI_Comm comm, long long v) {
    long long total = 0;
    mpi_check(MPI_Allreduce(&v, &total, 1, MPI_LONG_LONG, MPI_SUM, comm), "MPI_Allreduce");
    return total;
}

// The same rows on every rank (a formula, not a load), so each rank can check its view.
Dataset ramp(std::size_t rows, std::size_t cols) {
    Dataset d;
    d.x = Matrix(rows, cols);
    d.y.resize(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) d.x.at(i, j) = 0.5f * static_cast<float>(i * cols + j) - 3.0f;
        d.y[i] = static_cast<std::int32_t>(i % 3);
    }
    d.classes = 3;
    d.source = "ramp " + std::to_string(rows) + "x" + std::to_string(cols);
    return d;
}

TEST(SharedDataset, EveryRankViewsRankZerosRowsLabelsAndShape) {
    const Dataset want = ramp(1000, 7);
    const SharedDataset shared(world_rank() == 0 ? &want : nullptr);
    const Dataset got = shared.view();
    EXPECT_TRUE(got.x.is_view());
    EXPECT_TRUE(got.x.data.empty()) << "a view holds no rows of its own";
    EXPECT_EQ(got.size(), 1000u);
    EXPECT_EQ(got.features(), 7u);
    EXPECT_EQ(got.classes, 3);
    EXPECT_EQ(got.source, want.source);
    EXPECT_EQ(got.y, want.y);
    EXPECT_EQ(std::memcmp(got.x.elements(), want.x.data.data(), want.x.data.size() * sizeof(float)), 0);
    EXPECT_EQ(got.x.at(999, 6), want.x.at(999, 6));
}

TEST(SharedDataset, OneRankOfTheNodeAllocatesTheRowsAndLabels) {
    const Dataset want = ramp(500, 4);
    const SharedDataset shared(world_rank() == 0 ? &want : nullptr);
    int node_size = 0;
    mpi_check(MPI_Comm_size(shared.node(), &node_size), "MPI_Comm_size");
    EXPECT_EQ(node_size, world_size()) << "the test runs on one machine";
    EXPECT_EQ(sum_over(shared.node(), shared.own_bytes() > 0 ? 1 : 0), 1) << "ranks allocating a copy";
    EXPECT_EQ(sum_over(shared.node(), static_cast<long long>(shared.own_bytes())),
              static_cast<long long>(500 * 4 * sizeof(float) + 500 * sizeof(std::int32_t)))
        << "the node's window is one copy of the rows and labels";
}

TEST(SharedDataset, AWriteByOneRankIsSeenByEveryRank) {
    // Equal bytes could still be copies; one rank changing a value that every rank then reads
    // shows they read the same memory. (Only this test writes: the sweep's view is read-only.)
    const Dataset want = ramp(10, 3);
    const SharedDataset shared(world_rank() == 0 ? &want : nullptr);
    const Dataset view = shared.view();
    const float before = view.x.at(1, 1);
    mpi_check(MPI_Barrier(shared.node()), "MPI_Barrier");
    if (world_rank() == 0) const_cast<float*>(shared.rows_address())[4] = -1234.5f;
    std::atomic_thread_fence(std::memory_order_seq_cst);
    mpi_check(MPI_Barrier(shared.node()), "MPI_Barrier");
    std::atomic_thread_fence(std::memory_order_seq_cst);
    EXPECT_EQ(view.x.at(1, 1), -1234.5f);
    EXPECT_EQ(before, want.x.at(1, 1));
    mpi_check(MPI_Barrier(shared.node()), "MPI_Barrier");
}

// Open MPI's folder for the window missing (or too small, as Docker's /dev/shm often is): every
// rank gets its own copy of the same rows instead of a crash or an MPI internal error.
// Sets an environment variable for its lifetime, then restores it (also when a check throws).
class EnvGuard {
public:
    EnvGuard(const char* name, const std::string& value) : name_(name) {
        const char* old = std::getenv(name);
        if (old != nullptr) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~EnvGuard() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST(SharedDataset, WithoutRoomForTheWindowEveryRankGetsItsOwnCopy) {
    const Dataset want = ramp(300, 5);
    const std::optional<SharedDataset> copy = [&] {
        const EnvGuard folder("OMPI_MCA_osc_sm_backing_directory", g_workdir + "/no-such-folder");
        return std::optional<SharedDataset>(std::in_place, world_rank() == 0 ? &want : nullptr);
    }();

    EXPECT_FALSE(copy->shared());
    const std::size_t bytes = 300 * 5 * sizeof(float) + 300 * sizeof(std::int32_t);
    EXPECT_EQ(copy->own_bytes(), bytes);
    const Dataset got = copy->view();
    EXPECT_EQ(got.size(), 300u);
    EXPECT_EQ(got.features(), 5u);
    EXPECT_EQ(got.source, want.source);
    EXPECT_EQ(got.y, want.y);
    EXPECT_EQ(std::memcmp(got.x.elements(), want.x.data.data(), want.x.data.size() * sizeof(float)), 0);
    // Copies, not one memory: rank 0's write stays its own.
    mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
    if (world_rank() == 0) const_cast<float*>(copy->rows_address())[4] = -1234.5f;
    mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
    EXPECT_EQ(got.x.at(0, 4), world_rank() == 0 ? -1234.5f : want.x.at(0, 4));
    mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");

    const SharedDataset shared(world_rank() == 0 ? &want : nullptr);  // the folder back: shared again
    EXPECT_TRUE(shared.shared());
}

TEST(SharedDataset, ShareStudyGivesEveryRankTheLoadedStudyAndFreesRankZerosCopy) {
    namespace fs = std::filesystem;
    const std::string data = g_workdir + "/rows.txt", spec = g_workdir + "/spec.ini";
    if (world_rank() == 0) {
        fs::create_directories(g_workdir);
        std::ofstream d(data);
        for (int i = 0; i < 60; ++i) d << i * 0.25 << ' ' << (i % 7) - 3 << ' ' << i % 3 << '\n';
        std::ofstream(spec) << "data = " << data << "\nfolds = 3\nlayers = 1, 2\nwidth = 4\nepochs = 1\n";
    }
    barrier();
    const Study reference = load_study(spec);  // what rank 0 loads and checks, read here by every rank
    std::optional<Study> loaded;
    std::string fingerprint;
    if (world_rank() == 0) {
        loaded = load_study(spec);
        fingerprint = data_fingerprint(loaded->data);
    }
    const Study s = share_study(std::move(loaded), spec, fingerprint);
    EXPECT_TRUE(s.data.x.is_view());
    EXPECT_NE(s.shared, nullptr);
    EXPECT_EQ(s.grid.size(), reference.grid.size());
    EXPECT_EQ(s.data.size(), 60u);
    EXPECT_EQ(s.data.features(), 2u);
    EXPECT_EQ(s.data.classes, reference.data.classes);
    EXPECT_EQ(s.data.source, reference.data.source);
    EXPECT_EQ(s.data.y, reference.data.y);
    EXPECT_EQ(std::memcmp(s.data.x.elements(), reference.data.x.data.data(), 120 * sizeof(float)), 0);
}

}  // namespace
}  // namespace dnnsweep

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: mpirun -np N %s WORKDIR\n", argv[0]);
        return 2;
    }
    dnnsweep::g_workdir = argv[1];
    const dnnsweep::MpiSession mpi;
    const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
    // Every rank's verdict decides every rank's exit code, so mpirun fails if any rank failed.
    int any = 0;
    dnnsweep::mpi_check(MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return any;
}
