#pragma once
// A small streaming JSON emitter for the runner's machine-readable output. It writes compact JSON,
// places the commas itself, and throws std::logic_error when calls would produce invalid JSON
// (a value where a key is due, unbalanced ends), so a caller's mistake cannot reach a consumer.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace dnnsweep {

class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out) : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(std::nullptr_t);
    JsonWriter& value(double d);  // shortest round-trip form; NaN and infinities become null
    JsonWriter& value(float f);   // shortest form of the float itself (0.01f -> 0.01)
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    JsonWriter& value(T v) {
        before_value();
        if constexpr (std::is_signed_v<T>)
            write_integer(static_cast<std::int64_t>(v));
        else
            write_integer(static_cast<std::uint64_t>(v));
        return *this;
    }

    // Shorthands for `key(k).value(v)`.
    template <typename T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    // True once exactly one top-level value has been written completely.
    bool complete() const { return stack_.empty() && wrote_root_; }

private:
    enum class Scope { Object, Array };
    struct Level {
        Scope scope;
        bool has_items = false;
        bool key_pending = false;  // objects: a key was written, its value is due
    };

    void before_value();
    void write_integer(std::int64_t v);
    void write_integer(std::uint64_t v);
    void write_string(std::string_view s);

    std::ostream& out_;
    std::vector<Level> stack_;
    bool wrote_root_ = false;
};

// `s` as a JSON string literal, quotes included. Bytes that are not valid UTF-8 become U+FFFD, so
// the result is valid JSON whatever the input (file names, for instance, need not be UTF-8).
std::string json_quote(std::string_view s);

}  // namespace dnnsweep
