#include "outputs/html_page.hpp"

#include <cmath>
#include <sstream>
#include <string>
#include <string_view>

#include "engine/text_format.hpp"
#include "outputs/diagnosis_groups.hpp"
#include "outputs/html_escape.hpp"
#include "outputs/json.hpp"
#include "outputs/page_script.hpp"
#include "outputs/setting_levels.hpp"

namespace dnnsweep {
namespace {

// Five decimals: what a reader compares, and a third of the page's size of full doubles.
Json rounded(double v) {
    if (!std::isfinite(v)) return nullptr;
    return std::round(v * 1e5) / 1e5;
}

Json rounded(const std::vector<double>& vs) {
    Json a = Json::array();
    for (const double v : vs) a.push_back(rounded(v));
    return a;
}

void example_rows(std::ostream& h, const ReportSource& src, const std::vector<std::size_t>& rank_of,
                  const std::vector<std::string>& names, const std::vector<std::size_t>& members,
                  std::size_t examples) {
    const Results& r = src.results;
    for (std::size_t k = 0; k < members.size() && k < examples; ++k) {
        const ConfigSummary& c = r.configs[members[k]];
        h << "<tr><td class=\"n\">" << rank_of[members[k]] + 1 << "</td><td class=\"v-" << name(c.verdict) << "\">"
          << name(c.verdict) << "</td><td>" << html_escape(settings_text(c.settings, names)) << "</td><td>"
          << html_escape(c.reason) << "</td></tr>\n";
    }
    if (members.size() > examples)
        h << "<tr><td colspan=\"4\" class=\"more\">... "
          << thousands(static_cast<std::int64_t>(members.size() - examples))
          << " more (filter the explorer below by verdict)</td></tr>\n";
}

}  // namespace

void write_diagnosis_html(std::ostream& h, const ReportSource& src, const std::vector<std::size_t>& order,
                          std::size_t examples) {
    const Results& r = src.results;
    h << "<h2>Diagnosis</h2>\n<p>";
    for (const auto& [verdict, n] : verdict_counts(r.configs))
        h << "<span class=\"v-" << verdict << "\">" << verdict << "</span> " << thousands(n) << " &nbsp; ";
    h << "</p>\n";
    const std::vector<std::size_t> rank_of = ranks_of(order);
    const std::vector<std::string> names = varied_options(r.configs);
    const auto total = static_cast<std::int64_t>(r.configs.size());
    for (const DiagnosisGroup& g : diagnosis_groups(r.configs, setting_levels(r.configs), order)) {
        const auto size = static_cast<std::int64_t>(g.size());
        h << "<h3 class=\"v-" << name(g.verdict) << "\">" << name(g.verdict) << ": " << thousands(size) << " of "
          << thousands(total) << " (" << percent(size, total) << ")</h3>\n";
        if (!g.causes.empty()) {
            h << "<p>causes: ";
            for (std::size_t i = 0; i < g.causes.size(); ++i)
                h << (i ? ", " : "") << html_escape(g.causes[i].first) << " " << thousands(g.causes[i].second);
            h << "</p>\n";
        }
        h << "<table class=\"diagnosis\"><tr><th>#</th><th>verdict</th><th>settings</th><th>reason and fix</th></tr>\n";
        for (const FailureRule& rule : g.rules) {
            const auto n = static_cast<std::int64_t>(rule.members.size());
            h << "<tr class=\"rule\"><td colspan=\"4\"><b>" << html_escape(rule.text) << "</b>: " << thousands(n)
              << " of them (" << percent(n, size) << "); "
              << percent(static_cast<std::int64_t>(rule.matching_in_verdict), static_cast<std::int64_t>(rule.matching))
              << " of the " << thousands(static_cast<std::int64_t>(rule.matching))
              << " configurations with these settings</td></tr>\n";
            example_rows(h, src, rank_of, names, rule.members, examples);
        }
        if (!g.rest.empty() && !g.rules.empty())
            h << "<tr class=\"rule\"><td colspan=\"4\">the other "
              << thousands(static_cast<std::int64_t>(g.rest.size())) << ", no common setting</td></tr>\n";
        example_rows(h, src, rank_of, names, g.rest, examples);
        h << "</table>\n";
    }
}

void write_explorer_html(std::ostream& h, const ReportSource& src, const std::vector<std::size_t>& order) {
    const Results& r = src.results;
    const std::vector<SettingLevels> levels = setting_levels(r.configs);
    Json verdicts = Json::array();
    for (const EnumEntry<Verdict>& v : kVerdicts) verdicts.push_back(v.name);
    Json rank = Json::array(), config = Json::array(), val = Json::array(), std_ = Json::array(), train = Json::array(),
         test = Json::array(), verdict = Json::array(), spf = Json::array();
    Json level_columns = Json::array();
    std::vector<Json> cols(levels.size(), Json::array());
    for (std::size_t k = 0; k < order.size(); ++k) {
        const ConfigSummary& c = r.configs[order[k]];
        rank.push_back(k + 1);
        config.push_back(c.config);
        val.push_back(rounded(c.mean_val_acc));
        std_.push_back(rounded(c.std_val_acc));
        train.push_back(rounded(c.mean_train_acc));
        test.push_back(rounded(c.mean_test_acc));
        verdict.push_back(static_cast<int>(c.verdict));
        spf.push_back(folds_recorded(c) > 0 ? Json(cost_per_fold(c)) : Json(nullptr));
        for (std::size_t s = 0; s < levels.size(); ++s) cols[s].push_back(levels[s].level[order[k]]);
    }
    for (Json& col : cols) level_columns.push_back(std::move(col));
    Json axes = Json::array();
    for (const SettingLevels& s : levels) axes.push_back({{"option", s.option}, {"values", s.values}});

    // Curves: the diagnosis groups' first examples, then the leaderboard, within the epoch budget.
    std::vector<std::size_t> wanted;
    for (const DiagnosisGroup& g : diagnosis_groups(r.configs, levels, order)) {
        for (const FailureRule& rule : g.rules)
            for (std::size_t k = 0; k < rule.members.size() && k < 10; ++k) wanted.push_back(rule.members[k]);
        for (std::size_t k = 0; k < g.rest.size() && k < 10; ++k) wanted.push_back(g.rest[k]);
    }
    wanted.insert(wanted.end(), order.begin(), order.end());
    // Appended to the object's storage directly: ordered_json looks a key up by a linear search, which
    // made 50,000 insertions take seconds; `taken` keeps each configuration once instead.
    Json curves = Json::object();
    Json::object_t& by_config = curves.get_ref<Json::object_t&>();
    std::vector<char> taken(r.configs.size(), 0);
    std::size_t epochs = 0, embedded = 0;
    for (const std::size_t i : wanted) {
        if (taken[i]) continue;
        const LearningCurves lc = learning_curves(units_of(r.units, r.configs[i].config), r.configs[i].config);
        if (epochs + lc.epochs.size() > kPageCurveEpochs) break;
        taken[i] = 1;
        epochs += lc.epochs.size();
        ++embedded;
        by_config.emplace_back(std::to_string(r.configs[i].config), Json{{"train_acc", rounded(lc.train_acc.mean)},
                                                                         {"val_acc", rounded(lc.val_acc.mean)},
                                                                         {"train_loss", rounded(lc.train_loss.mean)},
                                                                         {"val_loss", rounded(lc.val_loss.mean)}});
    }
    const std::string note = embedded == r.configs.size()
                                 ? "every configuration's"
                                 : "the page holds the curves of " + thousands(static_cast<std::int64_t>(embedded)) +
                                       " configurations: the diagnosis examples, then the best";
    Json data = {{"chance", r.info.data.classes > 0 ? Json(1.0 / r.info.data.classes) : Json(nullptr)},
                 {"verdicts", std::move(verdicts)},
                 {"axes", std::move(axes)},
                 {"rows",
                  {{"rank", std::move(rank)},
                   {"config", std::move(config)},
                   {"val", std::move(val)},
                   {"std", std::move(std_)},
                   {"train", std::move(train)},
                   {"test", std::move(test)},
                   {"verdict", std::move(verdict)},
                   {"spf", std::move(spf)},
                   {"levels", std::move(level_columns)}}},
                 {"curves", std::move(curves)},
                 {"curves_note", note}};
    std::ostringstream json;
    write_json(json, data);
    std::string text = json.str();
    // "</" would end the script element early; "<\/" is the same JSON string.
    for (std::size_t p = text.find("</"); p != std::string::npos; p = text.find("</", p + 3)) text.insert(p + 1, "\\");

    h << "<h2>Explore every configuration</h2>\n<p>Click a column to sort (again to reverse), pick values to "
         "filter; drag along an axis of the parallel coordinates to keep the lines crossing it there (click the "
         "axis to clear); click a row for its learning curves.</p>\n"
      << "<div id=\"lb-filters\" class=\"filters\"></div>\n<p id=\"lb-count\"></p>\n"
      << "<canvas id=\"pc-canvas\" width=\"1100\" height=\"320\"></canvas>\n<div id=\"curves\" class=\"curves\">"
         "<p class=\"note\">Click a row for its learning curves.</p></div>\n"
      << "<table id=\"lb-table\" class=\"explorer\"></table>\n<button id=\"lb-more\" type=\"button\">show 100 "
         "more</button>\n<pre id=\"selftest-log\"></pre>\n"
      << "<style>.filters select,.filters input,.filters button{margin:.2em .4em .2em 0}"
         "#lb-table th{cursor:pointer}#lb-table tr.lb-row{cursor:pointer}#lb-table tr.lb-row:hover{background:#eef}"
         "#pc-canvas{max-width:100%;border:1px solid #ddd;cursor:crosshair}.curves svg{margin-right:1em}"
         ".note{color:#555;font-style:italic}td.more{color:#555;font-style:italic}</style>\n"
      << "<script type=\"application/json\" id=\"dnnsweep-data\">" << text << "</script>\n<script>\n"
      << kPageScript << "\n</script>\n";
}

}  // namespace dnnsweep
