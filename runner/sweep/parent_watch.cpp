#include "runner/sweep/parent_watch.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "runner/sweep/exit_codes.hpp"

namespace dnnsweep {

void exit_with_launcher() {
    // Open MPI's launcher sets this in every rank it starts (Slurm's srun sets SLURM_PROCID).
    if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("SLURM_PROCID") == nullptr) return;
    static std::once_flag once;
    std::call_once(once, [] {
        const pid_t parent = getppid();
        if (parent <= 1) return;  // already orphaned, or started by init: nothing to watch
        std::thread([parent] {
            for (;;) {
                std::this_thread::sleep_for(std::chrono::milliseconds(250));
                if (getppid() != parent) _exit(exit_code::failure);  // re-parented: the launcher died
            }
        }).detach();
    });
}

}  // namespace dnnsweep
