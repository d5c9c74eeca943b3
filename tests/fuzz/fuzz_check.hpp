#pragma once
// What every harness asserts beyond "no crash": a failed check prints why and aborts, which
// libFuzzer reports as a crash and saves the input as an artifact.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace dnnsweep::fuzz {

[[noreturn]] inline void fail(const char* what, std::string_view detail) {
    std::fprintf(stderr, "fuzz check failed: %s: [%.*s]\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {}) {
    if (!ok) fail(what, detail);
}

// User-facing errors are one line that names the input: the CLI prints them as "error: MESSAGE".
inline void check_message(std::string_view message, std::string_view name) {
    check(!message.empty(), "empty error message");
    check(message.find('\n') == std::string_view::npos, "error message spans lines", message);
    check(message.substr(0, name.size()) == name, "error message does not start with the input's name", message);
}

}  // namespace dnnsweep::fuzz
