#include "outputs/setting_levels.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <variant>

#include "outputs/report.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

// The value as a number when the option is numeric (booleans and text are not ordered here).
std::optional<double> number_of(const OptionValue& v) {
    return std::visit(
        [](const auto& x) -> std::optional<double> {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>)
                return std::nullopt;
            else
                return static_cast<double>(x);
        },
        v);
}

}  // namespace

std::vector<SettingLevels> setting_levels(const std::vector<ConfigSummary>& configs) {
    std::vector<SettingLevels> out;
    for (const std::string& name : varied_options(configs)) {
        const ConfigOption* opt = find_config_option(name);
        SettingLevels s;
        s.option = name;
        s.numeric = true;
        std::map<std::string, int> index;  // text -> level in order of first appearance
        std::vector<double> numbers;
        s.level.reserve(configs.size());
        for (const ConfigSummary& c : configs) {
            const OptionValue v = opt->get(c.settings);
            std::string text = to_text(v);
            auto [it, fresh] = index.try_emplace(std::move(text), static_cast<int>(s.values.size()));
            if (fresh) {
                s.values.push_back(it->first);
                const std::optional<double> x = number_of(v);
                s.numeric = s.numeric && x.has_value();
                numbers.push_back(x.value_or(0.0));
            }
            s.level.push_back(it->second);
        }
        if (s.numeric) {
            std::vector<int> by_value(s.values.size());
            std::iota(by_value.begin(), by_value.end(), 0);
            std::ranges::stable_sort(by_value, {}, [&](int i) { return numbers[static_cast<std::size_t>(i)]; });
            std::vector<int> new_index(s.values.size());
            std::vector<std::string> values;
            for (std::size_t k = 0; k < by_value.size(); ++k) {
                new_index[static_cast<std::size_t>(by_value[k])] = static_cast<int>(k);
                values.push_back(s.values[static_cast<std::size_t>(by_value[k])]);
            }
            s.values = std::move(values);
            for (int& l : s.level) l = new_index[static_cast<std::size_t>(l)];
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace dnnsweep
