#include "engine/refit_data.hpp"

#include <algorithm>
#include <iterator>

namespace dnnsweep {

RefitData prepare_refit(const TrainConfig& config, const Dataset& data, const StudySplit& split) {
    const UnitRows rows = unit_rows(split, data.y, data.classes, 0);
    std::vector<std::uint32_t> outside;
    outside.reserve(rows.train.size() + rows.val.size());
    std::ranges::merge(rows.train, rows.val, std::back_inserter(outside));
    // The order train's hold-out split gives its training part when nothing is held out.
    const Split order = holdout_split(outside.size(), 0.0, config.seed);
    std::vector<std::uint32_t> train_rows(outside.size());
    for (std::size_t i = 0; i < order.train.size(); ++i) train_rows[i] = outside[order.train[i]];
    RefitData d{gather(data, train_rows), gather(data, rows.test), {}};
    d.scaler = InputScaler::fit(d.train.x, config.normalization);
    d.scaler.apply(d.train.x);
    d.scaler.apply(d.test.x);
    add_gaussian_noise(d.test.x, config.test_noise, test_noise_seed(config.seed));
    return d;
}

}  // namespace dnnsweep
