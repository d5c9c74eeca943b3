#pragma once
// A worker allocates about the same buffers for every unit (the network, its optimizer state, the
// evaluation buffers) and frees them when the unit ends. By default glibc hands memory above its
// trim threshold back to the kernel at each free and maps buffers above its mmap threshold afresh,
// so every unit pays the first-write page faults again: about 20 us per 4 KiB page on the
// project's virtual machines, 10-45 ms a unit (docs/PERFORMANCE.md, "Unit set-up").
namespace dnnsweep {

// Keeps freed memory in the process for the next unit: buffers up to 32 MiB (glibc's own ceiling
// for its adaptive threshold) come from the heap, and up to 128 MiB of free heap is kept instead of
// trimmed. Only speed: where glibc refuses a setting, memory is handled as before.
void reuse_freed_heap() noexcept;

}  // namespace dnnsweep
