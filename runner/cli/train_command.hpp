#pragma once
// `dnnsweep train`: trains one configuration and reports it, as Keras-like progress lines or as
// one JSON object (--json).
#include <string>
#include <vector>

namespace dnnsweep {

// `args` are the arguments after "train". Returns the exit code (runner/cli/command.hpp); errors are
// reported as one line on stderr, never thrown.
int run_train_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
