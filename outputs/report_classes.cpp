#include "outputs/report_classes.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "engine/text_format.hpp"
#include "outputs/class_results.hpp"
#include "outputs/html_escape.hpp"

namespace dnnsweep {
namespace {

std::string pad_left(const std::string& s, std::size_t width) {
    return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}
std::string pad_right(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// The summed matrices of one configuration.
struct ClassFigures {
    ConfusionMatrix val, test;
};

ClassFigures figures_of(const Results& r, const ConfigSummary& c) {
    const std::span<const UnitResult> units = units_of(r.units, c.config);
    return {summed_confusion(units, r.info.data.classes, PredictionPart::Validation),
            summed_confusion(units, r.info.data.classes, PredictionPart::Test)};
}

std::size_t shown(const std::vector<std::size_t>& order, std::size_t top) { return std::min(top, order.size()); }

bool any_test(const Results& r, const std::vector<std::size_t>& order, std::size_t top) {
    for (std::size_t i = 0; i < shown(order, top); ++i)
        if (!figures_of(r, r.configs[order[i]]).test.empty()) return true;
    return false;
}

// One per-class accuracy table: classes down, the top configurations across.
void write_accuracy_block(const Results& r, const std::vector<std::size_t>& order, std::size_t top, PredictionPart part,
                          const std::vector<std::string>& names, std::ostream& out) {
    std::size_t name_width = 5;
    for (const std::string& n : names) name_width = std::max(name_width, n.size());
    std::vector<ConfusionMatrix> cols;
    for (std::size_t i = 0; i < shown(order, top); ++i) {
        const ClassFigures f = figures_of(r, r.configs[order[i]]);
        cols.push_back(part == PredictionPart::Validation ? f.val : f.test);
    }
    out << "  " << pad_right("class", name_width + 2) << pad_left("train rows", 10);
    for (std::size_t i = 0; i < cols.size(); ++i) out << pad_left("#" + std::to_string(i + 1), 8);
    out << '\n';
    for (std::size_t k = 0; k < names.size(); ++k) {
        const std::string rows =
            k < r.info.class_rows.size() ? thousands(static_cast<std::int64_t>(r.info.class_rows[k])) : "-";
        out << "  " << pad_right(names[k], name_width + 2) << pad_left(rows, 10);
        for (const ConfusionMatrix& m : cols)
            out << pad_left(m.empty() ? "-" : fixed(m.class_accuracy(static_cast<int>(k)), 3), 8);
        out << '\n';
    }
}

void write_matrix(const ConfusionMatrix& m, const std::vector<std::string>& names, std::ostream& out) {
    std::size_t name_width = std::string("true \\ predicted").size();
    std::size_t cell = 6;
    for (const std::string& n : names) {
        name_width = std::max(name_width, n.size());
        cell = std::max(cell, n.size() + 2);
    }
    for (int t = 0; t < m.classes(); ++t)
        for (int p = 0; p < m.classes(); ++p) cell = std::max(cell, std::to_string(m.at(t, p)).size() + 2);
    out << "    " << pad_right("true \\ predicted", name_width + 2);
    for (const std::string& n : names) out << pad_left(n, cell);
    out << '\n';
    for (int t = 0; t < m.classes(); ++t) {
        out << "    " << pad_right(names[static_cast<std::size_t>(t)], name_width + 2);
        for (int p = 0; p < m.classes(); ++p) out << pad_left(std::to_string(m.at(t, p)), cell);
        out << '\n';
    }
}

Json part_json(const ConfusionMatrix& m, const std::vector<std::string>& names) {
    if (m.empty()) return nullptr;
    Json per_class = Json::array();
    Json matrix = Json::array();
    for (int k = 0; k < m.classes(); ++k) {
        per_class.push_back({{"class", k},
                             {"name", names[static_cast<std::size_t>(k)]},
                             {"rows", m.rows_of(k)},
                             {"accuracy", m.class_accuracy(k)}});
        Json row = Json::array();
        for (int p = 0; p < m.classes(); ++p) row.push_back(m.at(k, p));
        matrix.push_back(std::move(row));
    }
    return {{"per_class", std::move(per_class)}, {"confusion", std::move(matrix)}};
}

}  // namespace

std::string chance_text(const RunInfo& info) {
    const Chance chance = run_chance(info);
    if (!chance.majority)
        return "chance " + fixed(chance.level, 2) + " (1/" + std::to_string(chance.classes) + " classes)";
    const std::vector<std::string> names = class_labels(info);
    const auto top = std::ranges::max_element(info.class_rows);
    const std::uint64_t total = std::accumulate(info.class_rows.begin(), info.class_rows.end(), std::uint64_t{0});
    std::string text = "chance " + fixed(chance.level, 2) + " (the majority class's share";
    if (top != info.class_rows.end()) {
        const auto k = static_cast<std::size_t>(top - info.class_rows.begin());
        text += ": " + (k < names.size() ? names[k] : std::to_string(k)) + ", " +
                thousands(static_cast<std::int64_t>(*top)) + " of " + thousands(static_cast<std::int64_t>(total)) +
                " training rows";
    }
    return text + ")";
}

void write_classes_text(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t top,
                        std::ostream& out) {
    const Results& r = src.results;
    const std::vector<std::string> names = class_labels(r.info);
    if (names.empty()) return;  // the class count is unknown
    out << "\nClasses: " << names.size() << "; " << chance_text(r.info) << '\n';
    if (shown(order, top) == 0 || names.empty()) return;
    out << "Per-class validation accuracy (folds summed) of the top " << shown(order, top) << ":\n";
    write_accuracy_block(r, order, top, PredictionPart::Validation, names, out);
    if (any_test(r, order, top)) {
        out << "Per-class test accuracy (folds summed) of the top " << shown(order, top) << ":\n";
        write_accuracy_block(r, order, top, PredictionPart::Test, names, out);
    }
    for (std::size_t i = 0; i < std::min(shown(order, top), kTextConfusionMatrices); ++i) {
        const ClassFigures f = figures_of(r, r.configs[order[i]]);
        if (f.val.empty()) continue;
        out << "Confusion matrix of #" << i + 1 << " (validation, folds summed; rows: true class):";
        if (f.val.classes() > kTextConfusionMaxClasses) {
            out << " " << f.val.classes() << " classes: see --format json or --csv\n";
            continue;
        }
        out << '\n';
        write_matrix(f.val, names, out);
    }
}

Json classes_json(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t top) {
    const Results& r = src.results;
    const std::vector<std::string> names = class_labels(r.info);
    const Chance chance = run_chance(r.info);
    Json configs = Json::array();
    for (std::size_t i = 0; i < shown(order, top); ++i) {
        const ConfigSummary& c = r.configs[order[i]];
        const ClassFigures f = figures_of(r, c);
        configs.push_back({{"rank", i + 1},
                           {"config", c.config},
                           {"config_id", c.config_id},
                           {"validation", part_json(f.val, names)},
                           {"test", part_json(f.test, names)}});
    }
    return {{"names", names},
            {"train_rows", r.info.class_rows},
            {"chance", chance.level},
            {"chance_basis", chance.basis()},
            {"top", std::move(configs)}};
}

std::vector<std::pair<std::string, h5::Table>> class_csv_tables(const ReportSource& src,
                                                                const std::vector<std::size_t>& order) {
    const Results& r = src.results;
    const std::vector<std::string> names = class_labels(r.info);
    const int classes = static_cast<int>(names.size());
    h5::Table acc;
    auto& a_rank = acc.add<std::int64_t>("rank");
    auto& a_config = acc.add<std::uint64_t>("config");
    auto& a_class = acc.add<std::int32_t>("class");
    auto& a_name = acc.add_string("name");
    auto& a_val_rows = acc.add<std::int64_t>("val_rows");
    auto& a_val_acc = acc.add<double>("val_acc");
    auto& a_test_rows = acc.add<std::int64_t>("test_rows");
    auto& a_test_acc = acc.add<double>("test_acc");
    h5::Table conf;
    auto& c_rank = conf.add<std::int64_t>("rank");
    auto& c_config = conf.add<std::uint64_t>("config");
    auto& c_split = conf.add_string("split");
    auto& c_true = conf.add<std::int32_t>("true_class");
    auto& c_true_name = conf.add_string("true_name");
    auto& c_pred = conf.add<std::int32_t>("predicted");
    auto& c_pred_name = conf.add_string("predicted_name");
    auto& c_count = conf.add<std::int64_t>("count");
    for (std::size_t i = 0; i < order.size(); ++i) {
        const ConfigSummary& c = r.configs[order[i]];
        ClassFigures f = figures_of(r, c);
        if (f.val.empty() && f.test.empty()) continue;
        const auto rank = static_cast<std::int64_t>(i + 1);
        for (const auto& [split, m] : {std::pair{"val", &f.val}, {"test", &f.test}})
            for (const ConfusionCell& cell : m->cells()) {
                c_rank.push_back(rank);
                c_config.push_back(c.config);
                c_split.emplace_back(split);
                c_true.push_back(cell.true_class);
                c_true_name.push_back(names[static_cast<std::size_t>(cell.true_class)]);
                c_pred.push_back(cell.predicted);
                c_pred_name.push_back(names[static_cast<std::size_t>(cell.predicted)]);
                c_count.push_back(cell.count);
            }
        if (f.val.empty()) f.val = ConfusionMatrix(classes);
        if (f.test.empty()) f.test = ConfusionMatrix(classes);
        for (int k = 0; k < classes; ++k) {
            a_rank.push_back(rank);
            a_config.push_back(c.config);
            a_class.push_back(k);
            a_name.push_back(names[static_cast<std::size_t>(k)]);
            a_val_rows.push_back(f.val.rows_of(k));
            a_val_acc.push_back(f.val.class_accuracy(k));
            a_test_rows.push_back(f.test.rows_of(k));
            a_test_acc.push_back(f.test.class_accuracy(k));
        }
    }
    std::vector<std::pair<std::string, h5::Table>> files;
    files.emplace_back("class_accuracy.csv", std::move(acc));
    files.emplace_back("confusion.csv", std::move(conf));
    return files;
}

void add_confusion_figure(Json& figs, std::vector<Figure>& figures, const ReportSource& src,
                          const std::vector<std::size_t>& order, const std::vector<std::string>& varied) {
    const Results& r = src.results;
    if (order.empty()) return;
    const ConfigSummary& best = r.configs[order.front()];
    const ConfusionMatrix m = figures_of(r, best).val;
    if (m.empty() || m.classes() > kTextConfusionMaxClasses) return;
    const std::string file = "confusion-config-" + std::to_string(best.config);
    const std::string title = "#1 " + settings_text(best.settings, varied);
    figures.push_back({"Classes", file,
                       title + ": validation confusion matrix, folds summed (rows: true class; colour: share of "
                               "the row)"});
    Json counts = Json::array();
    for (int t = 0; t < m.classes(); ++t) {
        Json row = Json::array();
        for (int p = 0; p < m.classes(); ++p) row.push_back(m.at(t, p));
        counts.push_back(std::move(row));
    }
    Json f;
    f["kind"] = "confusion";
    f["file"] = file;
    f["title"] = title;
    f["names"] = class_labels(r.info);
    f["counts"] = std::move(counts);
    figs.push_back(std::move(f));
}

std::string classes_html(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t top) {
    const Results& r = src.results;
    const std::vector<std::string> names = class_labels(r.info);
    if (names.empty()) return {};  // the class count is unknown
    std::ostringstream h;
    h << "<h2>Classes</h2>\n<p>" << names.size() << " classes; " << html_escape(chance_text(r.info)) << ".</p>\n";
    if (shown(order, top) == 0 || names.empty()) return h.str();
    h << "<p>Per-class validation accuracy of the top " << shown(order, top)
      << " (folds summed).</p>\n<table><tr><th>class</th><th>train rows</th>";
    std::vector<ClassFigures> figs;
    for (std::size_t i = 0; i < shown(order, top); ++i) {
        figs.push_back(figures_of(r, r.configs[order[i]]));
        h << "<th>#" << i + 1 << "</th>";
    }
    h << "</tr>\n";
    for (std::size_t k = 0; k < names.size(); ++k) {
        h << "<tr><td>" << html_escape(names[k]) << "</td><td class=\"n\">"
          << (k < r.info.class_rows.size() ? thousands(static_cast<std::int64_t>(r.info.class_rows[k])) : "-")
          << "</td>";
        for (const ClassFigures& f : figs)
            h << "<td class=\"n\">" << (f.val.empty() ? "-" : fixed(f.val.class_accuracy(static_cast<int>(k)), 3))
              << "</td>";
        h << "</tr>\n";
    }
    h << "</table>\n";
    if (!figs.front().val.empty() && figs.front().val.classes() <= kTextConfusionMaxClasses) {
        const ConfusionMatrix& m = figs.front().val;
        h << "<p>Confusion matrix of #1 (validation, folds summed; rows: true class, columns: predicted).</p>\n"
             "<table><tr><th>true \\ predicted</th>";
        for (const std::string& n : names) h << "<th>" << html_escape(n) << "</th>";
        h << "</tr>\n";
        for (int t = 0; t < m.classes(); ++t) {
            h << "<tr><th>" << html_escape(names[static_cast<std::size_t>(t)]) << "</th>";
            for (int p = 0; p < m.classes(); ++p) h << "<td class=\"n\">" << m.at(t, p) << "</td>";
            h << "</tr>\n";
        }
        h << "</table>\n";
    }
    return h.str();
}

}  // namespace dnnsweep
