#include "engine/prune_policy.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include "engine/config.hpp"

namespace dnnsweep {
namespace {

constexpr std::array<PrunePolicy, 3> kPolicies{{
    {.mode = PruneMode::None,
     .name = "none",
     .scheduler = SchedulerKind::EveryUnitOnce,
     .resumes_from_curves = false,
     .array_tasks = true,
     .one_job_because = {},
     .prunes_at_chance = false,
     .retrains_rungs = false},
    {.mode = PruneMode::Chance,
     .name = "chance",
     .scheduler = SchedulerKind::EveryUnitOnce,
     .resumes_from_curves = false,
     .array_tasks = true,
     .one_job_because = {},
     .prunes_at_chance = true,
     .retrains_rungs = false},
    {.mode = PruneMode::Halving,
     .name = "halving",
     .scheduler = SchedulerKind::SuccessiveHalving,
     .resumes_from_curves = true,
     .array_tasks = false,
     .one_job_because = "ranks every configuration against the others from one coordinator",
     .prunes_at_chance = false,
     .retrains_rungs = true},
}};

}  // namespace

const PrunePolicy& policy(PruneMode m) {
    for (const PrunePolicy& p : kPolicies)
        if (p.mode == m) return p;
    throw std::logic_error("prune mode " + std::to_string(static_cast<int>(m)) + " has no policy");
}

PruneMode parse_prune_mode(std::string_view s) {
    std::string names;  // "none, chance or halving"
    for (std::size_t i = 0; i < kPolicies.size(); ++i) {
        if (kPolicies[i].name == s) return kPolicies[i].mode;
        names += (i == 0 ? "" : i + 1 == kPolicies.size() ? " or " : ", ") + std::string(kPolicies[i].name);
    }
    throw ConfigError("must be " + names + ", got '" + std::string(s) + "'");
}

std::string_view name(PruneMode m) { return policy(m).name; }

std::string array_refusal(const PrunePolicy& p, const std::string& spec_path, std::string_view verb) {
    return spec_path + " has prune = " + std::string(p.name) + ", which " + std::string(p.one_job_because) + ": " +
           std::string(verb) + " it as one MPI job (or use prune = chance)";
}

}  // namespace dnnsweep
