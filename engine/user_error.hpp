#pragma once
// The base of every error the user can fix by changing their input: a command-line option, a
// spec, a data file, a results file. Commands exit with code 2 (bad usage or input) for these and
// with 1 for anything else, so the exit code says whose move it is.
#include <stdexcept>

namespace dnnsweep {

class UserError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace dnnsweep
