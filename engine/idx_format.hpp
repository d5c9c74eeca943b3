#pragma once
// The IDX files dnnsweep reads (MNIST's format): magic numbers, header sizes and MNIST's file names,
// shared by the IDX reader and the `--data` resolution that recognises these files.
#include <cstddef>
#include <cstdint>

namespace dnnsweep::idx {

inline constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
inline constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
inline constexpr std::size_t kImagesHeader = 16;
inline constexpr std::size_t kLabelsHeader = 8;
inline constexpr const char* kImagesName = "train-images-idx3-ubyte";
inline constexpr const char* kLabelsName = "train-labels-idx1-ubyte";

}  // namespace dnnsweep::idx
