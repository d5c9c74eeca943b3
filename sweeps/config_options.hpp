#pragma once
// The one mapping between option names (CLI options of `dnnsweep train`, and the keys of sweep
// files) and the TrainConfig fields they set. Everything that names a hyperparameter -- the
// option parser, --help, the progress line, the JSON echo, sweep files, the HDF5 columns -- goes
// through this table, so a name or default can only ever be spelled in one place.
//
// Errors are ConfigError with the engine's "field: why" form (field = option name).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <boost/program_options.hpp>

#include "engine/config.hpp"

namespace dnnsweep {

// One option's current value, typed so JSON keeps numbers as numbers.
using OptionValue = std::variant<std::int64_t, std::uint64_t, double, float, bool, std::string>;

// Text form of a value as the option parser accepts it back (round-trips exactly).
std::string to_text(const OptionValue& v);

struct ConfigOption {
    std::string name;         // e.g. "learning-rate"
    std::string value_name;   // placeholder in --help, e.g. "RATE"
    std::string help;         // one line
    bool has_default = true;  // false: unset is resolved later (learning-rate: the optimizer's default)
    bool is_flag = false;     // may be given bare (`--nesterov` = `--nesterov=true`)
    // false for options added after results files existed: at their default they are left out of
    // config ids, the spec hash and model files, so those stay what they were before the option.
    bool hashed_at_default = true;
    OptionValue (*get)(const TrainConfig&) = nullptr;       // learning-rate: the effective (resolved) rate
    void (*set)(TrainConfig&, std::string_view) = nullptr;  // parses; throws ConfigError(why)
};

// Whether `opt` belongs in a configuration's identity (ids, the spec hash, model files) for `c`.
bool identifies(const ConfigOption& opt, const TrainConfig& c);

// Every TrainConfig option, in --help order.
std::span<const ConfigOption> config_options();
const ConfigOption* find_config_option(std::string_view name);

// Parses `value` for option `name` into `config` (no range checks: TrainConfig::validate does
// those). Throws ConfigError "name: why" for an unknown name or a malformed value.
void set_config_option(TrainConfig& config, std::string_view name, std::string_view value);

// Registers every config option, with its default read from a default-constructed TrainConfig.
void add_config_options(boost::program_options::options_description& desc);

// A default TrainConfig with the options the user gave (defaults are not re-parsed), validated.
TrainConfig config_from(const boost::program_options::variables_map& vm);

// Registers a string-valued option; values are parsed by our own setters, so every message and
// range rule is ours rather than boost's. default_text null: no default shown.
void add_string_option(boost::program_options::options_description& desc, const std::string& name,
                       const std::string& value_name, const std::string& help, const std::string* default_text,
                       bool is_flag);

// Strict parsers of a whole value (no trailing junk, no wrap-around of "-1", finite reals); throw
// ConfigError(why) without a field name, for the caller to prefix.
int parse_int(std::string_view s);
std::uint64_t parse_uint64(std::string_view s);
double parse_real(std::string_view s);

// `config` on one line, "name=value" per option, for progress output.
std::string describe_config(const TrainConfig& config);

}  // namespace dnnsweep
