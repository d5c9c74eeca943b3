#pragma once
// The JSON documents dnnsweep writes (report --format json, train --json, the plot plan), through
// nlohmann/json. Keys stay in the order they are added (ordered_json), so a document reads in the
// same order as its text counterpart.
#include <ostream>

#include <nlohmann/json.hpp>

#include "sweeps/config_options.hpp"

namespace dnnsweep {

using Json = nlohmann::ordered_json;

// A float as the double of its shortest decimal form, so 0.01f is written 0.01 and not
// 0.009999999776482582 (the float's exact value, which nobody typed).
double json_float(float f);

// One option value: a number, a boolean or a string, as its type says.
Json json_value(const OptionValue& v);

// `doc` compact on one line, then a newline. NaN and infinities become null (JSON has neither);
// bytes that are not valid UTF-8 (file names need not be) become U+FFFD, so the output is valid
// JSON whatever the input.
void write_json(std::ostream& out, const Json& doc);

}  // namespace dnnsweep
