#pragma once
// A trained classifier as it leaves the engine: its configuration, the input scaling fit on its
// training rows, every layer's weights in the plain layout a reader expects (a dense kernel is
// in x out: y = x @ kernel + bias), and where it came from. outputs/model_file.hpp writes and reads
// it as HDF5 (docs/model-format.md); Predictor runs it on new rows through the engine's own layers.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config.hpp"
#include "engine/matrix.hpp"
#include "engine/preprocess.hpp"
#include "engine/user_error.hpp"

namespace dnnsweep {

class Network;

// A model that cannot be used: another format version, a structure its configuration does not
// build, data of another shape.
class ModelError : public UserError {
public:
    using UserError::UserError;
};

enum class ModelLayerType { Dense, BatchNorm, Activation, Maxout, Dropout, Softmax };
std::string_view name(ModelLayerType t);
// Throws ModelError for a name not among the types.
ModelLayerType parse_model_layer_type(std::string_view s);

struct ModelLayer {
    ModelLayerType type = ModelLayerType::Dense;
    std::size_t in = 0, out = 0;
    std::vector<float> kernel;  // dense: in x out, row-major
    std::vector<float> bias;    // dense: out
    // batch_norm, per feature: y = (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta
    std::vector<float> gamma, beta, moving_mean, moving_variance;
    float epsilon = 0.0f;
    Activation activation = Activation::Relu;  // activation
    float alpha = 0.0f;                        // activation: leaky_relu's slope, elu's alpha; else 0
    std::size_t pieces = 0;                    // maxout: output u is the max of inputs u*pieces .. u*pieces+pieces-1
    float rate = 0.0f;                         // dropout: the training rate (identity at inference)
};

// The figures the model was made with; NaN where they do not apply.
struct ModelMetrics {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    double train_acc = kNaN, train_loss = kNaN;       // its training rows, after the last epoch
    double val_acc = kNaN, val_loss = kNaN;           // `train`'s validation part
    double test_acc = kNaN, test_loss = kNaN;         // the held-out test set (refit)
    double cv_val_acc = kNaN, cv_val_acc_std = kNaN;  // refit: the cross-validated estimate it was chosen by
};

struct Model {
    TrainConfig config;
    std::size_t features = 0;
    int classes = 0;
    std::vector<std::string> class_names;         // one per class: the data's own names, or "0", "1", ...
    std::vector<float> input_shift, input_scale;  // per feature: x' = (x - shift) * scale
    std::vector<ModelLayer> layers;               // input to output; the last is softmax
    // Where it came from.
    std::string version;  // of the dnnsweep that wrote it
    std::string origin;   // "train" or "refit"
    std::string config_id;
    std::string data_source, data_fingerprint;
    std::uint64_t trained_rows = 0;
    int epochs = 0;  // epochs trained
    ModelMetrics metrics;
    // refit: the results file the configuration was chosen from.
    std::string results_file, results_spec_hash, results_run_id;
};

// The model of `net`, trained with `config` on rows scaled by `scaler` (provenance left empty).
Model capture_model(const Network& net, const TrainConfig& config, const InputScaler& scaler);

// Class probabilities of raw rows, through the model's scaling and a network rebuilt from its
// configuration and weights (oneDNN primitives built once, reused for every chunk).
class Predictor {
public:
    // Throws ModelError when the layers are not what the configuration builds.
    explicit Predictor(const Model& model, std::size_t chunk = 256);
    ~Predictor();
    Predictor(const Predictor&) = delete;
    Predictor& operator=(const Predictor&) = delete;

    // x's n rows, as read (unscaled). Throws ModelError when x has another feature count.
    struct Output {
        std::vector<float> probabilities;     // n x classes: the softmax of the logits
        std::vector<std::int32_t> predicted;  // the logits' argmax (ties to the lowest class), as accuracy counts
    };
    Output predict(const Matrix& x);

private:
    std::size_t features_;
    int classes_, threads_;
    std::vector<float> shift_, scale_;
    std::size_t chunk_;
    std::unique_ptr<Network> net_;
};

}  // namespace dnnsweep
