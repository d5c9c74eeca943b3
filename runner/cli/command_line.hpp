#pragma once
// The command-line parsing every `dnnsweep` subcommand that takes one file argument shares.
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace dnnsweep {

// Parses `args` against `options` plus one positional argument (the spec or results file) stored
// in `positional`. No prefix guessing: option names are sweep keys, and `--lay` silently meaning
// `--layers` would let a typo in a script pass unnoticed. A second positional argument is an error.
boost::program_options::variables_map parse_command_line(const std::vector<std::string>& args,
                                                         const boost::program_options::options_description& options,
                                                         std::string& positional);

}  // namespace dnnsweep
