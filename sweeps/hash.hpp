#pragma once
// A stable 64-bit hash for ids that name results on disk: FNV-1a 64, the same on every compiler,
// standard library, machine and run (std::hash promises none of that).
#include <cstdint>
#include <string>
#include <string_view>

namespace dnnsweep {

inline constexpr std::uint64_t kFnv1a64Offset = 0xcbf29ce484222325ULL;

// FNV-1a 64 of `bytes`; pass a previous result as `h` to hash a sequence in pieces.
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = kFnv1a64Offset);

// 16 lowercase hex digits, zero-padded.
std::string hex16(std::uint64_t v);

}  // namespace dnnsweep
