// Repairs are configurations of the study (leaderboard, diagnosis, findings) but not points of the
// grid the user designed: which settings matter is computed without them.
#include "outputs/spec_grid_configs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "outputs/importance.hpp"
#include "outputs/setting_levels.hpp"

namespace dnnsweep {
namespace {

ConfigSummary config(std::uint64_t index, int layers, int width, double dropout, double val_acc) {
    ConfigSummary c;
    c.config = index;
    c.settings.layers = layers;
    c.settings.width = width;
    c.settings.dropout = dropout;
    c.mean_val_acc = val_acc;
    c.folds_done = 1;
    return c;
}

bool has_term(const Importance& imp, const std::string& option) {
    return std::ranges::any_of(imp.terms, [&](const ImportanceTerm& t) { return t.a == option || t.b == option; });
}

TEST(SpecGridConfigs, ImportanceDescribesTheGridWithoutItsRepairs) {
    // A full 2 x 2 grid, then a repair of configuration 3 (dropout added) trained after it.
    std::vector<ConfigSummary> configs{config(0, 1, 8, 0.0, 0.90), config(1, 1, 16, 0.0, 0.92),
                                       config(2, 2, 8, 0.0, 0.80), config(3, 2, 16, 0.0, 0.70),
                                       config(4, 2, 16, 0.5, 0.95)};
    configs[4].repair_of = "parent";
    const SpecGridConfigs designed(configs, 4);
    ASSERT_EQ(designed.get().size(), 4u);
    const Importance grid = importance(designed.get(), setting_levels(designed.get()));
    EXPECT_TRUE(grid.exact);
    EXPECT_FALSE(has_term(grid, "dropout"));
    EXPECT_EQ(grid.configs_used, 4u);
    // Counted as a grid point, the repair adds a level with one configuration behind it and the
    // decomposition of the full grid is no longer exact.
    const Importance all = importance(configs, setting_levels(configs));
    EXPECT_FALSE(all.exact);
    EXPECT_TRUE(has_term(all, "dropout"));
}

TEST(SpecGridConfigs, WithoutRepairsOrASizeEveryConfigurationCounts) {
    const std::vector<ConfigSummary> configs{config(0, 1, 8, 0.0, 0.9), config(1, 2, 8, 0.0, 0.8)};
    EXPECT_EQ(&SpecGridConfigs(configs, 2).get(), &configs);  // no copy
    std::vector<ConfigSummary> with_repair = configs;
    with_repair.push_back(config(2, 2, 8, 0.5, 0.95));
    EXPECT_EQ(SpecGridConfigs(with_repair, 0).get().size(), 3u);
    EXPECT_EQ(SpecGridConfigs(with_repair, 2).get().size(), 2u);
}

}  // namespace
}  // namespace dnnsweep
