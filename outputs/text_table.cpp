#include "outputs/text_table.hpp"

#include <algorithm>

namespace dnnsweep {

void TextTable::write(std::ostream& out, const std::string& indent) const {
    std::vector<std::size_t> width;
    for (const auto& row : rows_)
        for (std::size_t i = 0; i + 1 < row.size(); ++i) {
            if (width.size() <= i) width.resize(i + 1, 0);
            width[i] = std::max(width[i], row[i].size());
        }
    for (const auto& row : rows_) {
        out << indent;
        for (std::size_t i = 0; i < row.size(); ++i) {
            out << row[i];
            if (i + 1 < row.size()) out << std::string(width[i] - row[i].size() + 2, ' ');
        }
        out << '\n';
    }
}

}  // namespace dnnsweep
