#include "runner/sweep/sweep_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/results_store.hpp"

namespace dnnsweep {
namespace fs = std::filesystem;
namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A holder from the file's `key=value` lines; nullopt for a file still being written (or garbage).
std::optional<LockHolder> parse_holder(const std::string& text) {
    LockHolder h;
    bool complete = false;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line == "end") complete = true;  // written last
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        try {
            if (key == "host")
                h.host = value;
            else if (key == "pid")
                h.pid = std::stol(value);
            else if (key == "started_at")
                h.started_at = std::stod(value);
            else if (key == "job")
                h.job = value;
            else if (key == "spec_hash")
                h.spec_hash = value;
            else if (key == "array_tasks")
                h.array_tasks = std::stoi(value);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (!complete || h.host.empty() || h.pid <= 0) return std::nullopt;
    return h;
}

// The file system's clock, not this host's: the lock's modification times come from the host (or
// NFS server) that wrote them, so its age is judged on one clock.
double fs_now(const fs::path& dir) {
    const fs::path probe = dir / fmt::format(".sweep-lock-clock-{}", ::getpid());
    const int fd = ::open(probe.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    struct stat st {};
    const bool ok = fd >= 0 && ::fstat(fd, &st) == 0;
    if (fd >= 0) {
        ::close(fd);
        ::unlink(probe.c_str());
    }
    if (!ok) return static_cast<double>(std::time(nullptr));
    return static_cast<double>(st.st_mtim.tv_sec) + 1e-9 * static_cast<double>(st.st_mtim.tv_nsec);
}

// Seconds since the file was last refreshed; nullopt when it is gone.
std::optional<double> age_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    const double mtime = static_cast<double>(st.st_mtim.tv_sec) + 1e-9 * static_cast<double>(st.st_mtim.tv_nsec);
    return fs_now(fs::absolute(path).parent_path()) - mtime;
}

// A zombie counts as gone: a rank killed with its launcher waits for a reaper that may be slow to
// come, and kill(pid, 0) still succeeds on it.
bool process_gone(long pid) {
    if (::kill(static_cast<pid_t>(pid), 0) != 0) return errno == ESRCH;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const std::size_t close = text.rfind(')');  // the command name may hold spaces and parentheses
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

// Why a holder's lock is stale, or empty while it is alive.
std::string stale_reason(const LockHolder& h, const std::string& my_host, double age) {
    const double limit = static_cast<double>(SweepLock::kStaleAfter.count());
    if (h.host == my_host && process_gone(h.pid)) return fmt::format("its process {} on this host is gone", h.pid);
    if (age > limit) return fmt::format("not refreshed for {:.0f} s", age);
    return {};
}

std::string describe(const LockHolder& h) {
    std::string s = fmt::format("host {}, process {}", h.host, h.pid);
    if (h.started_at > 0.0)
        s += fmt::format(", started {:%Y-%m-%d %H:%M:%S}", fmt::localtime(static_cast<std::time_t>(h.started_at)));
    if (!h.job.empty()) s += ", Slurm job " + h.job;
    return s;
}

// A full file system or spent quota is the one failure freeing space fixes (exit code 4).
[[noreturn]] void fail_lock(const std::string& what, int err) {
    if (err == ENOSPC || err == EDQUOT) throw Hdf5NoSpaceError(what + std::strerror(err));
    throw ResultsError(what + std::strerror(err));
}

// Creates the lock with `content` if no file is there; false if one is.
bool try_create(const std::string& path, const std::string& content) {
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        fail_lock(path + ": cannot create the sweep lock: ", errno);
    }
    const bool written =
        ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!written) {
        ::unlink(path.c_str());
        fail_lock(path + ": cannot write the sweep lock: ", err);
    }
    return true;
}

// Serialises taking over a stale lock: of two sweeps that find it stale, one removes it.
class Takeover {
public:
    explicit Takeover(std::string path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd_ < 0 && errno == EEXIST) {
            // One left by a sweep that crashed while taking over: itself stale after a while.
            if (const auto age = age_of(path_); age && *age > static_cast<double>(SweepLock::kStaleAfter.count())) {
                ::unlink(path_.c_str());
                fd_ = ::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
            }
        }
    }
    ~Takeover() {
        if (fd_ >= 0) {
            ::close(fd_);
            ::unlink(path_.c_str());
        }
    }
    Takeover(const Takeover&) = delete;
    Takeover& operator=(const Takeover&) = delete;
    bool held() const { return fd_ >= 0; }

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace

std::string LockHolder::text() const {
    return fmt::format("host={}\npid={}\nstarted_at={:.3f}\njob={}\nspec_hash={}\narray_tasks={}\nend\n", host, pid,
                       started_at, job, spec_hash, array_tasks);
}

std::string SweepLock::path_for(const std::string& out) { return out + ".sweep-lock"; }

SweepLock::SweepLock(const std::string& out, LockHolder me) : path_(path_for(out)), content_(me.text()) {
    constexpr int kAttempts = 20;
    bool shared = false;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        if (try_create(path_, content_)) {
            owner_ = true;
            break;
        }
        const std::string text = read_text(path_);
        const std::optional<LockHolder> holder = parse_holder(text);
        const std::optional<double> age = age_of(path_);
        if (!age) continue;  // released meanwhile: try again
        if (!holder) {
            // Being written right now, or left half-written by a crash (then stale after a while).
            if (*age <= static_cast<double>(kStaleAfter.count())) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (attempt + 1 < kAttempts) continue;
                throw ResultsError(path_ + ": another sweep is starting on " + out + " (its lock is being written)");
            }
        } else if (holder->array_tasks > 1 && holder->array_tasks == me.array_tasks &&
                   holder->spec_hash == me.spec_hash && holder->job == me.job) {
            shared = true;
            break;  // another task of this job array: the tasks write their own shards side by side
        } else if (const std::string why = stale_reason(*holder, me.host, *age); why.empty()) {
            throw ResultsError(out + ": another sweep is writing it (" + describe(*holder) +
                               "); wait for it to end or stop it (its lock: " + path_ + ")");
        } else {
            std::cerr << "dnnsweep sweep: warning: " << path_ << ": taking over the lock of a sweep that ended without "
                      << "releasing it (" << describe(*holder) << "; " << why << ")" << std::endl;
        }
        const Takeover takeover(path_ + ".takeover");
        if (!takeover.held()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        if (read_text(path_) == text) ::unlink(path_.c_str());  // still the stale one, not a new sweep's
        if (try_create(path_, content_)) {
            owner_ = true;
            break;
        }
    }
    if (!owner_ && !shared) throw ResultsError(path_ + ": cannot take the sweep lock (other sweeps keep taking it)");
    refresher_ = std::thread([this] { refresh_until_released(); });
}

void SweepLock::refresh_until_released() {
    std::unique_lock lock(mutex_);
    while (!released_.wait_for(lock, kRefreshEvery, [this] { return releasing_; })) {
        // An array task whose lock's creator has ended holds the job's lock from now on, so no
        // other sweep starts on the results while this task still writes them.
        if (!owner_ && !fs::exists(path_)) {
            try {
                owner_ = try_create(path_, content_);
            } catch (const std::exception& e) {
                std::cerr << "dnnsweep sweep: warning: " << e.what() << std::endl;
            }
        }
        ::utimensat(AT_FDCWD, path_.c_str(), nullptr, 0);  // now, by the file system's clock
    }
}

SweepLock::~SweepLock() {
    {
        const std::lock_guard lock(mutex_);
        releasing_ = true;
    }
    released_.notify_all();
    if (refresher_.joinable()) refresher_.join();
    if (owner_ && read_text(path_) == content_) ::unlink(path_.c_str());
}

}  // namespace dnnsweep
