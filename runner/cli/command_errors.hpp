#pragma once
// The one place where an exception becomes what the user sees: the `dnnsweep <command>: error:`
// line and the exit code. Every command runs its body through run_command.
#include <exception>
#include <functional>
#include <string>
#include <string_view>

#include <boost/program_options.hpp>

namespace dnnsweep {

// 2 (bad usage or input) for a UserError or a command-line parse error, 1 for anything else.
int exit_code_for(const std::exception& e);

// The message of `e` on one line. A ConfigError "name: why" whose name is one of `options` reads
// "--name: why", the spelling the user typed; the same rule from a spec file keeps its key as is.
std::string error_message(const std::exception& e, const boost::program_options::options_description& options);

// Runs `body` and returns its exit code; an exception it throws is reported on stderr as
// "dnnsweep <command>: error: <message>" (a parse error adds where to find the usage) and
// returns exit_code_for it. An empty `command` reports as "dnnsweep: error: ...".
int run_command(std::string_view command, const boost::program_options::options_description& options,
                const std::function<int()>& body);

}  // namespace dnnsweep
