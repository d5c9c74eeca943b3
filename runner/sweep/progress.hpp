#pragma once
// The coordinator's progress display: units done/total, failed, elapsed, ETA. A live bar redrawn
// in place on a terminal; plain periodic lines otherwise (logs, Slurm output files).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace dnnsweep {

class Progress {
public:
    enum class Style { Bar, Lines, None };
    // "auto" (bar on a terminal, else lines), "bar", "lines", "none"; throws ConfigError otherwise.
    static Style parse(std::string_view s, std::FILE* out);

    // total_flops: the estimated cost of every unit to run, so the ETA weighs units by cost.
    Progress(Style style, std::FILE* out, std::uint64_t total_units, std::uint64_t already_done, double total_flops,
             double interval_seconds);
    void unit_done(bool failed, double flops);
    void finish();  // the last line, always printed (unless Style::None)
    std::string line() const;

private:
    void print(bool final);

    using Clock = std::chrono::steady_clock;
    Style style_;
    std::FILE* out_;
    std::uint64_t total_, skipped_, done_ = 0, failed_ = 0;
    double total_flops_, done_flops_ = 0.0;
    double interval_;
    Clock::time_point start_ = Clock::now(), last_print_ = Clock::now();
};

}  // namespace dnnsweep
