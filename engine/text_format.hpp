#pragma once
// Numbers and durations as every command, report and message shows them to users: one spelling
// throughout. A figure that does not exist (NaN: no validation part, nothing trained) prints as
// "-", and zero never carries a sign ("-0.00" only puzzles the reader).
#include <cstdint>
#include <string>

namespace dnnsweep {

// `decimals` digits after the point: fixed(0.12345, 3) == "0.123".
std::string fixed(double v, int decimals);
// `digits` significant digits, an exponent only when needed (printf's %g): for figures that span
// orders of magnitude, such as seconds per fold or a learning rate.
std::string significant(double v, int digits);
// One digit before the point, `decimals` after, and an exponent: scientific(9.6e-8, 1) == "9.6e-08".
std::string scientific(double v, int decimals);
// The shortest text that reads back as exactly `v`: a value the user gave or a file holds, echoed
// in a message ("0.1", "1e-05", "nan": here NaN is what was given, not a missing figure).
std::string exact(double v);
// 1234567 -> "1,234,567".
std::string thousands(std::int64_t n);
// part / whole as a whole percentage: "42%"; "-" when whole is not positive.
std::string percent(std::int64_t part, std::int64_t whole);
// Whole seconds as hours, minutes and seconds: "45s", "2m05s", "1h30m00s" (hours do not roll
// over into days). Negative durations print as "0s".
std::string duration_text(double seconds);

}  // namespace dnnsweep
