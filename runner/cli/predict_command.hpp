#pragma once
// `dnnsweep predict MODEL.h5 --data DATA [--out PRED.csv|PRED.h5]`: class probabilities and the
// predicted class of every row through a saved model; accuracy and the confusion matrix when the
// data has labels.
#include <string>
#include <vector>

namespace dnnsweep {

int run_predict_command(const std::vector<std::string>& args);

}  // namespace dnnsweep
