#pragma once
// SIGTERM, SIGINT and SIGUSR1 (what Slurm sends before a time limit) ask a sweep to stop: finish
// nothing new, abandon the unit in training at its next mini-batch, flush, merge, and exit with
// exit_code::incomplete so the same command resumes. A second SIGINT exits at once (recorded units
// are already durable; the half-trained one is simply not recorded).
namespace dnnsweep {

void install_stop_signals();
// The first stop signal received (0 when none), for messages.
int stop_signal();
const char* signal_label(int sig);  // "SIGTERM", "SIGINT", "SIGUSR1"

}  // namespace dnnsweep
