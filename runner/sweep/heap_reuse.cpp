#include "runner/sweep/heap_reuse.hpp"

#include <malloc.h>

namespace dnnsweep {

void reuse_freed_heap() noexcept {
    constexpr int kMmapThreshold = 32 << 20;
    constexpr int kTrimThreshold = 128 << 20;
    // mallopt returns 0 for a setting it refuses: the defaults then stay, which is correct, only slower.
    (void)mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
    (void)mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

}  // namespace dnnsweep
