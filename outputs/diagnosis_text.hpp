#pragma once
// The diagnosis section of the text report: configurations per verdict, then per verdict that
// needs action its causes and its groups (outputs/diagnosis_groups.hpp), each with at most
// `examples` configurations (best first), or every one with `all`.
#include <cstddef>
#include <ostream>
#include <vector>

#include "outputs/report.hpp"

namespace dnnsweep {

void write_diagnosis_text(const ReportSource& src, const std::vector<std::size_t>& order, std::size_t examples,
                          bool all, std::ostream& out);

}  // namespace dnnsweep
