#include "runner/cli/run_options.hpp"

#include "engine/config.hpp"

namespace dnnsweep {
namespace po = boost::program_options;

void add_run_options(po::options_description& o, SweepOptions& run) {
    o.add_options()("retry-failed", po::bool_switch(&run.retry_failed),
                    "on resume, run the units recorded failed again (up to --retries more times); a new record "
                    "replaces the failure")(
        "no-sync", po::bool_switch(&run.no_sync),
        "flush each recorded unit without fsync (scratch file systems: a power loss may lose reported units)")(
        "batch-seconds", po::value(&run.batch_seconds)->value_name("S")->default_value(0.2, "0.2"),
        "group commit: short units are handed out and recorded in batches of about S seconds of work, one "
        "fsync and one report per batch (0: one unit at a time)")(
        "retries", po::value(&run.retries)->value_name("N")->default_value(1),
        "times a failed unit (one that threw) is run again before it is kept as failed")(
        "progress", po::value(&run.progress)->value_name("STYLE")->default_value("auto"),
        "auto (a bar on a terminal, else lines) | bar | lines | none")(
        "progress-interval", po::value(&run.progress_interval)->value_name("S")->default_value(10.0),
        "seconds between progress lines");
}

void check_run_options(const SweepOptions& run) {
    if (!(run.progress_interval > 0.0)) throw ConfigError("progress-interval: must be > 0");
    if (run.retries < 0) throw ConfigError("retries: must be >= 0");
    if (!(run.batch_seconds >= 0.0 && run.batch_seconds <= 3600.0))
        throw ConfigError("batch-seconds: must be in [0, 3600]");
}

}  // namespace dnnsweep
