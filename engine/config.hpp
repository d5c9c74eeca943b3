#pragma once
// One training configuration: every hyperparameter a sweep can vary. The names here are the
// user-facing spellings (CLI options and sweep keys); parse_* accept exactly these and throw
// ConfigError naming the field otherwise.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/activation.hpp"
#include "engine/user_error.hpp"

namespace dnnsweep {

class ConfigError : public UserError {
public:
    using UserError::UserError;
};

enum class Loss { Mse, CrossEntropy };
enum class Optimizer { Sgd, Adagrad, Rmsprop, Adam };
enum class Normalization { None, MinMax, ZScore, BatchNorm };
enum class Init { GlorotUniform, HeUniform };

Loss parse_loss(std::string_view s);  // "categorical_crossentropy" is an alias of "crossentropy"
Optimizer parse_optimizer(std::string_view s);
Normalization parse_normalization(std::string_view s);
Init parse_init(std::string_view s);

std::string_view name(Loss l);
std::string_view name(Optimizer o);
std::string_view name(Normalization n);
std::string_view name(Init i);

// Keras' default learning rates: 0.01 for sgd, 0.001 for the adaptive ones.
double default_learning_rate(Optimizer o);

struct TrainConfig {
    int layers = 3;   // hidden dense layers
    int width = 689;  // units per hidden layer
    Activation activation = Activation::Relu;
    int maxout_pieces = 2;           // k linear pieces per maxout unit
    float leaky_relu_alpha = 0.01f;  // slope for x < 0
    float elu_alpha = 1.0f;
    Loss loss = Loss::CrossEntropy;
    Optimizer optimizer = Optimizer::Adam;
    std::optional<double> learning_rate;  // unset: the optimizer's Keras default
    double momentum = 0.0;                // sgd only
    bool nesterov = false;                // sgd only
    int batch_size = 100;                 // 0: the whole training set (full batch)
    double dropout = 0.0;                 // fraction of hidden units dropped, [0, 1)
    Normalization normalization = Normalization::MinMax;
    double weight_decay = 0.0;  // L2: loss += weight_decay/2 * sum(w^2) over dense weights
    Init init = Init::GlorotUniform;
    int epochs = 20;
    int patience = 0;  // early stopping on validation loss; 0 = off
    std::uint64_t seed = 0;
    double test_noise = 0.0;  // std of Gaussian noise added to validation/test inputs
    // std of Gaussian noise added to each training batch's inputs (after scaling, fresh every
    // epoch): noise augmentation, to train on inputs like noisy ones it is tested on
    double train_noise = 0.0;
    int threads = 1;

    double effective_learning_rate() const { return learning_rate ? *learning_rate : default_learning_rate(optimizer); }
    // Throws ConfigError naming the first field out of range.
    void validate() const;
};

}  // namespace dnnsweep
