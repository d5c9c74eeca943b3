#include "outputs/class_results.hpp"

#include <algorithm>
#include <utility>

#include "outputs/report.hpp"
#include "outputs/tables.hpp"
#include "outputs/unit_status.hpp"

namespace dnnsweep {

std::vector<std::string> class_labels(const RunInfo& info) {
    std::vector<std::string> names;
    for (int i = 0; i < info.data.classes; ++i) {
        const auto k = static_cast<std::size_t>(i);
        names.push_back(k < info.class_names.size() ? info.class_names[k] : std::to_string(i));
    }
    return names;
}

Chance run_chance(const RunInfo& info) {
    return info.chance.classes > 0 ? info.chance : uniform_chance(info.data.classes);
}

ConfusionMatrix summed_confusion(std::span<const UnitResult> units, int classes, PredictionPart part) {
    ConfusionMatrix sum;
    for (const UnitResult& u : units) {
        const std::vector<ConfusionCell>& cells =
            part == PredictionPart::Validation ? u.val_confusion : u.test_confusion;
        if (!unit_status::is_done(u.status) || cells.empty()) continue;
        sum += ConfusionMatrix::from_cells(classes, cells);
    }
    return sum;
}

namespace detail {
namespace {

constexpr std::pair<PredictionPart, const char*> kParts[] = {{PredictionPart::Validation, kValSplit},
                                                             {PredictionPart::Test, kTestSplit}};

}  // namespace

h5::Table classes_table(const RunInfo& info) {
    h5::Table t;
    auto& index = t.add<std::int32_t>("class");
    auto& name = t.add_string("name");
    auto& rows = t.add<std::uint64_t>("train_rows");
    const std::vector<std::string> names = class_labels(info);
    for (std::size_t i = 0; i < names.size(); ++i) {
        index.push_back(static_cast<std::int32_t>(i));
        name.push_back(names[i]);
        rows.push_back(i < info.class_rows.size() ? info.class_rows[i] : 0);
    }
    return t;
}

void read_class_info(const h5::File& f, RunInfo& info) {
    if (!f.exists("classes")) return;  // written before classes were recorded: 0..classes-1, 1/classes
    const h5::Table t = f.open_dataset("classes").read_all();
    info.class_names = t.get<std::string>("name");
    info.class_rows = t.get<std::uint64_t>("train_rows");
    info.chance.classes = info.data.classes;
    info.chance.level = f.attr_double("chance");
    info.chance.majority = f.attr_string("chance_basis") == "majority";
}

h5::Table config_confusion_table(const std::vector<UnitResult>& units, const std::vector<ConfigSummary>& configs,
                                 int classes) {
    h5::Table t;
    auto& config = t.add<std::uint64_t>("config");
    auto& split = t.add_string("split");
    auto& true_class = t.add<std::int32_t>("true_class");
    auto& predicted = t.add<std::int32_t>("predicted");
    auto& count = t.add<std::int64_t>("count");
    for (const ConfigSummary& c : configs)
        for (const auto& [part, name] : kParts)
            for (const ConfusionCell& cell : summed_confusion(units_of(units, c.config), classes, part).cells()) {
                config.push_back(c.config);
                split.emplace_back(name);
                true_class.push_back(cell.true_class);
                predicted.push_back(cell.predicted);
                count.push_back(cell.count);
            }
    return t;
}

h5::Table class_accuracy_table(const std::vector<UnitResult>& units, const std::vector<ConfigSummary>& configs,
                               const std::vector<std::string>& names) {
    h5::Table t;
    auto& config = t.add<std::uint64_t>("config");
    auto& index = t.add<std::int32_t>("class");
    auto& name = t.add_string("name");
    auto& val_rows = t.add<std::int64_t>("val_rows");
    auto& val_acc = t.add<double>("val_acc", "fraction");
    auto& test_rows = t.add<std::int64_t>("test_rows");
    auto& test_acc = t.add<double>("test_acc", "fraction");
    const int classes = static_cast<int>(names.size());
    for (const ConfigSummary& c : configs) {
        const std::span<const UnitResult> mine = units_of(units, c.config);
        ConfusionMatrix val = summed_confusion(mine, classes, PredictionPart::Validation);
        ConfusionMatrix test = summed_confusion(mine, classes, PredictionPart::Test);
        if (val.empty() && test.empty()) continue;  // nothing measured (every fold failed or never started)
        if (val.empty()) val = ConfusionMatrix(classes);
        if (test.empty()) test = ConfusionMatrix(classes);
        for (int k = 0; k < classes; ++k) {
            config.push_back(c.config);
            index.push_back(k);
            name.push_back(names[static_cast<std::size_t>(k)]);
            val_rows.push_back(val.rows_of(k));
            val_acc.push_back(val.class_accuracy(k));
            test_rows.push_back(test.rows_of(k));
            test_acc.push_back(test.class_accuracy(k));
        }
    }
    return t;
}

void write_class_results(const h5::File& f, const RunInfo& info, const std::vector<UnitResult>& units,
                         const std::vector<ConfigSummary>& configs) {
    const Chance chance = run_chance(info);
    f.set_attr("chance", chance.level);
    f.set_attr("chance_basis", std::string(chance.basis()));
    const h5::ChunkOptions small{.chunk_rows = 1024, .compress = true};
    const std::vector<std::string> names = class_labels(info);
    const auto write = [&](const char* name, const h5::Table& t, const char* description) {
        h5::Dataset ds = f.create_table(name, t, small);
        ds.set_attr("description", std::string(description));
        ds.close(std::string("closing '") + name + "'");
    };
    write("classes", classes_table(info), "one row per class: its name and its rows in the training pool");
    write("config_confusion", config_confusion_table(units, configs, info.data.classes),
          "per configuration, its folds' confusion matrices summed: non-zero cells");
    write("class_accuracy", class_accuracy_table(units, configs, names),
          "per (configuration, class): the share of the class's rows predicted right, folds summed");
}

}  // namespace detail
}  // namespace dnnsweep
