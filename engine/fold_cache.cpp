#include "engine/fold_cache.hpp"

namespace dnnsweep {

Normalization input_scaling(Normalization n) { return n == Normalization::BatchNorm ? Normalization::None : n; }

FoldCache::Parts FoldCache::parts(const TrainConfig& config, int fold) {
    const Key key{.fold = fold, .scaling = input_scaling(config.normalization)};
    if (key_ == key) {
        ++hits_;
    } else {
        // What is kept goes before the new fold's parts are made: one fold's parts at a time.
        key_.reset();
        noisy_val_ = Dataset{};
        noisy_test_ = Dataset{};
        clean_ = UnitData{};
        clean_shift_.reset();
        TrainConfig clean = config;
        clean.test_noise = 0.0;  // the noise is the configuration's own (its seed): added per unit below
        clean_ = prepare_unit(clean, data_, split_, fold);
        key_ = key;
        ++misses_;
    }
    if (config.test_noise == 0.0) {
        noisy_val_ = Dataset{};
        noisy_test_ = Dataset{};
        if (!clean_shift_ || clean_shift_->first != config.train_noise)
            clean_shift_.emplace(config.train_noise,
                                 measure_input_shift(clean_.train.x, clean_.val.x, clean_.test.x, config.train_noise));
        return {clean_.train, clean_.val, clean_.test, clean_shift_->second};
    }
    noisy_val_ = clean_.val;  // copied into the previous unit's storage when the sizes match
    noisy_test_ = clean_.test;
    add_test_noise(noisy_val_, noisy_test_, config);
    return {clean_.train, noisy_val_, noisy_test_,
            measure_input_shift(clean_.train.x, noisy_val_.x, noisy_test_.x, config.train_noise)};
}

}  // namespace dnnsweep
