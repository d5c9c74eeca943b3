// bench_data_load: seconds to load a data file as a sweep does (load_dataset: features, labels,
// class mapping, finiteness check) and to read its features straight into a buffer (what fills the
// node's shared window), best of --repeats, as wall time and as this process's CPU time (user +
// system: on a machine shared with other work, the figure that contention does not inflate).
// Prints one JSON object.
//   bench_data_load FILE [--repeats N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "engine/aligned_buffer.hpp"
#include "engine/dataset.hpp"

namespace {

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace dnnsweep;
    using clock = std::chrono::steady_clock;
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_data_load FILE [--repeats N]\n");
        return 2;
    }
    const std::string path = argv[1];
    int repeats = 3;
    if (argc == 4 && std::string(argv[2]) == "--repeats") repeats = std::max(1, std::atoi(argv[3]));
    double load_best = 1e30, read_best = 1e30, load_cpu = 1e30, read_cpu = 1e30;
    std::size_t rows = 0, cols = 0;
    int classes = 0;
    try {
        for (int r = 0; r < repeats; ++r) {
            const auto t0 = clock::now();
            const double c0 = cpu_seconds();
            const Dataset d = load_dataset(path, LoadOptions{});
            load_cpu = std::min(load_cpu, cpu_seconds() - c0);
            load_best = std::min(load_best, std::chrono::duration<double>(clock::now() - t0).count());
            rows = d.size();
            cols = d.features();
            classes = d.classes;
        }
        AlignedBuffer buffer(rows * cols);
        for (int r = 0; r < repeats; ++r) {
            const auto t0 = clock::now();
            const double c0 = cpu_seconds();
            if (!read_features_into(path, LoadOptions{}, buffer.data(), rows, cols)) {
                std::fprintf(stderr, "%s: its features cannot be read into a buffer\n", path.c_str());
                return 1;
            }
            read_cpu = std::min(read_cpu, cpu_seconds() - c0);
            read_best = std::min(read_best, std::chrono::duration<double>(clock::now() - t0).count());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_data_load: %s\n", e.what());
        return 1;
    }
    std::printf(
        "{\"rows\": %zu, \"features\": %zu, \"classes\": %d, \"load_dataset_s\": %.4f, \"read_into_s\": %.4f, "
        "\"load_dataset_cpu_s\": %.4f, \"read_into_cpu_s\": %.4f}\n",
        rows, cols, classes, load_best, read_best, load_cpu, read_cpu);
    return 0;
}
