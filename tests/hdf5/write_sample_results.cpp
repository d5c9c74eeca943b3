// Writes a merged results file from synthetic units (tests/hdf5/sample_units.hpp) for the h5py
// read-back test: two ranks' shards, one failed unit with a long UTF-8 message, then the merge.
//
//   write_sample_results OUT.h5
#include <filesystem>
#include <iostream>

#include "outputs/results_store.hpp"
#include "tests/hdf5/sample_units.hpp"

int main(int argc, char** argv) {
    using namespace dnnsweep;
    if (argc != 2) {
        std::cerr << "usage: write_sample_results OUT.h5\n";
        return 2;
    }
    const std::string out = argv[1];
    try {
        std::filesystem::remove(out);
        std::filesystem::remove_all(parts_dir(out));
        const SweepSpec spec = testing::sample_spec();
        const Grid grid(spec);
        const RunInfo info = testing::sample_info();
        {
            ShardWriter a(shard_path(out, 1, info.run_id), spec, info, 1);
            ShardWriter b(shard_path(out, 2, info.run_id), spec, info, 2);
            for (std::uint64_t u = 0; u < grid.unit_count(); ++u) {
                const int rank = u % 2 ? 2 : 1;
                (rank == 1 ? a : b)
                    .append(testing::sample_unit(grid, u, rank, u == 5 ? UnitStatus::Failed : UnitStatus::Ok));
            }
        }
        merge_results(out, spec, grid, info);
    } catch (const std::exception& e) {
        std::cerr << "write_sample_results: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
