#pragma once
// How a training run is interrupted between mini-batches. The engine knows nothing of signals or
// MPI: the runner installs a check ("did a signal arrive? did the coordinator say abort?") and
// train_model calls it before every optimizer step, returning with status Stopped when it says so.
namespace dnnsweep {

using StopCheck = bool (*)();

// nullptr (the default): never stop. Set once per process, before training starts.
void set_stop_check(StopCheck check);
bool stop_requested();

}  // namespace dnnsweep
