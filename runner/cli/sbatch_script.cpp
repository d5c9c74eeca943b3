#include "runner/cli/sbatch_script.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <string_view>
#include <vector>

#include "engine/config.hpp"

namespace dnnsweep {
namespace fs = std::filesystem;
namespace {

long parse_count(std::string_view text, const std::string& what) {
    long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) throw ConfigError(what);
    return value;
}

// A job name Slurm and squeue show plainly: the spec's file name, other characters as '_'.
std::string job_name(const fs::path& spec) {
    std::string name = "dnnsweep-" + spec.stem().string();
    std::ranges::replace_if(
        name, [](unsigned char c) { return !std::isalnum(c) && c != '-' && c != '_' && c != '.'; }, '_');
    return name;
}

// Slurm's file name patterns treat '%' as special; "%%" is a plain '%'.
std::string escape_percent(const std::string& path) {
    std::string out;
    for (const char c : path) out += c == '%' ? std::string("%%") : std::string(1, c);
    return out;
}

}  // namespace

std::optional<long> slurm_time_seconds(const std::string& time) {
    std::string lower = time;
    std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "unlimited" || lower == "infinite") return std::nullopt;
    const std::string bad =
        "time: '" + time + "' is not a Slurm time (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)";
    std::string_view rest = time;
    long days = -1;
    if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
        days = parse_count(rest.substr(0, dash), bad);
        rest.remove_prefix(dash + 1);
    }
    std::vector<long> parts;
    for (;;) {
        const auto colon = rest.find(':');
        parts.push_back(parse_count(rest.substr(0, colon), bad));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    if (parts.size() > 3) throw ConfigError(bad);
    long seconds = 0;
    if (days >= 0) {  // D-H, D-H:M, D-H:M:S
        const long scale[] = {3600, 60, 1};
        seconds = days * 86400;
        for (std::size_t i = 0; i < parts.size(); ++i) seconds += parts[i] * scale[i];
    } else if (parts.size() == 1) {
        seconds = parts[0] * 60;
    } else if (parts.size() == 2) {
        seconds = parts[0] * 60 + parts[1];
    } else {
        seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
    }
    if (seconds <= 0) throw ConfigError("time: must be more than 0, got '" + time + "'");
    return seconds;
}

long signal_seconds(long requested, std::optional<long> limit) {
    if (requested > 0) {
        if (limit && requested >= *limit)
            throw ConfigError("signal-seconds: " + std::to_string(requested) + " is not less than --time (" +
                              std::to_string(*limit) + " s)");
        return requested;
    }
    if (!limit) return 300;
    const long s = std::clamp(*limit / 4, 30L, 300L);
    return s < *limit ? s : std::max(1L, *limit / 2);
}

void check_directive_value(const std::string& option, const std::string& value) {
    if (value.find_first_of(" \t\r\n\"'\\") != std::string::npos)
        throw ConfigError(option + ": '" + value +
                          "': white space, quotes and backslashes cannot go on an #SBATCH line");
}

std::string render_template(const std::string& text, const std::map<std::string, std::string>& fields) {
    std::string out;
    std::istringstream in(text);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        std::string rendered;
        bool drop = false;
        std::size_t pos = 0;
        for (std::size_t open; (open = line.find("{{", pos)) != std::string::npos;) {
            const std::size_t close = line.find("}}", open + 2);
            if (close == std::string::npos)
                throw ConfigError("template: line " + std::to_string(number) + ": '{{' without '}}'");
            const std::string name = line.substr(open + 2, close - open - 2);
            const auto field = fields.find(name);
            if (field == fields.end())
                throw ConfigError("template: line " + std::to_string(number) + ": unknown field {{" + name + "}}");
            drop = drop || field->second.empty();
            rendered.append(line, pos, open - pos).append(field->second);
            pos = close + 2;
        }
        rendered.append(line, pos);
        if (!drop) out += rendered + '\n';
    }
    return out;
}

std::map<std::string, std::string> batch_fields(const BatchJob& job) {
    const bool array = job.array_tasks > 1;
    return {
        {"job_name", job_name(job.spec)},
        {"nodes", std::to_string(job.nodes)},
        {"ntasks_per_node", std::to_string(job.ntasks_per_node)},
        {"cpus_per_task", std::to_string(job.cpus_per_task)},
        {"time", job.time},
        {"partition", job.partition},
        {"account", job.account},
        {"array", array ? "0-" + std::to_string(job.array_tasks - 1) : ""},
        {"log", escape_percent(job.out.string()) + (array ? ".slurm-%A_%a.log" : ".slurm-%j.log")},
        {"signal_seconds", std::to_string(job.signal_seconds)},
        {"dnnsweep", shell_quote(job.dnnsweep.string())},
        {"spec", shell_quote(job.spec.string())},
        {"out", shell_quote(job.out.string())},
        {"max_requeues", std::to_string(job.max_requeues)},
        {"array_tasks", std::to_string(job.array_tasks)},
        {"launcher", job.launcher},
    };
}

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace dnnsweep
