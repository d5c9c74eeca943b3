#include "runner/signals.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

#include "runner/command.hpp"

namespace dnnsweep {
namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_interrupts{0};
static_assert(std::atomic<int>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

extern "C" void on_stop_signal(int sig) {
    if (sig == SIGINT && g_interrupts.fetch_add(1) >= 1) {
        constexpr char msg[] = "dnnsweep: second SIGINT: exiting now\n";
        [[maybe_unused]] const auto n = write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(exit_code::interrupted);
    }
    int expected = 0;
    g_signal.compare_exchange_strong(expected, sig);
}

}  // namespace

void install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (const int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaction(sig, &sa, nullptr);
}

int stop_signal() { return g_signal.load(std::memory_order_relaxed); }

const char* signal_label(int sig) {
    switch (sig) {
        case SIGTERM: return "SIGTERM";
        case SIGINT: return "SIGINT";
        case SIGUSR1: return "SIGUSR1";
        default: return "a signal";
    }
}

}  // namespace dnnsweep
