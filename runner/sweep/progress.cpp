#include "runner/sweep/progress.hpp"

#include <unistd.h>

#include <cmath>

#include "engine/config.hpp"
#include "engine/text_format.hpp"

namespace dnnsweep {

Progress::Style Progress::parse(std::string_view s, std::FILE* out) {
    if (s == "auto") return isatty(fileno(out)) ? Style::Bar : Style::Lines;
    if (s == "bar") return Style::Bar;
    if (s == "lines") return Style::Lines;
    if (s == "none") return Style::None;
    throw ConfigError("progress: unknown style '" + std::string(s) + "' (choose one of: auto, bar, lines, none)");
}

Progress::Progress(Style style, std::FILE* out, std::uint64_t total_units, std::uint64_t already_done,
                   double total_flops, double interval_seconds)
    : style_(style),
      out_(out),
      total_(total_units),
      skipped_(already_done),
      total_flops_(total_flops),
      interval_(interval_seconds) {}

std::string Progress::line() const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const std::uint64_t done = skipped_ + done_;
    std::string s = std::to_string(done) + "/" + std::to_string(total_) + " units done";
    if (skipped_ > 0) s += " (" + std::to_string(skipped_) + " from earlier runs)";
    s += ", " + std::to_string(failed_) + " failed, elapsed " + duration_text(elapsed);
    if (done_flops_ > 0.0 && done < total_) {
        // Remaining cost at the rate seen so far: units differ in cost by orders of magnitude.
        const double rate = done_flops_ / std::max(elapsed, 1e-9);
        s += ", ETA " + duration_text(std::max(0.0, total_flops_ - done_flops_) / rate);
    }
    return s;
}

void Progress::print(bool final) {
    if (style_ == Style::None) return;
    const std::string text = line();
    if (style_ == Style::Bar) {
        constexpr int kWidth = 30;
        const double frac = total_ ? static_cast<double>(skipped_ + done_) / static_cast<double>(total_) : 1.0;
        const int filled = static_cast<int>(frac * kWidth);
        std::fprintf(out_, "\r[%s%s] %s\033[K%s", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), text.c_str(),
                     final ? "\n" : "");
    } else {
        std::fprintf(out_, "sweep: %s\n", text.c_str());
    }
    std::fflush(out_);
    last_print_ = Clock::now();
}

void Progress::unit_done(bool failed, double flops) {
    ++done_;
    if (failed) ++failed_;
    done_flops_ += flops;
    const double since = std::chrono::duration<double>(Clock::now() - last_print_).count();
    // The bar redraws at most 10 times a second; lines only every interval, to keep logs short.
    if (since >= (style_ == Style::Bar ? 0.1 : interval_)) print(false);
}

void Progress::finish() { print(true); }

}  // namespace dnnsweep
