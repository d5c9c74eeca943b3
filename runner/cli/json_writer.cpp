#include "runner/cli/json_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace dnnsweep {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is not one (overlongs,
// surrogates and code points above U+10FFFF included, per RFC 3629).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return len;
}

}  // namespace

std::string json_quote(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (c < 0x20) {
                        out += "\\u00";
                        out += kHex[c >> 4];
                        out += kHex[c & 0xF];
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
        } else if (const std::size_t len = utf8_sequence_length(s, i); len > 0) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            ++i;
        }
    }
    out += '"';
    return out;
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_ << '{';
    stack_.push_back({Scope::Object});
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    if (stack_.empty() || stack_.back().scope != Scope::Object || stack_.back().key_pending)
        throw std::logic_error("JsonWriter: end_object without a matching begin_object, or after a key");
    stack_.pop_back();
    out_ << '}';
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_ << '[';
    stack_.push_back({Scope::Array});
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    if (stack_.empty() || stack_.back().scope != Scope::Array)
        throw std::logic_error("JsonWriter: end_array without a matching begin_array");
    stack_.pop_back();
    out_ << ']';
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    if (stack_.empty() || stack_.back().scope != Scope::Object || stack_.back().key_pending)
        throw std::logic_error("JsonWriter: key outside an object, or two keys in a row");
    Level& level = stack_.back();
    if (level.has_items) out_ << ',';
    out_ << json_quote(k) << ':';
    level.has_items = true;
    level.key_pending = true;
    return *this;
}

void JsonWriter::before_value() {
    if (stack_.empty()) {
        if (wrote_root_) throw std::logic_error("JsonWriter: a second top-level value");
        wrote_root_ = true;
        return;
    }
    Level& level = stack_.back();
    if (level.scope == Scope::Object) {
        if (!level.key_pending) throw std::logic_error("JsonWriter: a value in an object without a key");
        level.key_pending = false;
    } else {
        if (level.has_items) out_ << ',';
        level.has_items = true;
    }
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    out_ << json_quote(s);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    out_ << (b ? "true" : "false");
    return *this;
}

JsonWriter& JsonWriter::value(std::nullptr_t) {
    before_value();
    out_ << "null";
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    before_value();
    if (!std::isfinite(d)) {
        out_ << "null";  // JSON has no NaN or Infinity
        return *this;
    }
    std::array<char, 32> buf{};
    // Shortest representation that parses back to the same double; always valid JSON number syntax
    // ("1e-05", "0.1", "3"), as to_chars never writes a leading '+' or a bare '.'.
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), d);
    out_.write(buf.data(), res.ptr - buf.data());
    return *this;
}

JsonWriter& JsonWriter::value(float f) {
    before_value();
    if (!std::isfinite(f)) {
        out_ << "null";
        return *this;
    }
    std::array<char, 32> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), f);
    out_.write(buf.data(), res.ptr - buf.data());
    return *this;
}

void JsonWriter::write_integer(std::int64_t v) {
    std::array<char, 24> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out_.write(buf.data(), res.ptr - buf.data());
}

void JsonWriter::write_integer(std::uint64_t v) {
    std::array<char, 24> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out_.write(buf.data(), res.ptr - buf.data());
}

}  // namespace dnnsweep
