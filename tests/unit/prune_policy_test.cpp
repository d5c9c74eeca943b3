#include "engine/prune_policy.hpp"

#include <gtest/gtest.h>

#include <string>

#include "engine/config.hpp"

namespace dnnsweep {
namespace {

constexpr PruneMode kModes[] = {PruneMode::None, PruneMode::Chance, PruneMode::Halving};

TEST(PrunePolicy, EveryModeHasItsRowAndItsNameParsesBack) {
    for (const PruneMode m : kModes) {
        EXPECT_EQ(policy(m).mode, m);
        EXPECT_EQ(parse_prune_mode(name(m)), m);
        // A mode that refuses array tasks says why; one that takes them has nothing to say.
        EXPECT_EQ(policy(m).array_tasks, policy(m).one_job_because.empty()) << name(m);
    }
}

TEST(PrunePolicy, AnUnknownNameListsTheKnownOnes) {
    try {
        parse_prune_mode("sometimes");
        FAIL() << "no ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "must be none, chance or halving, got 'sometimes'");
    }
}

}  // namespace
}  // namespace dnnsweep
