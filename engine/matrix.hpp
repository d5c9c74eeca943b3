#pragma once
// A dense row-major float matrix: one sample per row. The engine's only tensor type; oneDNN memory
// objects wrap its storage directly (plain `ab`/`nc` layout), so no copy is needed to hand it over.
//
// A matrix owns its elements (`data`), or is a read-only view of elements someone else owns
// (Matrix::view): the sweep's ranks on one node read one shared copy of the dataset that way
// (runner/sweep/shared_dataset.hpp). A view is read through the const accessors; `data` stays empty.
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace dnnsweep {

struct Matrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<float> data;  // the elements, unless this is a view

    Matrix() = default;
    Matrix(std::size_t r, std::size_t c, float fill = 0.0f) : rows(r), cols(c), data(r * c, fill) {}

    // Views r x c elements at `elements`, which must outlive the view and every copy of it (copies
    // of a view are views of the same elements).
    static Matrix view(const float* elements, std::size_t r, std::size_t c) {
        Matrix m;
        m.rows = r;
        m.cols = c;
        m.external_ = elements;
        return m;
    }
    bool is_view() const { return external_ != nullptr; }
    const float* elements() const { return external_ != nullptr ? external_ : data.data(); }

    float* row(std::size_t i) { return writable() + i * cols; }
    const float* row(std::size_t i) const { return elements() + i * cols; }
    float& at(std::size_t i, std::size_t j) { return writable()[i * cols + j]; }
    float at(std::size_t i, std::size_t j) const { return elements()[i * cols + j]; }

private:
    // A clear error, not a write into (or a crash beside) storage shared with other processes.
    float* writable() {
        if (is_view()) throw std::logic_error("Matrix: a view is read-only (read it through a const reference)");
        return data.data();
    }

    const float* external_ = nullptr;  // a view's elements; null when `data` holds them
};

}  // namespace dnnsweep
