#pragma once
// The files `dnnsweep report` writes: the CSV exports (--csv DIR) and the self-contained HTML page
// (--html FILE). Column names come from the HDF5 tables' own schemas (outputs/tables.cpp,
// outputs/configs.cpp), so a CSV column is named exactly like the HDF5 field it copies.
#include <ostream>
#include <string>
#include <vector>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/report.hpp"

namespace dnnsweep {

// RFC 4180 CSV of equally long columns, header row first: fields with commas, quotes or line
// breaks are quoted; reals in their shortest round-trip form, NaN as `nan`, infinities as
// `inf`/`-inf`; booleans `True`/`False`. pandas.read_csv reads it without options.
void write_csv(std::ostream& out, const std::vector<const h5::Column*>& columns);

// The `configs` table as the report sees it: `rank` (leaderboard position, 1 = best), the HDF5
// `configs` fields, and `complete` (every fold of the configuration is recorded).
h5::Table leaderboard_table(const ReportSource& src, const std::vector<std::size_t>& order);

// Writes DIR/configs.csv (leaderboard_table, in leaderboard order), DIR/folds.csv, DIR/curves.csv
// and DIR/grad_norms.csv (the HDF5 tables, with `config` and `fold` added to the last two so they
// join without the folds table). Creates DIR. Returns the paths written. ResultsError naming the
// file that cannot be written.
std::vector<std::string> write_csv_exports(const std::string& dir, const ReportSource& src,
                                           const std::vector<std::size_t>& order);

// An image for the HTML page: a PNG file, embedded as a data: URI.
struct HtmlFigure {
    std::string section;  // "Learning curves", ...
    std::string caption;
    std::string png_path;
};

// One self-contained page: the run, the leaderboard (top N), what matters, the diagnosis, and the
// figures (read and base64-encoded; nothing is linked). `title` names the results file.
void write_html(const std::string& path, const std::string& title, const ReportSource& src, std::size_t top,
                const std::vector<HtmlFigure>& figures);

std::string base64(const std::string& bytes);

}  // namespace dnnsweep
