#include "outputs/diagnosis_groups.hpp"

#include <algorithm>
#include <map>

#include "engine/cause.hpp"

namespace dnnsweep {
namespace {

constexpr int kMaxRules = 3, kMaxConditions = 3;
constexpr double kMinShare = 0.05;  // a rule takes at least this share of its verdict (and two configurations)

struct Condition {
    std::size_t setting = 0;
    enum class Kind { Equal, AtMost, AtLeast } kind = Kind::Equal;
    int level = 0;
    bool matches(const std::vector<SettingLevels>& levels, std::size_t c) const {
        const int l = levels[setting].level[c];
        return kind == Kind::Equal ? l == level : kind == Kind::AtMost ? l <= level : l >= level;
    }
    std::string text(const std::vector<SettingLevels>& levels) const {
        const SettingLevels& s = levels[setting];
        const char* op = kind == Kind::Equal ? " = " : kind == Kind::AtMost ? " <= " : " >= ";
        return s.option + op + s.values[static_cast<std::size_t>(level)];
    }
};

// Weighted relative accuracy of a subgroup of `m` configurations, `p` of them positive, in a
// population of `n` with `positives` positive.
double wracc(double p, double m, double n, double positives) { return p / n - (m / n) * (positives / n); }

struct Candidate {
    Condition cond;
    double score = 0.0;
};

// The best condition to add to a rule whose matches are `match` (a mask over configurations).
std::optional<Candidate> best_condition(const std::vector<SettingLevels>& levels, const std::vector<char>& match,
                                        const std::vector<char>& positive, const std::vector<bool>& used, double n,
                                        double positives) {
    std::optional<Candidate> best;
    std::size_t matched = 0;
    for (const char m : match) matched += m != 0;
    for (std::size_t s = 0; s < levels.size(); ++s) {
        if (used[s]) continue;
        const std::size_t count = levels[s].values.size();
        std::vector<double> m(count, 0.0), p(count, 0.0);
        for (std::size_t c = 0; c < match.size(); ++c) {
            if (!match[c]) continue;
            const auto l = static_cast<std::size_t>(levels[s].level[c]);
            m[l] += 1.0;
            p[l] += positive[c] != 0 ? 1.0 : 0.0;
        }
        const auto consider = [&](Condition cond, double mm, double pp) {
            if (mm <= 0.0 || mm >= static_cast<double>(matched)) return;  // takes nothing, or adds nothing
            const double score = wracc(pp, mm, n, positives);
            if (!best || score > best->score) best = Candidate{cond, score};
        };
        for (std::size_t l = 0; l < count; ++l) consider({s, Condition::Kind::Equal, static_cast<int>(l)}, m[l], p[l]);
        if (!levels[s].numeric || count < 3) continue;
        double mm = m[0], pp = p[0];
        for (std::size_t l = 1; l + 1 < count; ++l) {  // <= the first level is "= the first level"
            mm += m[l];
            pp += p[l];
            consider({s, Condition::Kind::AtMost, static_cast<int>(l)}, mm, pp);
        }
        mm = m[count - 1];
        pp = p[count - 1];
        for (std::size_t l = count - 2; l >= 1; --l) {
            mm += m[l];
            pp += p[l];
            consider({s, Condition::Kind::AtLeast, static_cast<int>(l)}, mm, pp);
        }
    }
    return best;
}

}  // namespace

std::size_t DiagnosisGroup::size() const {
    std::size_t n = rest.size();
    for (const FailureRule& r : rules) n += r.members.size();
    return n;
}

std::vector<DiagnosisGroup> diagnosis_groups(const std::vector<ConfigSummary>& configs,
                                             const std::vector<SettingLevels>& levels,
                                             const std::vector<std::size_t>& order) {
    std::vector<DiagnosisGroup> groups;
    const std::size_t n = configs.size();
    for (const Verdict verdict : {Verdict::NotTraining, Verdict::Overfitting, Verdict::Failed}) {
        std::vector<char> positive(n, 0);
        std::size_t members = 0;
        std::map<std::string, int> causes;
        for (std::size_t c = 0; c < n; ++c) {
            if (configs[c].verdict != verdict) continue;
            positive[c] = 1;
            ++members;
            for (const Cause cause : configs[c].causes) ++causes[std::string(name(cause))];
        }
        if (members == 0) continue;
        DiagnosisGroup g;
        g.verdict = verdict;
        g.causes.assign(causes.begin(), causes.end());
        std::ranges::stable_sort(g.causes, std::ranges::greater{}, &std::pair<std::string, int>::second);

        std::vector<char> available(n, 1);  // not matched by an earlier rule
        for (int r = 0; r < kMaxRules; ++r) {
            double population = 0.0, pos = 0.0;
            for (std::size_t c = 0; c < n; ++c) {
                population += available[c];
                pos += available[c] && positive[c];
            }
            if (pos == 0.0) break;
            std::vector<char> match = available;
            std::vector<bool> used(levels.size(), false);
            std::vector<Condition> conds;
            double score = 0.0;  // of the whole population: no lift
            for (int k = 0; k < kMaxConditions; ++k) {
                const std::optional<Candidate> best = best_condition(levels, match, positive, used, population, pos);
                if (!best || best->score <= score + 1e-12) break;
                score = best->score;
                conds.push_back(best->cond);
                used[best->cond.setting] = true;
                for (std::size_t c = 0; c < n; ++c) match[c] = match[c] && best->cond.matches(levels, c);
            }
            FailureRule rule;
            for (const std::size_t c : order)
                if (match[c] && positive[c]) rule.members.push_back(c);
            const double taken = static_cast<double>(rule.members.size());
            if (conds.empty() || taken < 2.0 || taken < kMinShare * static_cast<double>(members)) break;
            for (const Condition& cond : conds) rule.text += (rule.text.empty() ? "" : " and ") + cond.text(levels);
            for (std::size_t c = 0; c < n; ++c)  // every configuration with these settings
                if (std::ranges::all_of(conds, [&](const Condition& x) { return x.matches(levels, c); })) {
                    ++rule.matching;
                    rule.matching_in_verdict += positive[c] != 0;
                }
            for (std::size_t c = 0; c < n; ++c)
                if (match[c]) available[c] = 0;
            g.rules.push_back(std::move(rule));
        }
        for (const std::size_t c : order)
            if (positive[c] && available[c]) g.rest.push_back(c);
        groups.push_back(std::move(g));
    }
    return groups;
}

Json diagnosis_groups_json(const std::vector<DiagnosisGroup>& groups, const std::vector<ConfigSummary>& configs) {
    const auto numbers = [&](const std::vector<std::size_t>& members) {
        Json a = Json::array();
        for (const std::size_t i : members) a.push_back(configs[i].config);
        return a;
    };
    Json out = Json::array();
    for (const DiagnosisGroup& g : groups) {
        Json causes = Json::object();
        for (const auto& [cause, n] : g.causes) causes[cause] = n;
        Json rules = Json::array();
        for (const FailureRule& r : g.rules)
            rules.push_back({{"rule", r.text},
                             {"configs", r.members.size()},
                             {"matching", r.matching},
                             {"matching_in_verdict", r.matching_in_verdict},
                             {"members", numbers(r.members)}});
        out.push_back({{"verdict", name(g.verdict)},
                       {"configs", g.size()},
                       {"causes", std::move(causes)},
                       {"rules", std::move(rules)},
                       {"rest", numbers(g.rest)}});
    }
    return out;
}

}  // namespace dnnsweep
