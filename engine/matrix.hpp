#pragma once
// A dense row-major float matrix: one sample per row. The engine's only tensor type; oneDNN memory
// objects wrap its storage directly (plain `ab`/`nc` layout), so no copy is needed to hand it over.
#include <cstddef>
#include <vector>

namespace dnnsweep {

struct Matrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<float> data;

    Matrix() = default;
    Matrix(std::size_t r, std::size_t c, float fill = 0.0f) : rows(r), cols(c), data(r * c, fill) {}

    float* row(std::size_t i) { return data.data() + i * cols; }
    const float* row(std::size_t i) const { return data.data() + i * cols; }
    float& at(std::size_t i, std::size_t j) { return data[i * cols + j]; }
    float at(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

}  // namespace dnnsweep
