#pragma once
// Reading a shard with what the merge checks besides its units.
#include <string>
#include <vector>

#include "outputs/unit_result.hpp"
#include "sweeps/grid.hpp"

namespace dnnsweep::detail {

struct ShardContents {
    std::string spec_hash;
    std::string run_id;
    int rank = 0;
    std::string data_fingerprint;  // empty in shards of versions before it (and then no shape)
    DataShape data;
    std::vector<UnitResult> units;  // complete units, in the order written
};

// Opens in SWMR-read mode (so a shard whose writer was killed, or is still writing, reads).
ShardContents read_shard_contents(const std::string& path);

}  // namespace dnnsweep::detail
