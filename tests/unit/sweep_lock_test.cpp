// One sweep per results file (runner/sweep/sweep_lock.hpp) and results tied to their data
// (outputs/data_check.hpp), without MPI.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "outputs/data_check.hpp"
#include "runner/sweep/sweep_lock.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

class SweepLockTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() / ("dnnsweep-lock-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string out() const { return (dir_ / "r.h5").string(); }
    static LockHolder me(const std::string& host = "here", int array_tasks = 1) {
        LockHolder h;
        h.host = host;
        h.pid = ::getpid();
        h.started_at = 1.0e9;
        h.spec_hash = "abc";
        h.array_tasks = array_tasks;
        return h;
    }
    static std::string read(const std::string& path) {
        std::ifstream in(path);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    fs::path dir_;
};

long reaped_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

TEST_F(SweepLockTest, HeldWhileAliveRefusedToASecondSweepThenReleased) {
    {
        const SweepLock first(out(), me());
        EXPECT_NE(read(SweepLock::path_for(out())).find("pid=" + std::to_string(::getpid())), std::string::npos);
        try {
            const SweepLock second(out(), me());
            FAIL() << "a second sweep took a live lock";
        } catch (const ResultsError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("another sweep is writing it (host here, process " + std::to_string(::getpid())),
                      std::string::npos)
                << what;
        }
    }
    EXPECT_FALSE(fs::exists(SweepLock::path_for(out()))) << "released when the sweep ends";
    const SweepLock again(out(), me());  // and free for the next
}

TEST_F(SweepLockTest, ADeadProcessesLockOnThisHostIsTakenOver) {
    LockHolder dead = me();
    dead.pid = reaped_pid();
    std::ofstream(SweepLock::path_for(out())) << dead.text();
    const SweepLock lock(out(), me());
    EXPECT_EQ(read(SweepLock::path_for(out())), me().text());
}

TEST_F(SweepLockTest, AnotherHostsLockIsLiveUntilItGoesUnrefreshed) {
    LockHolder other = me("elsewhere");
    other.pid = reaped_pid();  // another host's pids say nothing here
    const std::string path = SweepLock::path_for(out());
    std::ofstream(path) << other.text();
    EXPECT_THROW({ const SweepLock refused(out(), me()); }, ResultsError);
    fs::last_write_time(path, fs::file_time_type::clock::now() - SweepLock::kStaleAfter - std::chrono::seconds(5));
    const SweepLock lock(out(), me());
    EXPECT_EQ(read(path), me().text());
}

TEST_F(SweepLockTest, TasksOfOneJobArrayShareIt) {
    const SweepLock task0(out(), me("here", 4));
    const SweepLock task1(out(), me("here", 4));  // does not throw
    EXPECT_THROW({ const SweepLock refused(out(), me("here", 1)); }, ResultsError);
    LockHolder other_spec = me("here", 4);
    other_spec.spec_hash = "def";
    EXPECT_THROW({ const SweepLock refused(out(), other_spec); }, ResultsError);
}

TEST(DataCheck, SameOrUnrecordedFingerprintPassesOtherIsRefusedNamingBoth) {
    EXPECT_NO_THROW(check_fingerprint("r.h5", "aa", "aa", "data.txt"));
    EXPECT_NO_THROW(check_fingerprint("r.h5", "", "aa", "data.txt"));  // a file of an older version
    try {
        check_fingerprint("r.h5", "aa", "bb", "data.txt", "do this");
        FAIL() << "other data accepted";
    } catch (const ResultsError& e) {
        EXPECT_STREQ(e.what(), "r.h5: recorded from other data (data fingerprint aa; data.txt now has bb); do this");
    }
}

}  // namespace
}  // namespace dnnsweep
