#include "outputs/tables.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <type_traits>

#include "outputs/unit_fields.hpp"

namespace dnnsweep::detail {
namespace {

constexpr std::size_t kErrorPieceBytes = 256;
constexpr std::size_t kSplitBytes = 8;  // `split` in shards: "val" or "test"

std::size_t width(Flavor f, std::size_t fixed) { return f == Flavor::Shard ? fixed : 0; }

// Splits UTF-8 text into pieces of at most `max` bytes, never inside a character.
std::vector<std::string> utf8_pieces(const std::string& text, std::size_t max) {
    std::vector<std::string> pieces;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = std::min(text.size(), pos + max);
        if (end < text.size())
            while (end > pos + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // continuation byte
        pieces.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return pieces;
}

// Adds the columns of `fields` this flavor holds, one row per record.
template <class Record>
void add_fields(h5::Table& t, std::span<const Field<Record>> fields, Flavor flavor,
                const std::vector<const Record*>& records) {
    for (const Field<Record>& f : fields) {
        if (f.merged_only && flavor == Flavor::Shard) continue;
        std::visit(
            [&]<class T>(const Access<Record, T>& a) {
                std::vector<T>& col = [&]() -> std::vector<T>& {
                    if constexpr (std::is_same_v<T, std::string>)
                        return t.add_string(std::string(f.name), width(flavor, f.shard_bytes));
                    else
                        return t.add<T>(std::string(f.name), std::string(f.unit));
                }();
                col.reserve(records.size());
                for (const Record* r : records) col.push_back(a.get(*r));
            },
            f.access);
    }
}

// Sets the fields of each (table row, record) pair from `t`; a merged-only or added-later field may be absent.
template <class Record>
void read_fields(const h5::Table& t, std::span<const Field<Record>> fields,
                 const std::vector<std::pair<std::size_t, Record*>>& rows) {
    for (const Field<Record>& f : fields) {
        if ((f.merged_only || f.added_later) && !t.has(f.name)) continue;
        std::visit(
            [&]<class T>(const Access<Record, T>& a) {
                if (!a.set) return;  // derived from the curves, which are read on their own
                const std::vector<T>& col = t.get<T>(f.name);
                for (const auto& [row, record] : rows) a.set(*record, col[row]);
            },
            f.access);
    }
}

void add_fold_rows(h5::Table& f, std::span<const UnitResult> units, Flavor flavor) {
    std::vector<const UnitResult*> records;
    for (const UnitResult& u : units) records.push_back(&u);
    add_fields(f, fold_fields(), flavor, records);
}

// `curves` and `grad_norms`: one row per epoch, and per epoch and layer, keyed by `record` (shards)
// and `unit`.
void add_epoch_rows(UnitTables& t, std::span<const UnitResult> units, Flavor flavor, std::uint64_t first_record) {
    const bool shard = flavor == Flavor::Shard;
    h5::Table& c = t.curves;
    std::vector<std::uint64_t>* c_record = shard ? &c.add<std::uint64_t>("record") : nullptr;
    auto& c_unit = c.add<std::uint64_t>("unit");
    h5::Table& g = t.grad_norms;
    std::vector<std::uint64_t>* g_record = shard ? &g.add<std::uint64_t>("record") : nullptr;
    auto& g_unit = g.add<std::uint64_t>("unit");
    auto& g_epoch = g.add<std::int32_t>("epoch");
    auto& g_layer = g.add<std::int32_t>("layer");
    auto& g_norm = g.add<double>("norm");

    std::vector<const EpochMetrics*> epochs;
    std::uint64_t record = first_record;
    for (const UnitResult& u : units) {
        for (const EpochMetrics& m : u.history) {
            if (c_record) c_record->push_back(record);
            c_unit.push_back(u.unit);
            epochs.push_back(&m);
            for (std::size_t l = 0; l < m.health.grad_norm.size(); ++l) {
                if (g_record) g_record->push_back(record);
                g_unit.push_back(u.unit);
                g_epoch.push_back(m.epoch);
                g_layer.push_back(static_cast<std::int32_t>(l));
                g_norm.push_back(m.health.grad_norm[l]);
            }
        }
        ++record;
    }
    add_fields(c, curve_fields(), flavor, epochs);
}

// Shards: each unit's error message as (record, piece) rows.
void add_error_rows(h5::Table& e, std::span<const UnitResult> units, std::uint64_t first_record) {
    auto& e_record = e.add<std::uint64_t>("record");
    auto& e_text = e.add_string("text", kErrorPieceBytes);
    std::uint64_t record = first_record;
    for (const UnitResult& u : units) {
        for (std::string& piece : utf8_pieces(u.error, kErrorPieceBytes)) {
            e_record.push_back(record);
            e_text.push_back(std::move(piece));
        }
        ++record;
    }
}

// `confusion`: each unit's non-zero validation cells, then its test cells, keyed by `record`
// (shards) and `unit`.
void add_confusion_rows(h5::Table& t, std::span<const UnitResult> units, Flavor flavor, std::uint64_t first_record) {
    std::vector<std::uint64_t>* record_col = flavor == Flavor::Shard ? &t.add<std::uint64_t>("record") : nullptr;
    auto& unit = t.add<std::uint64_t>("unit");
    auto& split = t.add_string("split", width(flavor, kSplitBytes));
    auto& true_class = t.add<std::int32_t>("true_class");
    auto& predicted = t.add<std::int32_t>("predicted");
    auto& count = t.add<std::int64_t>("count");
    std::uint64_t record = first_record;
    for (const UnitResult& u : units) {
        for (const auto& [name, cells] : {std::pair{kValSplit, &u.val_confusion}, {kTestSplit, &u.test_confusion}})
            for (const ConfusionCell& c : *cells) {
                if (record_col) record_col->push_back(record);
                unit.push_back(u.unit);
                split.emplace_back(name);
                true_class.push_back(c.true_class);
                predicted.push_back(c.predicted);
                count.push_back(c.count);
            }
        ++record;
    }
}

// Refused here, before a shard writes any row of the unit.
void check_shard_widths(const h5::Table& folds) {
    for (const h5::Column& col : folds.columns())
        if (const auto* v = std::get_if<std::vector<std::string>>(&col.data); v && col.string_size)
            for (const std::string& s : *v)
                if (s.size() > col.string_size)
                    throw ResultsError("field '" + col.name + "': '" + s + "' is longer than the shard's " +
                                       std::to_string(col.string_size) + " bytes");
}

// The units of the complete `folds` rows, and which unit each row became.
struct FoldRows {
    std::vector<UnitResult> units;
    std::vector<std::optional<std::size_t>> kept;  // per folds row: its position in `units`, if complete
};

FoldRows read_fold_rows(const h5::Table& folds) {
    const std::size_t n = folds.rows();
    const auto& status = folds.get<std::string>("status");
    FoldRows f;
    f.kept.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
        if (status[r].empty()) continue;
        f.kept[r] = f.units.size();
        f.units.emplace_back();
    }
    std::vector<std::pair<std::size_t, UnitResult*>> rows;
    for (std::size_t r = 0; r < n; ++r)
        if (f.kept[r]) rows.emplace_back(r, &f.units[*f.kept[r]]);
    read_fields(folds, fold_fields(), rows);
    return f;
}

// A row of curves/grad_norms/confusion -> its unit's position: by `record` in shards (the folds row
// it precedes), by `unit` in merged files (one record per unit there). Bound to one table, so its
// columns are looked up once, not per row (millions of rows at 100,000 configurations).
class RowOwner {
public:
    RowOwner(const FoldRows& f, const std::map<std::uint64_t, std::size_t>& by_unit, const h5::Table& t)
        : f_(f),
          by_unit_(by_unit),
          unit_(t.get<std::uint64_t>("unit")),
          record_(t.has("record") ? &t.get<std::uint64_t>("record") : nullptr) {}
    std::optional<std::size_t> operator()(std::size_t row) const {
        const std::uint64_t u = unit_[row];
        if (record_) {
            const std::uint64_t rec = (*record_)[row];
            if (rec >= f_.kept.size() || !f_.kept[rec] || f_.units[*f_.kept[rec]].unit != u) return std::nullopt;
            return f_.kept[rec];
        }
        const auto it = by_unit_.find(u);
        return it == by_unit_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    }

private:
    const FoldRows& f_;
    const std::map<std::uint64_t, std::size_t>& by_unit_;
    const std::vector<std::uint64_t>& unit_;
    const std::vector<std::uint64_t>* record_;
};

std::map<std::uint64_t, std::size_t> position_by_unit(const FoldRows& f) {
    std::map<std::uint64_t, std::size_t> by_unit;
    for (std::size_t i = 0; i < f.units.size(); ++i) by_unit.emplace(f.units[i].unit, i);
    return by_unit;
}

// Each unit's history from its `curves` and `grad_norms` rows (an empty table needs no columns).
void read_histories(FoldRows& f, const std::map<std::uint64_t, std::size_t>& by_unit, const h5::Table& curves,
                    const h5::Table& grad_norms) {
    // Per unit: epoch -> metrics, so rows in any order (and a duplicate epoch) rebuild one history.
    std::vector<std::map<int, EpochMetrics>> history(f.units.size());
    std::vector<std::pair<std::size_t, EpochMetrics*>> curve_rows;
    if (curves.rows() > 0) {
        const RowOwner owner(f, by_unit, curves);
        const auto& epochs = curves.get<std::int32_t>("epoch");
        for (std::size_t r = 0, rows = curves.rows(); r < rows; ++r) {
            const auto i = owner(r);
            if (!i || epochs[r] < 1) continue;
            curve_rows.emplace_back(r, &history[*i][epochs[r]]);  // a later duplicate row wins, as it is read last
        }
    }
    read_fields(curves, curve_fields(), curve_rows);
    if (grad_norms.rows() > 0) {
        const RowOwner owner(f, by_unit, grad_norms);
        const auto& epochs = grad_norms.get<std::int32_t>("epoch");
        const auto& layers = grad_norms.get<std::int32_t>("layer");
        const auto& norm = grad_norms.get<double>("norm");
        for (std::size_t r = 0, rows = grad_norms.rows(); r < rows; ++r) {
            const auto i = owner(r);
            if (!i || epochs[r] < 1 || layers[r] < 0) continue;
            const auto it = history[*i].find(epochs[r]);
            if (it == history[*i].end()) continue;  // a norm without its epoch's curve row
            std::vector<double>& norms = it->second.health.grad_norm;
            const auto layer = static_cast<std::size_t>(layers[r]);
            if (norms.size() <= layer) norms.resize(layer + 1, 0.0);
            norms[layer] = norm[r];
        }
    }
    for (std::size_t i = 0; i < f.units.size(); ++i)
        for (auto& [epoch, m] : history[i]) f.units[i].history.push_back(std::move(m));
}

// Shards: each unit's error message from its `errors` pieces, in order.
void read_errors(FoldRows& f, const h5::Table& errors) {
    for (std::size_t r = 0, rows = errors.rows(); r < rows; ++r) {
        const std::uint64_t rec = errors.get<std::uint64_t>("record")[r];
        if (rec < f.kept.size() && f.kept[rec]) f.units[*f.kept[rec]].error += errors.get<std::string>("text")[r];
    }
}

// Each unit's confusion cells from its `confusion` rows (rows of no kept unit, or of an unknown
// split, are skipped).
void read_confusion(FoldRows& f, const std::map<std::uint64_t, std::size_t>& by_unit, const h5::Table& confusion) {
    if (confusion.rows() == 0) return;
    const RowOwner owner(f, by_unit, confusion);
    const auto& split = confusion.get<std::string>("split");
    const auto& true_class = confusion.get<std::int32_t>("true_class");
    const auto& predicted = confusion.get<std::int32_t>("predicted");
    const auto& count = confusion.get<std::int64_t>("count");
    for (std::size_t r = 0, rows = confusion.rows(); r < rows; ++r) {
        const auto i = owner(r);
        if (!i) continue;
        UnitResult& u = f.units[*i];
        std::vector<ConfusionCell>* cells = split[r] == kValSplit    ? &u.val_confusion
                                            : split[r] == kTestSplit ? &u.test_confusion
                                                                     : nullptr;
        if (cells) cells->push_back({true_class[r], predicted[r], count[r]});
    }
}

}  // namespace

UnitTables unit_tables(std::span<const UnitResult> units, Flavor flavor, std::uint64_t first_record) {
    UnitTables t;
    add_fold_rows(t.folds, units, flavor);
    add_epoch_rows(t, units, flavor, first_record);
    add_confusion_rows(t.confusion, units, flavor, first_record);
    if (flavor == Flavor::Shard) {
        add_error_rows(t.errors, units, first_record);
        check_shard_widths(t.folds);
    }
    return t;
}

std::vector<UnitResult> units_from_tables(const h5::Table& folds, const h5::Table& curves, const h5::Table& grad_norms,
                                          const h5::Table* errors, const h5::Table* confusion) {
    FoldRows f = read_fold_rows(folds);
    const std::map<std::uint64_t, std::size_t> by_unit = position_by_unit(f);
    read_histories(f, by_unit, curves, grad_norms);
    if (errors) read_errors(f, *errors);
    if (confusion) read_confusion(f, by_unit, *confusion);
    return std::move(f.units);
}

}  // namespace dnnsweep::detail
