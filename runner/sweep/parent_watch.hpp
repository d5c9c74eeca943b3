#pragma once
// A rank whose launcher is gone ends itself. When `mpirun` (or the daemon that started the rank)
// dies without a chance to signal its ranks (SIGKILL, a crash), the ranks would train on as orphans,
// holding the node's cores and memory, and block in MPI at the end; each rank instead watches
// its parent and exits within a second of losing it (exit_code::failure). What it recorded is
// durable; a half-written unit is ignored by every reader and runs again on resume.
namespace dnnsweep {

// Starts the watch when this process was started by an MPI launcher; alone (no launcher), a
// rank's parent is a shell or a script whose end says nothing about the sweep.
void exit_with_launcher();

}  // namespace dnnsweep
