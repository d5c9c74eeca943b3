#pragma once
// Plain-text columns sized to their content: every column as wide as its widest cell plus two
// spaces, the last one unpadded, so a rank of 100,000 or a time of 0.000393 never runs into the
// next column.
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace dnnsweep {

class TextTable {
public:
    void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
    // Each row indented by `indent`; a row's trailing suffix (e.g. "  (partial)") follows its last cell.
    void write(std::ostream& out, const std::string& indent) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace dnnsweep
