#include "runner/sweep/process_memory.hpp"

#include <fstream>
#include <limits>
#include <string>
#include <string_view>

namespace dnnsweep {
namespace {

// The kB figure of the first line of `path` that starts with `key` ("Pss:  1234 kB"); < 0 if none.
double kib_of(const char* path, std::string_view key) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(key)) {
            try {
                return std::stod(line.substr(key.size()));
            } catch (const std::exception&) {
                return -1.0;
            }
        }
    }
    return -1.0;
}

}  // namespace

double MemorySampler::sample_at(Clock::time_point now) noexcept {
    if (!last_ || now - *last_ >= interval_) {
        mb_ = process_memory_mb();
        last_ = now;
    }
    return mb_;
}

double process_memory_mb() noexcept {
    try {
        double kib = kib_of("/proc/self/smaps_rollup", "Pss:");
        if (kib < 0.0) kib = kib_of("/proc/self/status", "VmRSS:");
        return kib < 0.0 ? std::numeric_limits<double>::quiet_NaN() : kib / 1024.0;
    } catch (...) {  // an allocation failing while reading: the figure is only informative
        return std::numeric_limits<double>::quiet_NaN();
    }
}

}  // namespace dnnsweep
