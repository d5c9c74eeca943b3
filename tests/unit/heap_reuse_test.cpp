// A worker's freed unit buffers stay in the process for the next unit instead of going back to
// the kernel (whose fresh pages cost a page fault each on first write).
#include "runner/sweep/heap_reuse.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstring>
#include <memory>

namespace dnnsweep {
namespace {

TEST(HeapReuse, AFreedUnitSizedBufferStaysInTheHeap) {
    // Under AddressSanitizer its own allocator replaces glibc's: glibc's heap is then unused (no
    // arena) and its settings do not apply.
    const auto probe = std::make_unique<char[]>(64);
    if (mallinfo2().arena == 0) GTEST_SKIP() << "glibc's allocator is not the one in use (a sanitizer's is)";
    reuse_freed_heap();
    constexpr std::size_t kBytes = std::size_t{16} << 20;  // a mid-sized network's buffers
    const std::size_t mapped_before = mallinfo2().hblkhd;
    {
        const auto buffer = std::make_unique<char[]>(kBytes);
        std::memset(buffer.get(), 1, kBytes);
        // From the heap, not a mapping of its own (glibc's default maps anything above 128 KiB).
        EXPECT_LT(mallinfo2().hblkhd, mapped_before + kBytes);
    }
    // Freed, and kept: the heap's free bytes hold it (not trimmed back to the kernel).
    EXPECT_GE(mallinfo2().fordblks, kBytes);
}

}  // namespace
}  // namespace dnnsweep
