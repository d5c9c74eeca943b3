#include "outputs/diagnosis_text.hpp"

#include <string>

#include "engine/text_format.hpp"
#include "outputs/diagnosis_groups.hpp"
#include "outputs/text_table.hpp"

namespace dnnsweep {
namespace {

struct Lines {
    const ReportSource& src;
    const std::vector<std::size_t>& rank_of;
    const std::vector<std::string>& names;
    std::size_t rank_width;

    // One line per configuration, at most `limit`; then how many more there are.
    void write(const std::vector<std::size_t>& members, std::size_t limit, std::ostream& out) const {
        const Results& r = src.results;
        for (std::size_t k = 0; k < members.size() && k < limit; ++k) {
            const ConfigSummary& c = r.configs[members[k]];
            std::string rank = "#" + std::to_string(rank_of[members[k]] + 1);
            rank.resize(std::max(rank.size() + 2, rank_width), ' ');
            std::string verdict(name(c.verdict));
            verdict.resize(14, ' ');
            out << "  " << rank << verdict << settings_text(c.settings, names) << ": " << c.reason << '\n';
        }
        if (members.size() > limit)
            out << "    ... " << thousands(static_cast<std::int64_t>(members.size() - limit))
                << " more (--all lists every one)\n";
    }
};

std::string share(std::size_t part, std::size_t whole) {
    return percent(static_cast<std::int64_t>(part), static_cast<std::int64_t>(whole));
}

}  // namespace

void write_diagnosis_text(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t examples,
                          bool all, std::ostream& out) {
    const Results& r = src.results;
    out << "\nDiagnosis:";
    for (const auto& [verdict, n] : verdict_counts(r.configs)) out << " " << verdict << " " << thousands(n) << ";";
    out << '\n';
    const std::vector<std::size_t> rank_of = ranks_of(order);
    const std::vector<std::string> names = varied_options(r.configs);
    const Lines lines{src, rank_of, names, std::to_string(r.configs.size()).size() + 3};
    const std::size_t limit = all ? r.configs.size() : examples;
    const std::size_t total = r.configs.size();
    for (const DiagnosisGroup& g : diagnosis_groups(r.configs, setting_levels(r.configs), order)) {
        const std::string verdict(name(g.verdict));
        out << verdict << ": " << thousands(static_cast<std::int64_t>(g.size())) << " of the "
            << thousands(static_cast<std::int64_t>(total)) << " configurations (" << share(g.size(), total) << ")";
        for (std::size_t i = 0; i < g.causes.size(); ++i)
            out << (i ? ", " : "; causes: ") << g.causes[i].first << " " << thousands(g.causes[i].second);
        out << '\n';
        for (const FailureRule& rule : g.rules) {
            out << "  - " << rule.text << ": " << thousands(static_cast<std::int64_t>(rule.members.size()))
                << " of them (" << share(rule.members.size(), g.size()) << "); "
                << share(rule.matching_in_verdict, rule.matching) << " of the "
                << thousands(static_cast<std::int64_t>(rule.matching))
                << (rule.matching == 1 ? " configuration with these settings is "
                                       : " configurations with these settings are ")
                << verdict << '\n';
            lines.write(rule.members, limit, out);
        }
        if (g.rest.empty()) continue;
        if (!g.rules.empty())
            out << "  - the other " << thousands(static_cast<std::int64_t>(g.rest.size())) << " ("
                << share(g.rest.size(), g.size()) << "), no common setting:\n";
        lines.write(g.rest, limit, out);
    }
}

}  // namespace dnnsweep
