#pragma once
// The batch script of `dnnsweep submit`: a template (slurm/sweep.sbatch, or the user's) with its
// {{fields}} filled in from the job's resources and command line.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace dnnsweep {

// What the script asks Slurm for and runs. Empty strings leave their #SBATCH line out.
struct BatchJob {
    std::filesystem::path dnnsweep, spec, out;  // absolute: the job starts in another folder
    int nodes = 1, ntasks_per_node = 1, cpus_per_task = 1;
    std::string time, partition, account;
    std::string launcher = "srun";  // srun | mpirun
    int max_requeues = 10;
    int array_tasks = 1;        // > 1: a job array, each task running its share of the units
    long signal_seconds = 300;  // SIGUSR1 this long before the time limit
};

// Seconds of a Slurm --time value: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S"; nullopt for
// no limit ("unlimited", "infinite"). ConfigError("time: ...") when it is none of these.
std::optional<long> slurm_time_seconds(const std::string& time);

// The SIGUSR1 lead time: `requested` when positive (ConfigError "signal-seconds: ..." unless it is
// below the limit), else a quarter of the limit between 30 and 300 s (300 without a limit), so the
// sweep has time to stop and merge before the limit itself.
long signal_seconds(long requested, std::optional<long> limit);

// ConfigError("OPTION: ...") when `value` cannot go on an #SBATCH line (white space, quotes,
// backslashes: the line is split at white space and does not continue).
void check_directive_value(const std::string& option, const std::string& value);

// `text` with every {{field}} replaced. A line holding a field whose value is empty is left out:
// that is how an #SBATCH option that was not given disappears. ConfigError("template: line N:
// ...") for an unknown field or a '{{' without '}}'.
std::string render_template(const std::string& text, const std::map<std::string, std::string>& fields);

// The fields of `job` for render_template: job_name, nodes, ntasks_per_node, cpus_per_task, time,
// partition, account, array, log, signal_seconds, dnnsweep, spec, out, max_requeues, array_tasks,
// launcher. Paths are quoted for bash; the log pattern escapes Slurm's '%'.
std::map<std::string, std::string> batch_fields(const BatchJob& job);

// `text` as one word for bash: single-quoted, each ' written as '\''.
std::string shell_quote(const std::string& text);

}  // namespace dnnsweep
