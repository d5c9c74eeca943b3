#include "runner/sweep/results_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include "engine/prune_policy.hpp"
#include "outputs/data_check.hpp"
#include "outputs/results_store.hpp"
#include "outputs/shard.hpp"
#include "outputs/unit_status.hpp"

namespace dnnsweep {
namespace fs = std::filesystem;
namespace {

std::string timestamp() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&t));
    return buf;
}

// Renames `path` to `path.<why>-<time>` (never deleting anything) and says so on stderr.
void move_aside(const fs::path& path, const std::string& why, const std::string& reason) {
    fs::path target = path;
    target += "." + why + "-" + timestamp();
    for (int i = 1; fs::exists(target); ++i) target.replace_extension("." + std::to_string(i));
    fs::rename(path, target);
    std::cerr << "dnnsweep sweep: warning: " << path.string() << ": " << reason << "; moved aside to "
              << target.string() << std::endl;
}

}  // namespace

void restart_out(const std::string& out) {
    if (fs::exists(out)) move_aside(out, "replaced", "--restart");
    // An empty one (made by the checks that precede this) holds nothing worth keeping.
    if (fs::exists(parts_dir(out)) && !fs::is_empty(parts_dir(out)))
        move_aside(parts_dir(out), "replaced", "--restart");
}

void make_parts_dir(const std::string& out) {
    const fs::path parts = parts_dir(out);
    std::error_code ec;
    fs::create_directories(parts, ec);
    if (ec) {
        const std::string message = parts.string() + ": cannot create the results folder: " + ec.message();
        if (ec == std::errc::no_space_on_device || ec.value() == EDQUOT) throw Hdf5NoSpaceError(message);
        throw ResultsError(message);
    }
    if (access(parts.c_str(), W_OK) != 0) throw ResultsError(parts.string() + ": not writable");
}

Recorded check_out(const std::string& out, const SweepSpec& spec, const OutCheck& check) {
    Recorded done;
    const bool keep_curves = policy(spec.prune.mode).resumes_from_curves;  // its scheduler ranks by them
    const auto record = [&](const UnitResult& u) {
        done.units.insert(u.unit);
        const auto [it, inserted] = done.records.try_emplace(u.unit);
        if (!inserted && !unit_status::replaces(u.status, u.epochs, it->second.status, it->second.epochs)) return;
        it->second.status = u.status;
        it->second.epochs = u.epochs;
        it->second.val_acc.clear();
        if (keep_curves)
            for (const EpochMetrics& m : u.history) it->second.val_acc.push_back(m.val_acc);
    };
    const auto same_data = [&](const std::string& file, const std::string& recorded) {
        check_fingerprint(file, recorded, check.data_fingerprint, check.data_source,
                          "restore the data it was run on, choose another --out, or --restart to move the old "
                          "results aside");
    };
    const auto refuse = [&](const std::string& file, const std::string& hash) {
        throw ResultsError(file + ": holds the results of another sweep spec (hash " + hash + ", this spec " +
                           spec.hash + "); choose another --out, or --restart to move the old results aside");
    };
    if (fs::exists(out)) {
        std::optional<Results> previous;
        try {
            previous = read_results(out);
        } catch (const ResultsError& e) {
            move_aside(out, "unreadable", std::string("cannot be read (") + e.what() + ")");
        }
        if (previous) {
            if (previous->spec_hash != spec.hash) refuse(out, previous->spec_hash);
            same_data(out, previous->info.data_fingerprint);
            for (const UnitResult& u : previous->units) record(u);
        }
    }
    make_parts_dir(out);
    const fs::path parts = parts_dir(out);
    std::vector<fs::path> shards;
    for (const auto& entry : fs::directory_iterator(parts))
        if (entry.path().extension() == ".h5") shards.push_back(entry.path());
    for (const fs::path& shard : shards) {
        std::optional<detail::ShardContents> contents;
        try {
            contents = detail::read_shard_contents(shard.string());
        } catch (const ResultsError& e) {
            move_aside(shard, "unreadable", std::string("cannot be read (") + e.what() + ")");
            continue;
        }
        if (contents->spec_hash != spec.hash) refuse(shard.string(), contents->spec_hash);
        same_data(shard.string(), contents->data_fingerprint);
        for (const UnitResult& u : contents->units)
            if (u.status != UnitStatus::Stopped) record(u);
    }
    for (auto it = done.records.begin(); it != done.records.end();) {
        if (it->second.status == UnitStatus::Pruned) done.pruned.insert(it->first);
        // --retry-failed: a unit whose kept record is a failure is to be run (its new record replaces it).
        if (check.retry_failed && it->second.status == UnitStatus::Failed) {
            done.units.erase(it->first);
            it = done.records.erase(it);
        } else {
            ++it;
        }
    }
    // Held for the whole run: a million units' records are not worth keeping for nothing.
    if (!keep_curves) done.records.clear();
    return done;
}

MergeLock::MergeLock(const std::string& out) : fd_(::open((out + ".lock").c_str(), O_CREAT | O_RDWR, 0644)) {
    if (fd_ < 0) {
        const std::string message = out + ".lock: cannot open the merge lock: " + std::strerror(errno);
        if (errno == ENOSPC || errno == EDQUOT) throw Hdf5NoSpaceError(message);
        throw ResultsError(message);
    }
    if (flock(fd_, LOCK_EX) != 0) {
        const int err = errno;
        ::close(fd_);
        throw ResultsError(out + ".lock: cannot take the merge lock: " + std::strerror(err));
    }
    remove_stale_merges(out);
}

MergeLock::~MergeLock() { ::close(fd_); }

void MergeLock::remove_stale_merges(const std::string& out) {
    const fs::path target = fs::absolute(out);
    const std::string prefix = target.filename().string() + ".tmp-";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        if (name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) continue;
        std::error_code removed;
        if (fs::remove(entry.path(), removed))
            std::cerr << "dnnsweep sweep: removed " << entry.path().string()
                      << ", left by a merge that was killed before it finished" << std::endl;
    }
}

}  // namespace dnnsweep
