#pragma once
// Stop signals. A sweep: SIGTERM, SIGINT and SIGUSR1 (what Slurm sends before a time limit) ask it
// to stop: finish nothing new, abandon the unit in training at its next mini-batch, flush, merge,
// and exit with exit_code::incomplete so the same command resumes; a second SIGINT exits at once
// (recorded units are already durable; the half-trained one is simply not recorded). `dnnsweep
// train`: SIGINT or SIGTERM stops after the current epoch, with a notice; a second one exits at
// once with 128 + its number.
//
// Both are taken by a thread of their own (sigwait), never by a handler that interrupts a thread
// at work: oneDNN's JIT kernels keep data below the stack pointer, past the red zone a signal frame
// respects, and a handler running on top of one overwrote it (Ctrl-C in mid-training ended in
// "corrupted size vs. prev_size", then a hang in Open MPI's crash handler).
namespace dnnsweep {

enum class StopSignals { Sweep, Train };

// Call first thing in main's thread, before MPI_Init or any other thread exists: the signals are
// blocked in this thread, so in every thread started later, and one thread waits for them. Once
// per process.
void install_stop_signals(StopSignals which = StopSignals::Sweep);
// The first stop signal received (0 when none).
int stop_signal();
const char* signal_label(int sig);  // "SIGTERM", "SIGINT", "SIGUSR1"

}  // namespace dnnsweep
