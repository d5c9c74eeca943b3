// Per-rank shards: one SWMR file per rank and run, appended one unit at a time.
#include "outputs/shard.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <system_error>

#include "engine/hdf5/hdf5.hpp"
#include "outputs/results_store.hpp"
#include "outputs/tables.hpp"

namespace dnnsweep {

namespace {
// Identifies the layout in a file's `format` attribute (docs/hdf5-layout.md).
constexpr const char* kShardFormat = "dnnsweep-shard 1";
}  // namespace

std::string parts_dir(const std::string& out_path) { return out_path + ".parts"; }

std::string shard_path(const std::string& out_path, int rank, const std::string& run_id) {
    return parts_dir(out_path) + "/rank-" + std::to_string(rank) + "-" + run_id + ".h5";
}

struct ShardWriter::Impl {
    std::string path;
    // Declared before the datasets so that they close first and the file last.
    h5::File file;
    h5::Dataset folds, curves, grad_norms, errors, confusion;
    std::uint64_t records = 0;  // rows of `folds` written: the next unit's record number
    bool broken = false;        // an append failed part-way: the shard's state is unknown
    bool sync = true;           // fsync after every append (off: --no-sync)
};

namespace {
// fsync of a folder, so a file created or renamed in it is found after a power loss.
void sync_dir(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        throw ResultsError(dir.string() + ": syncing to disk: " + std::strerror(err));
    }
    ::close(fd);
}
}  // namespace

ShardWriter::ShardWriter(const std::string& path, const SweepSpec& spec, const RunInfo& info, int rank, bool sync)
    : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    impl_->sync = sync;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec) throw ResultsError("creating " + parent.string() + ": " + ec.message());
    }
    // Created under a temporary name and renamed once complete: readers (a resume, `dnnsweep
    // status`, the other tasks of a job array) only look at `*.h5`, so they never see a shard
    // whose superblock and tables are still being written, and never mistake it for a broken one.
    const std::string creating = path + ".creating";
    if (std::filesystem::exists(path))
        throw ResultsError(path + ": cannot create: the shard exists (a shard is never overwritten)");
    impl_->file = h5::File::create(creating, h5::File::Format::Swmr);
    const h5::File& f = impl_->file;
    // Attributes and datasets cannot be created once SWMR writing has started.
    f.set_attr("format", std::string(kShardFormat));
    f.set_attr("spec", spec.text);
    f.set_attr("spec_hash", spec.hash);
    f.set_attr("version", info.version);
    f.set_attr("run_id", info.run_id);
    f.set_attr("rank", std::int64_t{rank});
    f.set_attr("started_at", info.started_at);
    f.set_attr("data_fingerprint", info.data_fingerprint);
    f.set_attr("samples", std::uint64_t{info.data.samples});
    f.set_attr("features", std::uint64_t{info.data.features});
    f.set_attr("classes", std::int64_t{info.data.classes});
    const detail::UnitTables schema = detail::unit_tables({}, detail::Flavor::Shard);
    impl_->folds = f.create_table("folds", schema.folds, {.chunk_rows = 64});
    impl_->curves = f.create_table("curves", schema.curves, {.chunk_rows = 256});
    impl_->grad_norms = f.create_table("grad_norms", schema.grad_norms, {.chunk_rows = 1024});
    impl_->errors = f.create_table("errors", schema.errors, {.chunk_rows = 16});
    impl_->confusion = f.create_table("confusion", schema.confusion, {.chunk_rows = 256});
    f.start_swmr_write();
    std::error_code ec;
    std::filesystem::rename(creating, path, ec);
    if (ec) throw ResultsError(creating + ": cannot rename to " + path + ": " + ec.message());
    if (sync) {
        f.sync();
        sync_dir(parent.empty() ? std::filesystem::path(".") : parent);
    }
}

ShardWriter::~ShardWriter() = default;

const std::string& ShardWriter::path() const { return impl_->path; }

void ShardWriter::append(std::span<const UnitResult> units) {
    Impl& s = *impl_;
    if (units.empty()) return;
    if (s.broken) throw ResultsError(s.path + ": an earlier append failed; this shard takes no more units");
    // Builds (and validates) every row before writing any, so a refused unit leaves nothing behind.
    const detail::UnitTables t = [&] {
        try {
            return detail::unit_tables(units, detail::Flavor::Shard, s.records);
        } catch (const ResultsError& e) {
            const std::string which = units.size() == 1 ? "unit " + std::to_string(units.front().unit)
                                                        : "units " + std::to_string(units.front().unit) + "..." +
                                                              std::to_string(units.back().unit);
            throw ResultsError(s.path + ": " + which + ": " + e.what());
        }
    }();
    try {
        // The units' details first, each made visible; their `folds` rows last, as the completion
        // marks. A table that got no rows (errors, mostly) has nothing to flush: each flush writes
        // metadata. One write and one flush per table whatever the number of units.
        const auto append_flushed = [](const h5::Dataset& d, const h5::Table& rows) {
            if (rows.rows() == 0) return;
            d.append(rows);
            d.flush();
        };
        append_flushed(s.curves, t.curves);
        append_flushed(s.grad_norms, t.grad_norms);
        append_flushed(s.errors, t.errors);
        append_flushed(s.confusion, t.confusion);
        s.folds.append(t.folds);
        s.folds.flush();
        s.file.flush();
        // On disk before the caller reports the units (to rank 0): a power loss keeps them.
        if (s.sync) s.file.sync();
    } catch (...) {
        s.broken = true;
        throw;
    }
    s.records += units.size();
}

namespace detail {

ShardContents read_shard_contents(const std::string& path) {
    const h5::File f = h5::File::open(path, h5::File::Access::SwmrRead);
    ShardContents c;
    c.spec_hash = f.attr_string("spec_hash");
    c.run_id = f.attr_string("run_id");
    c.rank = static_cast<int>(f.attr_int("rank"));
    if (f.has_attr("data_fingerprint")) {  // shards of versions before it lack the data's identity
        c.data_fingerprint = f.attr_string("data_fingerprint");
        c.data = {f.attr_uint("samples"), f.attr_uint("features"), static_cast<int>(f.attr_int("classes"))};
    }
    // `folds` first: every detail row of a unit with a folds row was flushed before that row, so
    // reading the details afterwards sees them all, even while the writer goes on.
    const h5::Table folds = f.open_dataset("folds").read_all();
    const h5::Table curves = f.open_dataset("curves").read_all();
    const h5::Table grad_norms = f.open_dataset("grad_norms").read_all();
    const h5::Table errors = f.open_dataset("errors").read_all();
    // A shard of a version before confusion matrices: its units have none.
    const std::optional<h5::Table> confusion =
        f.exists("confusion") ? std::optional(f.open_dataset("confusion").read_all()) : std::nullopt;
    c.units = units_from_tables(folds, curves, grad_norms, &errors, confusion ? &*confusion : nullptr);
    return c;
}

}  // namespace detail

std::vector<UnitResult> read_shard(const std::string& path) { return detail::read_shard_contents(path).units; }

}  // namespace dnnsweep
