#include "outputs/unit_fields.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "outputs/tables.hpp"

namespace dnnsweep::detail {
namespace {

std::filesystem::path layout_doc() {
#ifdef DNNSWEEP_TEST_DATA_DIR
    return std::filesystem::path(DNNSWEEP_TEST_DATA_DIR).parent_path().parent_path() / "docs" / "hdf5-layout.md";
#else
    return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" / "hdf5-layout.md";
#endif
}

// A field as the doc and the merged file describe it: its type as the doc spells it, its unit.
using Described = std::map<std::string, std::pair<std::string, std::string>>;

std::vector<std::string> split_list(const std::string& cell) {  // "a, b" -> {"a", "b"}
    std::vector<std::string> items;
    std::stringstream in(cell);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        items.push_back(item);
    }
    return items;
}

// The cells of a markdown table row, trimmed: "| a | b |" -> {"a", "b"}.
std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    std::string cell;
    std::getline(in, cell, '|');  // before the first bar
    while (std::getline(in, cell, '|')) {
        cell.erase(0, cell.find_first_not_of(' '));
        cell.erase(cell.find_last_not_of(' ') + 1);
        out.push_back(cell);
    }
    return out;
}

// The rows of the `| field | type | unit | meaning |` table under the heading "### `<dataset>`".
// A row may name several fields: one type (or unit) for all, or one each ("int32, str"; "-" none).
Described documented(const std::string& dataset) {
    std::ifstream in(layout_doc());
    EXPECT_TRUE(in) << layout_doc();
    Described fields;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("### ")) inside = line.starts_with("### `" + dataset + "`");
        if (!inside || !line.starts_with("| `")) continue;
        const std::vector<std::string> row = cells(line);
        if (row.size() < 3) continue;
        std::vector<std::string> names;
        for (const std::string& name : split_list(row[0])) names.push_back(name.substr(1, name.size() - 2));
        const std::vector<std::string> types = split_list(row[1]), units = split_list(row[2]);
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::string& type = types.size() == 1 ? types[0] : types.at(i);
            std::string unit = units.empty() ? "" : units.size() == 1 ? units[0] : units.at(i);
            if (unit == "-") unit.clear();
            EXPECT_TRUE(fields.emplace(names[i], std::make_pair(type, unit)).second) << "twice: " << names[i];
        }
    }
    return fields;
}

std::string type_name(const h5::Column& c) {
    return std::visit(
        []<class T>(const std::vector<T>&) -> std::string {
            if constexpr (std::is_same_v<T, std::int32_t>)
                return "int32";
            else if constexpr (std::is_same_v<T, std::int64_t>)
                return "int64";
            else if constexpr (std::is_same_v<T, std::uint64_t>)
                return "uint64";
            else if constexpr (std::is_same_v<T, float>)
                return "float32";
            else if constexpr (std::is_same_v<T, double>)
                return "float64";
            else if constexpr (std::is_same_v<T, bool>)
                return "bool";
            else
                return "str";
        },
        c.data);
}

// The columns of a table the merge writes, as the doc should list them.
Described written(const h5::Table& t) {
    Described fields;
    for (const h5::Column& c : t.columns()) fields.emplace(c.name, std::make_pair(type_name(c), c.unit));
    return fields;
}

TEST(UnitFields, TheLayoutDocListsEveryFoldsColumnWithItsTypeAndUnit) {
    const UnitTables schema = unit_tables({}, Flavor::Merged);
    EXPECT_EQ(documented("folds"), written(schema.folds));
}

TEST(UnitFields, TheLayoutDocListsEveryCurvesColumnWithItsTypeAndUnit) {
    const UnitTables schema = unit_tables({}, Flavor::Merged);
    EXPECT_EQ(documented("curves"), written(schema.curves));
}

// Files already written have their columns in this order; a new column goes after them.
TEST(UnitFields, ReleasedColumnsKeepTheirOrderOnDisk) {
    const UnitTables schema = unit_tables({}, Flavor::Merged);
    const auto names = [](const h5::Table& t) {
        std::vector<std::string> out;
        for (const h5::Column& c : t.columns()) out.push_back(c.name);
        return out;
    };
    const std::vector<std::string> folds = {
        "unit",       "config",         "fold",    "unit_id",  "config_id", "status",    "error",
        "train_acc",  "train_loss",     "val_acc", "val_loss", "test_acc",  "test_loss", "epochs",
        "best_epoch", "diverged_epoch", "steps",   "seconds",  "rank",      "host",      "finished_at"};
    const std::vector<std::string> curves = {"unit",    "epoch",   "train_loss", "train_acc", "val_loss",
                                             "val_acc", "seconds", "dead_relu",  "saturated", "max_abs_input"};
    const std::vector<std::string> got_folds = names(schema.folds), got_curves = names(schema.curves);
    ASSERT_GE(got_folds.size(), folds.size());
    ASSERT_GE(got_curves.size(), curves.size());
    EXPECT_EQ(std::vector<std::string>(got_folds.begin(), got_folds.begin() + static_cast<long>(folds.size())), folds);
    EXPECT_EQ(std::vector<std::string>(got_curves.begin(), got_curves.begin() + static_cast<long>(curves.size())),
              curves);
}

TEST(UnitFields, NamesAreUnique) {
    std::map<std::string_view, int> seen;
    for (const auto& f : fold_fields()) EXPECT_EQ(++seen[f.name], 1) << f.name;
    seen.clear();
    for (const auto& f : curve_fields()) EXPECT_EQ(++seen[f.name], 1) << f.name;
}

// Every field written is read back: a unit and its curves survive both flavors.
TEST(UnitFields, EveryFieldRoundTrips) {
    UnitResult u;
    u.unit = 7;
    u.config = 3;
    u.fold = 1;
    u.unit_id = "00000000000000aa/1";
    u.config_id = "00000000000000aa";
    u.status = UnitStatus::Failed;
    u.error = "out of memory";
    u.train_acc = 0.5, u.train_loss = 1.5, u.val_acc = 0.25, u.val_loss = 2.5, u.test_acc = 0.125, u.test_loss = 3.5;
    u.epochs = 2, u.best_epoch = 1, u.diverged_epoch = 0, u.steps = 99, u.seconds = 4.5, u.rank = 2;
    u.host = "node7";
    u.finished_at = 1.7e9;
    u.memory_mb = 88.5;
    u.noisy_train_acc = 0.375;
    u.input_shift.val_spread_ratio = 4.25, u.input_shift.val_mean_shift = 0.5;
    u.input_shift.test_spread_ratio = 1.5, u.input_shift.test_mean_shift = 0.75;
    for (int e = 1; e <= 2; ++e) {
        EpochMetrics m;
        m.epoch = e;
        m.train_loss = 1.0 / e, m.train_acc = 0.1 * e, m.val_loss = 2.0 / e, m.val_acc = 0.2 * e, m.seconds = 0.3 * e;
        m.health.dead_relu = 0.01 * e, m.health.saturated = 0.02 * e, m.health.max_abs_input = 3.0 * e;
        m.health.grad_norm = {0.5 * e, 0.25 * e};
        u.history.push_back(m);
    }
    for (const Flavor flavor : {Flavor::Shard, Flavor::Merged}) {
        const UnitTables t = unit_tables(std::span(&u, 1), flavor);
        const std::vector<UnitResult> back =
            units_from_tables(t.folds, t.curves, t.grad_norms, flavor == Flavor::Shard ? &t.errors : nullptr);
        ASSERT_EQ(back.size(), 1u);
        const UnitResult& r = back[0];
        for (const auto& f : fold_fields())
            std::visit([&](const auto& a) { EXPECT_EQ(a.get(r), a.get(u)) << f.name; }, f.access);
        ASSERT_EQ(r.history.size(), 2u);
        for (std::size_t e = 0; e < 2; ++e) {
            for (const auto& f : curve_fields())
                std::visit([&](const auto& a) { EXPECT_EQ(a.get(r.history[e]), a.get(u.history[e])) << f.name; },
                           f.access);
            EXPECT_EQ(r.history[e].health.grad_norm, u.history[e].health.grad_norm);
        }
    }
}

// A results file written before the input-shift figures existed lacks their columns: it still
// reads, with NaN figures (the diagnosis then claims no input_shift).
TEST(UnitFields, AFoldsTableWithoutTheInputShiftColumnsStillReads) {
    UnitResult u;
    u.unit_id = "00000000000000aa/0";
    u.config_id = "00000000000000aa";
    u.status = UnitStatus::Ok;
    u.input_shift.val_spread_ratio = 4.0;
    const UnitTables t = unit_tables(std::span(&u, 1), Flavor::Merged);
    h5::Table older;
    for (const h5::Column& c : t.folds.columns())
        if (!c.name.ends_with("_spread_ratio") && !c.name.ends_with("_mean_shift")) older.add_column(c);
    ASSERT_LT(older.columns().size(), t.folds.columns().size());
    const std::vector<UnitResult> back = units_from_tables(older, t.curves, t.grad_norms, nullptr);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_TRUE(std::isnan(back[0].input_shift.val_spread_ratio));
    EXPECT_TRUE(std::isnan(back[0].input_shift.test_mean_shift));
}

}  // namespace
}  // namespace dnnsweep::detail
