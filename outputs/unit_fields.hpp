#pragma once
// The per-unit columns of the `folds` table and the per-epoch columns of `curves`, one entry each:
// the field's name, its HDF5 type (the accessor's value type), its unit attribute and how it is
// read from and written to a UnitResult / EpochMetrics. The writer (shards and the merge), the
// reader and the test against docs/hdf5-layout.md all go through these tables, so a new column is
// one entry here, one member, one row in the doc. The order of the entries is the order on disk.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "engine/trainer.hpp"
#include "outputs/unit_result.hpp"

namespace dnnsweep::detail {

// How one field of a Record is read and written, as a value of the column's type T.
template <class Record, class T>
struct Access {
    T (*get)(const Record&) = nullptr;
    void (*set)(Record&, const T&) = nullptr;  // null: derived from the unit's history, written, not read back
};

// The column types these tables use (float64, int32, int64, uint64, str).
template <class Record>
using FieldAccess = std::variant<Access<Record, std::uint64_t>, Access<Record, std::int32_t>,
                                 Access<Record, std::int64_t>, Access<Record, double>, Access<Record, std::string>>;

template <class Record>
struct Field {
    std::string_view name;
    FieldAccess<Record> access;
    std::string_view unit = {};   // the dataset attribute named like the field ("fraction", "s"); empty: none
    std::size_t shard_bytes = 0;  // str: the fixed width in shards (SWMR has no variable-length strings)
    bool merged_only = false;     // absent from shards, which keep it elsewhere (`error`: the `errors` table)
    bool added_later = false;     // files written before it lack it: the record keeps its default
};

// `folds`: one row per unit.
std::span<const Field<UnitResult>> fold_fields();
// `curves`: one row per (unit, epoch), after the row's keys (`record` in shards, then `unit`).
std::span<const Field<EpochMetrics>> curve_fields();

}  // namespace dnnsweep::detail
