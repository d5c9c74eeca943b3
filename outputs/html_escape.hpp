#pragma once
// Text placed in the report's HTML page: the characters HTML gives a meaning escaped.
#include <string>
#include <string_view>

namespace dnnsweep {

// & < > and " as entities (safe in element text and in double-quoted attributes).
std::string html_escape(std::string_view s);

}  // namespace dnnsweep
