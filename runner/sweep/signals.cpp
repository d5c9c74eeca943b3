#include "runner/sweep/signals.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include "runner/sweep/exit_codes.hpp"

namespace dnnsweep {
namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_interrupts{0};

sigset_t signal_set(StopSignals which) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (which == StopSignals::Sweep) sigaddset(&set, SIGUSR1);
    return set;
}

void say(std::string_view message) {
    [[maybe_unused]] const auto n = write(STDERR_FILENO, message.data(), message.size());
}

[[noreturn]] void take_stop_signals(sigset_t set, StopSignals which) {
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        int expected = 0;
        const bool first = g_signal.compare_exchange_strong(expected, sig);
        if (which == StopSignals::Train) {
            if (!first) _exit(128 + sig);
            say("dnnsweep train: stopping after this epoch (signal again to abort)\n");
        } else if (sig == SIGINT && g_interrupts.fetch_add(1) >= 1) {
            say("dnnsweep: second SIGINT: exiting now\n");
            _exit(exit_code::interrupted);
        }
    }
}

}  // namespace

void install_stop_signals(StopSignals which) {
    static std::once_flag once;
    std::call_once(once, [which] {
        const sigset_t set = signal_set(which);
        if (const int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0)
            throw std::system_error(rc, std::generic_category(), "blocking the stop signals");
        std::thread(take_stop_signals, set, which).detach();
    });
}

int stop_signal() { return g_signal.load(std::memory_order_relaxed); }

const char* signal_label(int sig) {
    switch (sig) {
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGUSR1:
        return "SIGUSR1";
    default:
        return "a signal";
    }
}

}  // namespace dnnsweep
