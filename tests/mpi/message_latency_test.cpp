// How long a sweep's messages wait (runner/sweep/mpi.hpp): rank 1 plays a worker that trains for a while,
// then asks and waits for an answer; rank 0 plays the coordinator, polling with Backoff as
// coordinate() does. Run under `mpirun -np 2`: `message_latency_test`.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>
#include <vector>

#include "runner/sweep/mpi.hpp"

namespace dnnsweep {
namespace {

using Clock = std::chrono::steady_clock;

int world_rank() {
    int r = 0;
    mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &r), "MPI_Comm_rank");
    return r;
}

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Rank 0's side: answers `rounds` requests the way the coordinator does (probe, else back off).
void answer_requests(int rounds) {
    Backoff backoff;
    for (int answered = 0; answered < rounds;) {
        MPI_Status status;
        if (!probe_any(status)) {
            backoff.wait();
            continue;
        }
        backoff.reset();
        const auto request = recv_words(1, status.MPI_SOURCE, status.MPI_TAG);
        send_words(request, status.MPI_SOURCE, 2);
        ++answered;
    }
}

// A unit of 30 ms lets rank 0's backoff reach its cap before each request: the worst case short
// of a long wait. With a 20 ms cap, or one MPI_Iprobe per poll (Open MPI sees a message that came
// during a sleep only at the second probe), the median was 20-60 ms, or about 4 ms: then no wait
// is under one 2 ms pause, while now they spread over 0.1-2.3 ms. The quartile tells the two
// apart with room for a loaded machine's late wake-ups; the loose median bound catches the cap.
// No check leaves the loop early, so rank 0 is never left waiting for requests.
TEST(MessageLatency, AWorkerWaitsAboutAMillisecondForItsAnswer) {
    constexpr int kRounds = 40;
    if (world_rank() == 0) {
        answer_requests(kRounds);
        return;
    }
    std::vector<double> waits;
    for (int i = 0; i < kRounds; ++i) {
        // 30 ms plus a phase stepped through rank 0's 2 ms poll period: periodic sleeps on both
        // sides otherwise lock in phase on a loaded machine (every wait then about 1.9 ms).
        std::this_thread::sleep_for(std::chrono::microseconds(30000 + (i * 370) % 2200));
        send_words({static_cast<std::uint64_t>(i)}, 0, 1);
        const auto start = Clock::now();
        const auto [tag, words] = recv_polling(1, 0);
        waits.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        EXPECT_EQ(tag, 2);
        EXPECT_EQ(words.at(0), static_cast<std::uint64_t>(i));
    }
    std::sort(waits.begin(), waits.end());
    const double quartile = waits[waits.size() / 4], median = waits[waits.size() / 2];
    std::printf("round trip after a 30 ms unit: quartile %.2f ms, median %.2f ms, max %.2f ms\n", quartile, median,
                waits.back());
    EXPECT_LT(quartile, 1.5) << "a request is seen at the first poll after it arrives";
    EXPECT_LT(median, 10.0) << "rank 0 polls at most every 2 ms while messages keep coming";
}

// A long wait (a long unit, the final merge) must not cost a core: the pauses grow to 20 ms after
// the first second. 1.5 s of waiting: about 500 polls at 2 ms then 25 at 20 ms.
TEST(MessageLatency, ALongWaitCostsLittleCpu) {
    const double cpu0 = process_cpu_seconds();
    const auto t0 = Clock::now();
    if (world_rank() == 0) {
        answer_requests(1);
    } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        send_words({7}, 0, 1);
        const auto [tag, words] = recv_polling(1, 0);
        EXPECT_EQ(tag, 2);
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double share = (process_cpu_seconds() - cpu0) / wall;
    std::printf("rank %d: %.2f%% of a core over %.2f s of waiting\n", world_rank(), 100.0 * share, wall);
    EXPECT_LT(share, 0.05) << "a waiting rank sleeps between polls instead of spinning";
}

}  // namespace
}  // namespace dnnsweep

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    const dnnsweep::MpiSession mpi;
    const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
    // Every rank's verdict decides every rank's exit code, so mpirun fails if any rank failed.
    int any = 0;
    dnnsweep::mpi_check(MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return any;
}
