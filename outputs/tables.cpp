#include "outputs/tables.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace dnnsweep::detail {
namespace {

// Fixed string widths in shards. Ids are 16 hex digits (+ "/fold"); HOST_NAME_MAX is 64 on Linux
// and a fully qualified name is at most 255 bytes.
constexpr std::size_t kIdBytes = 64, kConfigIdBytes = 32, kStatusBytes = 16, kHostBytes = 256;
constexpr std::size_t kErrorPieceBytes = 256;

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

}  // namespace

UnitTables unit_tables(std::span<const UnitResult> units, Flavor flavor, std::uint64_t first_record) {
    using h5::Table;
    UnitTables t;
    const bool shard = flavor == Flavor::Shard;

    Table& f = t.folds;
    auto& unit = f.add<std::uint64_t>("unit");
    auto& config = f.add<std::uint64_t>("config");
    auto& fold = f.add<std::int32_t>("fold");
    auto& unit_id = f.add_string("unit_id", width(flavor, kIdBytes));
    auto& config_id = f.add_string("config_id", width(flavor, kConfigIdBytes));
    auto& status = f.add_string("status", width(flavor, kStatusBytes));
    std::vector<std::string>* error = shard ? nullptr : &f.add_string("error");
    auto& train_acc = f.add<double>("train_acc", "fraction");
    auto& train_loss = f.add<double>("train_loss");
    auto& val_acc = f.add<double>("val_acc", "fraction");
    auto& val_loss = f.add<double>("val_loss");
    auto& test_acc = f.add<double>("test_acc", "fraction");
    auto& test_loss = f.add<double>("test_loss");
    auto& epochs = f.add<std::int32_t>("epochs");
    auto& best_epoch = f.add<std::int32_t>("best_epoch");
    auto& diverged_epoch = f.add<std::int32_t>("diverged_epoch");
    auto& steps = f.add<std::int64_t>("steps");
    auto& seconds = f.add<double>("seconds", "s");
    auto& rank = f.add<std::int32_t>("rank");
    auto& host = f.add_string("host", width(flavor, kHostBytes));
    auto& finished_at = f.add<double>("finished_at", "unix seconds");

    Table& c = t.curves;
    std::vector<std::uint64_t>* c_record = shard ? &c.add<std::uint64_t>("record") : nullptr;
    auto& c_unit = c.add<std::uint64_t>("unit");
    auto& c_epoch = c.add<std::int32_t>("epoch");
    auto& c_train_loss = c.add<double>("train_loss");
    auto& c_train_acc = c.add<double>("train_acc", "fraction");
    auto& c_val_loss = c.add<double>("val_loss");
    auto& c_val_acc = c.add<double>("val_acc", "fraction");
    auto& c_seconds = c.add<double>("seconds", "s");
    auto& c_dead = c.add<double>("dead_relu", "fraction");
    auto& c_saturated = c.add<double>("saturated", "fraction");
    auto& c_max_abs = c.add<double>("max_abs_input");

    Table& g = t.grad_norms;
    std::vector<std::uint64_t>* g_record = shard ? &g.add<std::uint64_t>("record") : nullptr;
    auto& g_unit = g.add<std::uint64_t>("unit");
    auto& g_epoch = g.add<std::int32_t>("epoch");
    auto& g_layer = g.add<std::int32_t>("layer");
    auto& g_norm = g.add<double>("norm");

    std::vector<std::uint64_t>* e_record = shard ? &t.errors.add<std::uint64_t>("record") : nullptr;
    std::vector<std::string>* e_text = shard ? &t.errors.add_string("text", kErrorPieceBytes) : nullptr;

    std::uint64_t record = first_record;
    for (const UnitResult& u : units) {
        unit.push_back(u.unit);
        config.push_back(u.config);
        fold.push_back(u.fold);
        unit_id.push_back(u.unit_id);
        config_id.push_back(u.config_id);
        status.push_back(std::string(name(u.status)));
        if (error) error->push_back(u.error);
        train_acc.push_back(u.train_acc);
        train_loss.push_back(u.train_loss);
        val_acc.push_back(u.val_acc);
        val_loss.push_back(u.val_loss);
        test_acc.push_back(u.test_acc);
        test_loss.push_back(u.test_loss);
        epochs.push_back(u.epochs);
        best_epoch.push_back(u.best_epoch);
        diverged_epoch.push_back(u.diverged_epoch);
        steps.push_back(u.steps);
        seconds.push_back(u.seconds);
        rank.push_back(u.rank);
        host.push_back(u.host);
        finished_at.push_back(u.finished_at);
        for (const EpochMetrics& m : u.history) {
            if (c_record) c_record->push_back(record);
            c_unit.push_back(u.unit);
            c_epoch.push_back(m.epoch);
            c_train_loss.push_back(m.train_loss);
            c_train_acc.push_back(m.train_acc);
            c_val_loss.push_back(m.val_loss);
            c_val_acc.push_back(m.val_acc);
            c_seconds.push_back(m.seconds);
            c_dead.push_back(m.health.dead_relu);
            c_saturated.push_back(m.health.saturated);
            c_max_abs.push_back(m.health.max_abs_input);
            for (std::size_t l = 0; l < m.health.grad_norm.size(); ++l) {
                if (g_record) g_record->push_back(record);
                g_unit.push_back(u.unit);
                g_epoch.push_back(m.epoch);
                g_layer.push_back(static_cast<std::int32_t>(l));
                g_norm.push_back(m.health.grad_norm[l]);
            }
        }
        if (e_text)
            for (std::string& piece : utf8_pieces(u.error, kErrorPieceBytes)) {
                e_record->push_back(record);
                e_text->push_back(std::move(piece));
            }
        ++record;
    }
    if (shard)  // refused here, before a shard writes any row of the unit
        for (const h5::Column& col : t.folds.columns())
            if (const auto* v = std::get_if<std::vector<std::string>>(&col.data); v && col.string_size)
                for (const std::string& s : *v)
                    if (s.size() > col.string_size)
                        throw ResultsError("field '" + col.name + "': '" + s + "' is longer than the shard's " +
                                           std::to_string(col.string_size) + " bytes");
    return t;
}

std::vector<UnitResult> units_from_tables(const h5::Table& folds, const h5::Table& curves, const h5::Table& grad_norms,
                                          const h5::Table* errors) {
    const std::size_t n = folds.rows();
    const auto& unit = folds.get<std::uint64_t>("unit");
    const auto& status = folds.get<std::string>("status");
    const bool has_error = folds.has("error");

    // Folds row -> position in `out`, for the complete rows only.
    std::vector<std::optional<std::size_t>> kept(n);
    std::vector<UnitResult> out;
    for (std::size_t r = 0; r < n; ++r) {
        if (status[r].empty()) continue;
        kept[r] = out.size();
        UnitResult u;
        u.unit = unit[r];
        u.config = folds.get<std::uint64_t>("config")[r];
        u.fold = folds.get<std::int32_t>("fold")[r];
        u.unit_id = folds.get<std::string>("unit_id")[r];
        u.config_id = folds.get<std::string>("config_id")[r];
        // A status this version does not know (a newer dnnsweep's) ranks as failed (outputs/unit_status.hpp).
        u.status = parse_unit_status(status[r]).value_or(UnitStatus::Failed);
        if (has_error) u.error = folds.get<std::string>("error")[r];
        u.train_acc = folds.get<double>("train_acc")[r];
        u.train_loss = folds.get<double>("train_loss")[r];
        u.val_acc = folds.get<double>("val_acc")[r];
        u.val_loss = folds.get<double>("val_loss")[r];
        u.test_acc = folds.get<double>("test_acc")[r];
        u.test_loss = folds.get<double>("test_loss")[r];
        u.epochs = folds.get<std::int32_t>("epochs")[r];
        u.best_epoch = folds.get<std::int32_t>("best_epoch")[r];
        u.diverged_epoch = folds.get<std::int32_t>("diverged_epoch")[r];
        u.steps = folds.get<std::int64_t>("steps")[r];
        u.seconds = folds.get<double>("seconds")[r];
        u.rank = folds.get<std::int32_t>("rank")[r];
        u.host = folds.get<std::string>("host")[r];
        u.finished_at = folds.get<double>("finished_at")[r];
        out.push_back(std::move(u));
    }

    // A row of curves/grad_norms/errors -> its unit's position: by `record` in shards (the folds row
    // it precedes), by `unit` in merged files (one record per unit there).
    std::map<std::uint64_t, std::size_t> by_unit;
    for (std::size_t i = 0; i < out.size(); ++i) by_unit.emplace(out[i].unit, i);
    const auto owner = [&](const h5::Table& t, std::size_t row) -> std::optional<std::size_t> {
        const std::uint64_t u = t.get<std::uint64_t>("unit")[row];
        if (t.has("record")) {
            const std::uint64_t rec = t.get<std::uint64_t>("record")[row];
            if (rec >= n || !kept[rec] || out[*kept[rec]].unit != u) return std::nullopt;
            return kept[rec];
        }
        const auto it = by_unit.find(u);
        return it == by_unit.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    };

    // Per unit: epoch -> metrics, so rows in any order (and a duplicate epoch) rebuild one history.
    std::vector<std::map<int, EpochMetrics>> history(out.size());
    for (std::size_t r = 0, rows = curves.rows(); r < rows; ++r) {
        const int epoch = curves.get<std::int32_t>("epoch")[r];
        const auto i = owner(curves, r);
        if (!i || epoch < 1) continue;
        EpochMetrics& m = history[*i][epoch];
        m.epoch = epoch;
        m.train_loss = curves.get<double>("train_loss")[r];
        m.train_acc = curves.get<double>("train_acc")[r];
        m.val_loss = curves.get<double>("val_loss")[r];
        m.val_acc = curves.get<double>("val_acc")[r];
        m.seconds = curves.get<double>("seconds")[r];
        m.health.dead_relu = curves.get<double>("dead_relu")[r];
        m.health.saturated = curves.get<double>("saturated")[r];
        m.health.max_abs_input = curves.get<double>("max_abs_input")[r];
    }
    for (std::size_t r = 0, rows = grad_norms.rows(); r < rows; ++r) {
        const int epoch = grad_norms.get<std::int32_t>("epoch")[r];
        const int layer = grad_norms.get<std::int32_t>("layer")[r];
        const auto i = owner(grad_norms, r);
        if (!i || epoch < 1 || layer < 0) continue;
        const auto it = history[*i].find(epoch);
        if (it == history[*i].end()) continue;  // a norm without its epoch's curve row
        std::vector<double>& norms = it->second.health.grad_norm;
        if (norms.size() <= static_cast<std::size_t>(layer)) norms.resize(static_cast<std::size_t>(layer) + 1, 0.0);
        norms[static_cast<std::size_t>(layer)] = grad_norms.get<double>("norm")[r];
    }
    for (std::size_t i = 0; i < out.size(); ++i)
        for (auto& [epoch, m] : history[i]) out[i].history.push_back(std::move(m));

    if (errors)
        for (std::size_t r = 0, rows = errors->rows(); r < rows; ++r) {
            const std::uint64_t rec = errors->get<std::uint64_t>("record")[r];
            if (rec < n && kept[rec]) out[*kept[rec]].error += errors->get<std::string>("text")[r];
        }
    return out;
}

}  // namespace dnnsweep::detail
