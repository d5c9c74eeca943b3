#pragma once
// A 64-byte aligned float buffer: oneDNN's kernels and the optimizer's vector loops run fastest on
// cache-line aligned data, which std::vector<float> does not promise.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <span>

namespace dnnsweep {

class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t count) : size_(count) {
        if (count == 0) return;
        const std::size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
        data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
        if (!data_) throw std::bad_alloc();
        std::memset(data_.get(), 0, bytes);
    }
    AlignedBuffer(const AlignedBuffer& other) : AlignedBuffer(other.size_) { copy_from(other); }
    AlignedBuffer& operator=(const AlignedBuffer& other) {
        if (this != &other) {
            if (size_ != other.size_) *this = AlignedBuffer(other.size_);
            copy_from(other);
        }
        return *this;
    }
    AlignedBuffer(AlignedBuffer&&) noexcept = default;
    AlignedBuffer& operator=(AlignedBuffer&&) noexcept = default;

    float* data() { return data_.get(); }
    const float* data() const { return data_.get(); }
    std::size_t size() const { return size_; }
    std::span<float> span() { return {data_.get(), size_}; }
    std::span<const float> span() const { return {data_.get(), size_}; }
    float& operator[](std::size_t i) { return data_[i]; }
    float operator[](std::size_t i) const { return data_[i]; }

    void copy_from(const AlignedBuffer& other) {
        if (size_ != 0) std::memcpy(data_.get(), other.data_.get(), size_ * sizeof(float));
    }

private:
    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    std::unique_ptr<float[], Free> data_;
    std::size_t size_ = 0;
};

}  // namespace dnnsweep
