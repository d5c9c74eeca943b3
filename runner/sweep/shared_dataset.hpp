#pragma once
// One copy of a sweep's dataset per node instead of one per rank. The ranks of a node
// (MPI_COMM_TYPE_SHARED) read the rows from one MPI shared-memory window that the node's lowest
// rank fills, so 64 ranks on a node hold the data once. Rank 0 alone reads the data files (it
// loaded and checked them before anyone trains); the window of its node gets rank 0's copy, the
// windows of other nodes get it broadcast among the node leaders. Where a node's leader finds no
// room for the window (Open MPI's backing folder too small or missing), every rank of that node
// gets its own copy from its leader instead, with a warning: more memory, same results.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <mpi.h>

#include "engine/aligned_buffer.hpp"
#include "engine/dataset.hpp"
#include "runner/sweep/study.hpp"

namespace dnnsweep {

class SharedDataset {
public:
    // Where world rank 0 can read the rows again straight from their files (HDF5, NumPy): `release`
    // frees its loaded copy of the rows before the window is allocated, `fill` writes them into
    // the window, so the node never holds them twice.
    struct RowSource {
        std::function<void()> release;
        std::function<void(float*)> fill;
    };
    // Collective over MPI_COMM_WORLD. `data` is the loaded dataset on world rank 0 and ignored
    // elsewhere; it is only read (copied into the window), or, with `from_file`, only its labels
    // and shape are (its rows are released and read again from the file).
    explicit SharedDataset(const Dataset* data, const RowSource* from_file = nullptr);
    // Frees the window and the communicators: collective over the node, so it must run on every
    // rank before MPI_Finalize (Study::shared is destroyed before run_sweep's MpiSession).
    ~SharedDataset();
    SharedDataset(const SharedDataset&) = delete;
    SharedDataset& operator=(const SharedDataset&) = delete;

    // The dataset with its rows viewing the window. The labels are copied (4 bytes a row, against
    // 4 bytes a feature for the rows): the fold split and the trainer take them as a std::vector.
    Dataset view() const;

    // What the tests check: the bytes this rank allocated for the data (in the window, non-zero on
    // one rank per node; or its own copy), whether the rows are shared, the address this rank sees
    // them at, and the node's communicator.
    std::size_t own_bytes() const { return own_bytes_; }
    bool shared() const { return window_.get() != MPI_WIN_NULL; }
    const float* rows_address() const { return rows_; }
    MPI_Comm node() const { return node_.get(); }

private:
    // Owners of one MPI handle each, so a constructor that throws halfway frees what it made.
    class Communicator {
    public:
        Communicator() = default;
        ~Communicator();
        Communicator(const Communicator&) = delete;
        Communicator& operator=(const Communicator&) = delete;
        MPI_Comm get() const { return comm_; }
        MPI_Comm* out() { return &comm_; }

    private:
        MPI_Comm comm_ = MPI_COMM_NULL;
    };
    class Window {
    public:
        Window() = default;
        ~Window();
        Window(const Window&) = delete;
        Window& operator=(const Window&) = delete;
        MPI_Win get() const { return win_; }
        MPI_Win* out() { return &win_; }

    private:
        MPI_Win win_ = MPI_WIN_NULL;
    };

    // Declared in the order they are made; destroyed window first.
    Communicator node_, leaders_;
    Window window_;
    AlignedBuffer own_copy_;  // the rows and labels when the node could not share them
    std::size_t rows_count_ = 0, cols_ = 0, own_bytes_ = 0;
    int classes_ = 0;
    std::string source_;
    std::vector<std::string> class_names_;
    const float* rows_ = nullptr;
    const std::int32_t* labels_ = nullptr;
};

// Collective over MPI_COMM_WORLD: the study every rank trains from, its rows in the node's shared
// window. On world rank 0 `loaded` is the study load_study checked (its own copy of the rows is
// freed: before the window is filled, straight from the files, where their format allows); the
// other ranks pass nothing and read only the spec (the separate test set's size comes from rank 0).
// `fingerprint`: rank 0's data_fingerprint of `loaded` (it checks rows read again from the files).
Study share_study(std::optional<Study> loaded, const SpecSource& spec, const std::string& fingerprint);
Study share_study(std::optional<Study> loaded, const std::string& spec_path, const std::string& fingerprint);

}  // namespace dnnsweep
