#pragma once
// One sweep per results file. The sweep's rank 0 holds `RESULTS.h5.sweep-lock` from its checks to
// its exit: a file created with O_EXCL (atomic on local and NFS file systems alike, no flock),
// holding who holds it, its modification time refreshed every few seconds while the sweep runs.
// A second sweep finds it and refuses, naming the host and process of the running one; a lock left
// behind by a crash is stale (same host: its process is gone; any host: not refreshed for a
// minute) and is taken over with a warning. The array tasks of one job share the lock: the first
// creates it, and when it ends another task still running creates it again within kRefreshEvery.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace dnnsweep {

// Who holds the lock, as its file says.
struct LockHolder {
    std::string host;
    long pid = 0;
    double started_at = 0.0;  // Unix seconds
    std::string job;          // the Slurm job (array job for an array task); empty outside Slurm
    std::string spec_hash;
    int array_tasks = 1;  // > 1: an array task of a job that splits the units K ways
    std::string text() const;
};

class SweepLock {
public:
    // `me` says who is asking. Throws ResultsError (one line naming the running sweep's host and
    // process) when another live sweep holds it; an array task of the same job shares it instead.
    SweepLock(const std::string& out, LockHolder me);
    ~SweepLock();  // removes the file if it is still this sweep's
    SweepLock(const SweepLock&) = delete;
    SweepLock& operator=(const SweepLock&) = delete;

    static std::string path_for(const std::string& out);  // out + ".sweep-lock"
    // How long a lock goes unrefreshed before another host may take it over, and the refresh period.
    static constexpr std::chrono::seconds kStaleAfter{60}, kRefreshEvery{5};

private:
    void refresh_until_released();

    std::string path_, content_;
    bool owner_ = false;  // false: an array task sharing another task's lock
    std::mutex mutex_;
    std::condition_variable released_;
    bool releasing_ = false;
    std::thread refresher_;
};

}  // namespace dnnsweep
