#include "engine/data_fingerprint.hpp"

#include <xxhash.h>

#include <cstdint>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace dnnsweep {
namespace {

struct StateDeleter {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
};
using State = std::unique_ptr<XXH3_state_t, StateDeleter>;

void update(XXH3_state_t* state, const void* bytes, std::size_t n) {
    if (XXH3_128bits_update(state, bytes, n) == XXH_ERROR)
        throw std::runtime_error("data fingerprint: XXH3 update failed");
}

template <typename T>
void update_value(XXH3_state_t* state, const T& v) {
    update(state, &v, sizeof v);
}

void update_dataset(XXH3_state_t* state, const Dataset& d) {
    update_value(state, static_cast<std::uint64_t>(d.size()));
    update_value(state, static_cast<std::uint64_t>(d.features()));
    update_value(state, static_cast<std::int64_t>(d.classes));
    if (d.size() > 0) update(state, d.x.row(0), d.size() * d.features() * sizeof(float));  // rows are contiguous
    update(state, d.y.data(), d.y.size() * sizeof(d.y[0]));
    update_value(state, static_cast<std::uint64_t>(d.class_names.size()));
    for (const auto& name : d.class_names) {
        update_value(state, static_cast<std::uint64_t>(name.size()));
        update(state, name.data(), name.size());
    }
}

}  // namespace

std::string data_fingerprint(const Dataset& data) { return data_fingerprint(data, nullptr); }

std::string data_fingerprint(const Dataset& data, const Dataset* test_set) {
    const State state(XXH3_createState());
    if (!state || XXH3_128bits_reset(state.get()) == XXH_ERROR)
        throw std::runtime_error("data fingerprint: XXH3 state");
    update_dataset(state.get(), data);
    const std::uint8_t has_test = test_set != nullptr;
    update_value(state.get(), has_test);
    if (test_set) update_dataset(state.get(), *test_set);
    const XXH128_hash_t h = XXH3_128bits_digest(state.get());
    return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace dnnsweep
