#pragma once
// Units <-> the `folds`, `curves`, `grad_norms` (and, in shards, `errors`) tables. The per-unit and
// per-epoch columns come from outputs/unit_fields.hpp; the keys tying rows together (`record`,
// `unit`), `grad_norms` and `errors` are spelled here (docs/hdf5-layout.md lists them all).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/results_store.hpp"
#include "outputs/unit_result.hpp"

namespace dnnsweep::detail {

enum class Flavor {
    // SWMR shards: fixed-length strings only (variable-length data lives in the global heap, which
    // SWMR does not cover), the error message in `errors` pieces, and curve rows tied to their
    // `folds` row by `record` (a retried unit can appear twice in one shard).
    Shard,
    // The merged file: variable-length UTF-8 strings, one record per unit, curves keyed by `unit`.
    Merged,
};

struct UnitTables {
    h5::Table folds, curves, grad_norms;
    h5::Table confusion;  // (unit, split, true_class, predicted, count): each unit's non-zero cells
    h5::Table errors;     // Shard only: (record, text piece) rows, the pieces of one message in order
};

// The rows of `units`; in a shard, the first unit becomes folds row `first_record`. With no units:
// the schema (zero-row tables), for creating the datasets.
UnitTables unit_tables(std::span<const UnitResult> units, Flavor flavor, std::uint64_t first_record = 0);

// Units from tables read back. Keeps only complete units: a `folds` row whose `status` is empty is
// a row whose extent was flushed before its data (a writer killed in between) and is skipped, and
// so are curve rows of no kept unit and rows with epoch 0 (fill values, epochs are 1-based).
// `curves`/`grad_norms`/`errors` may be longer or shorter than `folds` implies.
// `confusion` may be null (a file written before it existed: no matrices).
std::vector<UnitResult> units_from_tables(const h5::Table& folds, const h5::Table& curves, const h5::Table& grad_norms,
                                          const h5::Table* errors, const h5::Table* confusion = nullptr);

// The `split` values of `confusion` rows.
inline constexpr const char* kValSplit = "val";
inline constexpr const char* kTestSplit = "test";

}  // namespace dnnsweep::detail
