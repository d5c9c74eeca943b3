#pragma once
// Where dnnsweep's shared files lie (the plotting script, the batch script template, the built-in
// digits): found from the running binary, so no source or install path is compiled in. An installed
// <prefix>/bin/dnnsweep has them in <prefix>/share/dnnsweep; a build tree has its own
// share/dnnsweep, links into the source tree that CMake makes at configure time.
#include <filesystem>

namespace dnnsweep {

// $DNNSWEEP_SHARE_DIR when set; else the nearest share/dnnsweep above the binary's folder (up to
// three levels: build/tests/bench/ binaries find build/share/dnnsweep); else
// <binary's folder>/../share/dnnsweep, where an installed dnnsweep has it (for messages).
std::filesystem::path share_dir();

}  // namespace dnnsweep
