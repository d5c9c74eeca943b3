#pragma once
// One table per enum of the domain (a unit's status, a verdict, a cause, an activation): each value
// with the name the files and the output spell it and a one-line description. The enum's name()
// and parse_*() read that table, so a value's spelling lives in one place.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace dnnsweep {

template <typename E>
struct EnumEntry {
    E value;
    std::string_view name;         // as written to HDF5, JSON and text: never change a released one
    std::string_view description;  // one line, for help texts and docs
};

// Whether row i holds the enumerator of value i: name_in() indexes by value, and a value added
// to the enum without its row (or out of order) fails the static_assert beside the table. Any
// table whose rows have a `value` (an EnumEntry, or a richer row such as ActivationInfo).
template <typename Row, std::size_t N>
constexpr bool covers_in_order(const std::array<Row, N>& table) {
    for (std::size_t i = 0; i < N; ++i)
        if (static_cast<std::size_t>(table[i].value) != i) return false;
    return true;
}

template <typename E, std::size_t N>
constexpr const EnumEntry<E>& entry_in(const std::array<EnumEntry<E>, N>& table, E e) {
    return table[static_cast<std::size_t>(e)];
}

template <typename E, std::size_t N>
constexpr std::string_view name_in(const std::array<EnumEntry<E>, N>& table, E e) {
    return entry_in(table, e).name;
}

// The value spelled `s`, or nullopt: the caller says what an unknown name means where it reads it.
template <typename E, std::size_t N>
constexpr std::optional<E> parse_in(const std::array<EnumEntry<E>, N>& table, std::string_view s) {
    for (const EnumEntry<E>& e : table)
        if (e.name == s) return e.value;
    return std::nullopt;
}

}  // namespace dnnsweep
