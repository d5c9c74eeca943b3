#include "engine/stop.hpp"

#include <atomic>

namespace dnnsweep {
namespace {
std::atomic<StopCheck> g_check{nullptr};
}  // namespace

void set_stop_check(StopCheck check) { g_check.store(check); }

bool stop_requested() {
    const StopCheck check = g_check.load(std::memory_order_relaxed);
    return check != nullptr && check();
}

}  // namespace dnnsweep
