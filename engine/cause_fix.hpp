#pragma once
// The one-key change that answers a cause (or a verdict that has none): what the reason line
// advises and what a repair trains. A fix never proposes a value the configuration already has:
// each cause has a list of changes, tried in order, and the first that changes something is the
// fix (docs/diagnosis.md, "Fixes and repairs").
#include <string>

#include "engine/cause.hpp"
#include "engine/config.hpp"

namespace dnnsweep {

struct Fix {
    std::string key;       // the spec key it changes ("learning-rate"); empty: no one-key fix
    std::string from, to;  // the key's values as spec text
    std::string advice;    // words for the reason line ("lower the learning rate")
    TrainConfig repaired;  // the configuration with the change applied (unchanged without a fix)

    bool applies() const { return !key.empty(); }
    // "lower the learning rate (learning-rate 1 -> 0.1)", or the advice alone without a key.
    std::string text() const;
    // "learning-rate 1 -> 0.1" (empty without a key).
    std::string change() const;
};

Fix fix_for(Cause cause, const TrainConfig& config);
// Overfitting: dropout, then weight decay, then early stopping; none left: more data (no key).
Fix fix_for_overfitting(const TrainConfig& config);
// Underfitting without a cause: an adaptive optimizer, then a wider network.
Fix fix_for_underfitting(const TrainConfig& config);

}  // namespace dnnsweep
