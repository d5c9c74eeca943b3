#include "engine/train_curves.hpp"

#include <string>

#include "engine/config.hpp"

namespace dnnsweep {

bool parse_train_curves(std::string_view s) {
    if (s == "running") return false;
    if (s == "exact") return true;
    throw ConfigError("expected running or exact, got '" + std::string(s) + "'");
}

std::string_view train_curves_name(bool exact_every_epoch) { return exact_every_epoch ? "exact" : "running"; }

}  // namespace dnnsweep
