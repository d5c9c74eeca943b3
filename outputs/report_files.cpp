// CSV exports and the HTML page of `dnnsweep report` (outputs/report_files.hpp).
#include "outputs/report_files.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "engine/read_file.hpp"
#include "engine/text_format.hpp"
#include "outputs/configs.hpp"
#include "outputs/html_escape.hpp"
#include "outputs/html_page.hpp"
#include "outputs/importance.hpp"
#include "outputs/report_classes.hpp"
#include "outputs/report_repairs.hpp"
#include "outputs/spec_grid_configs.hpp"
#include "outputs/tables.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

template <class T>
std::string real_text(T v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[40];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
    return std::string(buf, res.ptr);
}

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos && (s.empty() || (s.front() != ' ' && s.back() != ' ')))
        return s;
    std::string q = "\"";
    for (const char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + '"';
}

std::string cell(const h5::Column& c, std::size_t row) {
    return std::visit(
        [row](const auto& v) -> std::string {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>)
                return csv_quote(v[row]);
            else if constexpr (std::is_same_v<T, bool>)
                return v[row] ? "True" : "False";
            else if constexpr (std::is_floating_point_v<T>)
                return real_text(v[row]);
            else
                return std::to_string(v[row]);
        },
        c.data);
}

// Writes a whole file, or throws ResultsError naming it.
void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw ResultsError(path + ": cannot write: " + std::error_code(errno, std::generic_category()).message());
    f << text;
    f.close();
    if (!f) throw ResultsError(path + ": writing failed: " + std::error_code(errno, std::generic_category()).message());
}

void make_dir(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) throw ResultsError(dir + ": cannot create the folder: " + ec.message());
}

std::vector<const h5::Column*> all_columns(const h5::Table& t) {
    std::vector<const h5::Column*> cols;
    for (const h5::Column& c : t.columns()) cols.push_back(&c);
    return cols;
}

// `curves`/`grad_norms` with `config` and `fold` (from the unit) right after `unit`.
std::vector<const h5::Column*> with_config_fold(const h5::Table& t, const h5::Table& extra) {
    std::vector<const h5::Column*> cols;
    for (const h5::Column& c : t.columns()) {
        cols.push_back(&c);
        if (cols.size() == 1)
            for (const h5::Column& e : extra.columns()) cols.push_back(&e);
    }
    return cols;
}

h5::Table config_fold_of(const h5::Table& t, int folds) {
    h5::Table extra;
    auto& config = extra.add<std::uint64_t>("config");
    auto& fold = extra.add<std::int32_t>("fold");
    for (const std::uint64_t u : t.get<std::uint64_t>("unit")) {
        config.push_back(u / static_cast<std::uint64_t>(folds));
        fold.push_back(static_cast<std::int32_t>(u % static_cast<std::uint64_t>(folds)));
    }
    return extra;
}

}  // namespace

void write_csv(std::ostream& out, const std::vector<const h5::Column*>& columns) {
    for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << csv_quote(columns[i]->name);
    out << '\n';
    const std::size_t rows = columns.empty() ? 0 : columns.front()->size();
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << cell(*columns[i], r);
        out << '\n';
    }
}

h5::Table leaderboard_table(const ReportSource& src, const std::vector<std::size_t>& order) {
    std::vector<ConfigSummary> sorted;
    for (const std::size_t i : order) sorted.push_back(src.results.configs[i]);
    const h5::Table configs = detail::configs_table(sorted);
    h5::Table t;
    auto& rank = t.add<std::int64_t>("rank");
    for (std::size_t i = 0; i < sorted.size(); ++i) rank.push_back(static_cast<std::int64_t>(i + 1));
    for (const h5::Column& c : configs.columns()) t.add_column(c);
    auto& complete = t.add<bool>("complete");
    for (const ConfigSummary& c : sorted) complete.push_back(folds_recorded(c) >= src.folds_per_config);
    return t;
}

std::vector<std::string> write_csv_exports(const std::string& dir, const ReportSource& src,
                                           const std::vector<std::size_t>& order) {
    make_dir(dir);
    const detail::UnitTables t = detail::unit_tables(src.results.units, detail::Flavor::Merged);
    const h5::Table configs = leaderboard_table(src, order);
    const h5::Table curve_keys = config_fold_of(t.curves, src.folds_per_config);
    const h5::Table grad_keys = config_fold_of(t.grad_norms, src.folds_per_config);
    const SpecGridConfigs designed(src.results.configs, src.spec_configs);
    const h5::Table terms = importance_table(importance(designed.get(), setting_levels(designed.get())));
    const auto class_tables = class_csv_tables(src, order);
    std::vector<std::pair<std::string, std::vector<const h5::Column*>>> files = {
        {"configs.csv", all_columns(configs)},
        {"folds.csv", all_columns(t.folds)},
        {"curves.csv", with_config_fold(t.curves, curve_keys)},
        {"grad_norms.csv", with_config_fold(t.grad_norms, grad_keys)},
        {"importance.csv", all_columns(terms)},
    };
    for (const auto& [name, table] : class_tables) files.emplace_back(name, all_columns(table));
    std::vector<std::string> written;
    for (const auto& [name, cols] : files) {
        std::ostringstream text;
        write_csv(text, cols);
        const std::string path = (fs::path(dir) / name).string();
        write_file(path, text.str());
        written.push_back(path);
    }
    return written;
}

std::string base64(const std::string& bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                       std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        for (const int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
    }
    if (i < bytes.size()) {
        std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (i + 1 < bytes.size()) n |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

void write_html(const std::string& path, const std::string& title, const ReportSource& src, std::size_t top,
                const std::vector<HtmlFigure>& figures) {
    const Results& r = src.results;
    const std::vector<std::size_t> order = leaderboard_order(r.configs);
    const std::vector<std::string> varied = varied_options(r.configs);
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>dnnsweep report: "
      << html_escape(title) << "</title>\n<style>\n"
      << "body{font-family:sans-serif;margin:1.5em;max-width:90em;color:#222}\n"
      << "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;"
         "text-align:left;font-size:90%}th{background:#f0f0f0}td.n{text-align:right;font-family:monospace}\n"
      << ".partial{background:#fff3cd;border:1px solid #e0c060;padding:.5em 1em}\n"
      << ".v-not_training{color:#b00020}.v-overfitting{color:#c06000}.v-underfitting{color:#806000}"
         ".v-good{color:#087f23}.v-failed{color:#555}.pruned{color:#555;font-style:italic}\n"
      << "figure{display:inline-block;margin:.5em;vertical-align:top}figure img{max-width:46em;width:100%}"
         "figcaption{font-size:85%;max-width:46em}\n</style></head>\n<body>\n";
    h << "<h1>dnnsweep report: " << html_escape(title) << "</h1>\n<p>" << r.units.size() << " units of "
      << src.units_total << " recorded, " << r.configs.size() << " of " << src.configs_total << " configurations; data "
      << html_escape(r.info.data_source) << " (" << r.info.data.samples << " samples, " << r.info.data.features
      << " features, " << r.info.data.classes << " classes); " << r.info.ranks << " ranks; dnnsweep "
      << html_escape(r.info.version) << "</p>\n";
    if (src.partial)
        h << "<p class=\"partial\"><b>PARTIAL</b>: the sweep has not finished (" << src.units_done << " of "
          << src.units_total << " units done); every figure covers the units recorded so far.</p>\n";
    if (const std::string pruning = pruning_text(pruning_summary(r), src.units_done); !pruning.empty())
        h << "<p class=\"pruning\">" << html_escape(pruning) << "</p>\n";

    h << "<h2>Leaderboard</h2>\n<p>Top " << std::min(top, order.size())
      << " by mean validation accuracy over the folds (&plusmn; population std); ties go to the cheaper "
         "configuration.</p>\n<table><tr><th>#</th><th>val acc</th><th>train acc</th><th>test acc</th>"
         "<th>verdict</th><th>s/fold</th><th>settings</th></tr>\n";
    for (std::size_t k = 0; k < order.size() && k < top; ++k) {
        const ConfigSummary& c = r.configs[order[k]];
        h << "<tr><td class=\"n\">" << k + 1 << "</td><td class=\"n\">" << fixed(c.mean_val_acc, 3) << " &plusmn; "
          << fixed(c.std_val_acc, 3) << "</td><td class=\"n\">" << fixed(c.mean_train_acc, 3) << "</td><td class=\"n\">"
          << fixed(c.mean_test_acc, 3) << "</td><td class=\"v-" << html_escape(name(c.verdict)) << "\">"
          << html_escape(name(c.verdict)) << "</td><td class=\"n\">" << fixed(cost_per_fold(c), 3) << "</td><td>"
          << html_escape(settings_text(c.settings, varied));
        if (c.folds_pruned > 0)
            h << " <span class=\"pruned\">(" << html_escape(pruned_text(r.units, c.config)) << ")</span>";
        h << "</td></tr>\n";
    }
    h << "</table>\n<h2>Which settings matter</h2>\n<p>Mean / best validation accuracy of the configurations "
         "with each value; options ranked by the spread between their values' means.</p>\n<table>"
         "<tr><th>option</th><th>spread</th><th>values (mean / best, configurations)</th></tr>\n";
    for (const OptionInfluence& inf : influence(SpecGridConfigs(r.configs, src.spec_configs).get())) {
        h << "<tr><td>" << html_escape(inf.option) << "</td><td class=\"n\">" << fixed(inf.spread, 3) << "</td><td>";
        for (std::size_t i = 0; i < inf.values.size(); ++i) {
            const ValueInfluence& v = inf.values[i];
            h << (i ? "; " : "") << "<b>" << html_escape(v.value) << "</b> " << fixed(v.mean, 3) << " / "
              << fixed(v.best, 3) << " (" << v.configs << ")";
        }
        h << "</td></tr>\n";
    }
    h << "</table>\n";
    write_diagnosis_html(h, src, order, top);
    write_repairs_html(h, src.results.configs, src.spec_configs);
    h << classes_html(src, order, top);

    std::string section;
    for (const HtmlFigure& f : figures) {
        if (f.section != section) {
            section = f.section;
            h << "<h2>" << html_escape(section) << "</h2>\n";
        }
        h << "<figure><img alt=\"" << html_escape(f.caption) << "\" src=\"data:image/png;base64,"
          << base64(read_file<ResultsError>(f.png_path)) << "\"><figcaption>" << html_escape(f.caption)
          << "</figcaption></figure>\n";
    }
    write_explorer_html(h, src, order);
    // Marks the page once every image has decoded (body data-images="loaded N/N"), and says so
    // visibly when one did not: a broken page is noticed by a reader and by the headless test.
    h << "<script>\nwindow.addEventListener('load', function () {\n"
         "  var imgs = Array.prototype.slice.call(document.images);\n"
         "  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;\n"
         "  document.body.setAttribute('data-images', 'loaded ' + ok + '/' + imgs.length);\n"
         "  if (ok < imgs.length) { var p = document.createElement('p'); p.className = 'partial';\n"
         "    p.textContent = (imgs.length - ok) + ' figure(s) failed to load.'; document.body.prepend(p); }\n"
         "});\n</script>\n</body></html>\n";
    write_file(path, h.str());
}

}  // namespace dnnsweep
