// Reading a merged results file back.
#include "outputs/configs.hpp"
#include "outputs/hdf5.hpp"
#include "outputs/results_store.hpp"
#include "outputs/tables.hpp"

#include <filesystem>

namespace dnnsweep {

Results read_results(const std::string& path) {
    if (!std::filesystem::exists(path)) throw ResultsError(path + ": cannot open: No such file or directory");
    // A plain open: a merged file is never in SWMR mode (written whole, then renamed).
    const h5::File f = h5::File::open(path, h5::File::Access::ReadOnly);
    Results r;
    r.spec_text = f.attr_string("spec");
    r.spec_hash = f.attr_string("spec_hash");
    RunInfo& info = r.info;
    info.version = f.attr_string("version");
    info.run_id = f.attr_string("run_id");
    info.started_at = f.attr_double("started_at");
    info.finished_at = f.attr_double("finished_at");
    info.ranks = static_cast<int>(f.attr_int("ranks"));
    info.hosts = f.attr_strings("hosts");
    info.data_source = f.attr_string("data_source");
    info.data.samples = f.attr_uint("samples");
    info.data.features = f.attr_uint("features");
    info.data.classes = static_cast<int>(f.attr_int("classes"));

    const h5::Table folds = f.open_dataset("folds").read_all();
    const h5::Table curves = f.open_dataset("curves").read_all();
    const h5::Table grad_norms = f.open_dataset("grad_norms").read_all();
    r.units = detail::units_from_tables(folds, curves, grad_norms, nullptr);
    r.configs = detail::configs_from_table(f.open_dataset("configs").read_all());
    return r;
}

}  // namespace dnnsweep
