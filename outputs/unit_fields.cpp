#include "outputs/unit_fields.hpp"

#include <array>

#include "engine/history_figures.hpp"
#include "engine/unit_status.hpp"

namespace dnnsweep::detail {
namespace {

template <class MemberPointer>
struct MemberOf;
template <class Record, class Value>
struct MemberOf<Value Record::*> {
    using record = Record;
    using value = Value;
};

// The column of type T that holds the data member M as is (converted to T and back).
template <class T, auto M>
constexpr auto member() {
    using Record = typename MemberOf<decltype(M)>::record;
    using Value = typename MemberOf<decltype(M)>::value;
    return Access<Record, T>{[](const Record& r) { return static_cast<T>(r.*M); },
                             [](Record& r, const T& v) { r.*M = static_cast<Value>(v); }};
}

// An epoch's health figure (engine/trainer.hpp Health) as a float64 column.
template <double Health::*M>
constexpr Access<EpochMetrics, double> health() {
    return {[](const EpochMetrics& m) { return m.health.*M; },
            [](EpochMetrics& m, const double& v) { m.health.*M = v; }};
}

// A figure of the unit's whole history (engine/history_figures.hpp): the diagnosis's evidence,
// recorded per fold; computed from the curves when written, and not read back (the curves are).
template <class T, T HistoryFigures::*M>
constexpr Access<UnitResult, T> history_figure() {
    return {[](const UnitResult& r) { return read_history(r.history).*M; }, nullptr};
}

// A figure of how the unit's validation and test inputs lie from its training inputs
// (engine/input_shift.hpp): measured from the data when the unit ran, so read back like a member.
template <double InputShift::*M>
constexpr Access<UnitResult, double> shift_figure() {
    return {[](const UnitResult& r) { return r.input_shift.*M; },
            [](UnitResult& r, const double& v) { r.input_shift.*M = v; }};
}

// The unit's status as its name. A name this version does not know (a newer dnnsweep's) reads as
// failed, which ranks it as outputs/unit_status.hpp documents.
constexpr Access<UnitResult, std::string> status_name() {
    return {[](const UnitResult& r) { return std::string(name(r.status)); },
            [](UnitResult& r, const std::string& v) { r.status = parse_unit_status(v).value_or(UnitStatus::Failed); }};
}

// Fixed string widths in shards. Ids are 16 hex digits (+ "/fold"); HOST_NAME_MAX is 64 on Linux
// and a fully qualified name is at most 255 bytes.
constexpr std::size_t kIdBytes = 64, kConfigIdBytes = 32, kStatusBytes = 16, kHostBytes = 256;

using U = UnitResult;
const std::array<Field<U>, 34> kFoldFields{{
    {"unit", member<std::uint64_t, &U::unit>()},
    {"config", member<std::uint64_t, &U::config>()},
    {"fold", member<std::int32_t, &U::fold>()},
    {"unit_id", member<std::string, &U::unit_id>(), {}, kIdBytes},
    {"config_id", member<std::string, &U::config_id>(), {}, kConfigIdBytes},
    {"status", status_name(), {}, kStatusBytes},
    {"error", member<std::string, &U::error>(), {}, 0, true},
    {"train_acc", member<double, &U::train_acc>(), "fraction"},
    {"train_loss", member<double, &U::train_loss>()},
    {"val_acc", member<double, &U::val_acc>(), "fraction"},
    {"val_loss", member<double, &U::val_loss>()},
    {"test_acc", member<double, &U::test_acc>(), "fraction"},
    {"test_loss", member<double, &U::test_loss>()},
    {"epochs", member<std::int32_t, &U::epochs>()},
    {"best_epoch", member<std::int32_t, &U::best_epoch>()},
    {"diverged_epoch", member<std::int32_t, &U::diverged_epoch>()},
    {"steps", member<std::int64_t, &U::steps>()},
    {"seconds", member<double, &U::seconds>(), "s"},
    {"rank", member<std::int32_t, &U::rank>()},
    {"host", member<std::string, &U::host>(), {}, kHostBytes},
    {"finished_at", member<double, &U::finished_at>(), "unix seconds"},
    {"loss_drop", history_figure<double, &HistoryFigures::loss_drop>(), "fraction"},
    {"early_dead_relu", history_figure<double, &HistoryFigures::early_dead_relu>(), "fraction"},
    {"loss_spike", history_figure<double, &HistoryFigures::loss_spike>(), "fraction"},
    {"spike_epoch", history_figure<int, &HistoryFigures::spike_epoch>()},
    {"lowest_loss_epoch", history_figure<int, &HistoryFigures::lowest_loss_epoch>()},
    {"grad_growth", history_figure<double, &HistoryFigures::grad_growth>()},
    {"val_slope", history_figure<double, &HistoryFigures::val_slope>(), "fraction per epoch"},
    {"val_spread_ratio", shift_figure<&InputShift::val_spread_ratio>(), {}, 0, false, true},
    {"val_mean_shift", shift_figure<&InputShift::val_mean_shift>(), "training std", 0, false, true},
    {"test_spread_ratio", shift_figure<&InputShift::test_spread_ratio>(), {}, 0, false, true},
    {"test_mean_shift", shift_figure<&InputShift::test_mean_shift>(), "training std", 0, false, true},
    {"memory_mb", member<double, &U::memory_mb>(), "MiB", 0, false, true},
    {"noisy_train_acc", member<double, &U::noisy_train_acc>(), "fraction", 0, false, true},
}};

using E = EpochMetrics;
const std::array<Field<E>, 9> kCurveFields{{
    {"epoch", member<std::int32_t, &E::epoch>()},
    {"train_loss", member<double, &E::train_loss>()},
    {"train_acc", member<double, &E::train_acc>(), "fraction"},
    {"val_loss", member<double, &E::val_loss>()},
    {"val_acc", member<double, &E::val_acc>(), "fraction"},
    {"seconds", member<double, &E::seconds>(), "s"},
    {"dead_relu", health<&Health::dead_relu>(), "fraction"},
    {"saturated", health<&Health::saturated>(), "fraction"},
    {"max_abs_input", health<&Health::max_abs_input>()},
}};

}  // namespace

std::span<const Field<UnitResult>> fold_fields() { return kFoldFields; }
std::span<const Field<EpochMetrics>> curve_fields() { return kCurveFields; }

}  // namespace dnnsweep::detail
