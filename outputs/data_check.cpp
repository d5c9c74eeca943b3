#include "outputs/data_check.hpp"

#include "engine/data_fingerprint.hpp"

namespace dnnsweep {

void check_fingerprint(const std::string& file, const std::string& recorded, const std::string& fingerprint,
                       const std::string& data_source, const std::string& hint) {
    if (recorded.empty() || recorded == fingerprint) return;
    throw ResultsError(file + ": recorded from other data (data fingerprint " + recorded + "; " + data_source +
                       " now has " + fingerprint + ")" + (hint.empty() ? "" : "; " + hint));
}

void check_fingerprint(const Results& results, const std::string& path, const Dataset& data, const Dataset* test_set,
                       const std::string& hint) {
    check_fingerprint(path, results.info.data_fingerprint, data_fingerprint(data, test_set), data.source, hint);
}

}  // namespace dnnsweep
