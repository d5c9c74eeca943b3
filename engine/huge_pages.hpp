#pragma once
// Large buffers written once per sweep unit (a fold's gathered rows) are backed by transparent
// huge pages where the kernel allows them on request (THP `madvise` mode, the usual default): on
// the project's virtual machines a first write costs about 20 us per 4 KiB page, 150 ms for
// MNIST-sized parts, and about a twentieth of that in 2 MiB pages (docs/PERFORMANCE.md, "Unit
// set-up").
#include <cstddef>

namespace dnnsweep {

// Advises the kernel to back the whole 2 MiB pages inside [data, data + bytes) with huge pages.
// Only advice: nothing happens for buffers under 2 MiB, on kernels without THP, or when the
// advice is refused; the memory's contents are untouched. Call it before the buffer's first write.
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

}  // namespace dnnsweep
