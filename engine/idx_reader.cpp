// The IDX reader: load_idx and load_idx_from_buffers (engine/dataset.hpp).
#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "engine/dataset.hpp"
#include "engine/idx_format.hpp"
#include "engine/read_file.hpp"

namespace dnnsweep {
namespace {

using namespace idx;

std::uint32_t be32(std::string_view bytes, std::size_t offset) {
    const auto b = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset + i]));
    };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

std::string hex32(std::uint32_t v) { return fmt::format("0x{:08X}", v); }

std::string at_offset(const std::string& path, std::size_t offset) {
    return path + ": byte offset " + std::to_string(offset) + ": ";
}

// A recognisable wrong file earns a hint on what to do instead.
std::string magic_hint(std::string_view bytes, std::uint32_t found) {
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1F &&
        static_cast<unsigned char>(bytes[1]) == 0x8B)
        return " (this is a gzip file: gunzip it first)";
    if (found == kImagesMagic) return " (this is an IDX images file: are images and labels swapped?)";
    if (found == kLabelsMagic) return " (this is an IDX labels file: are images and labels swapped?)";
    const std::uint32_t type = found >> 8 & 0xFF, dims = found & 0xFF;
    if ((found & 0xFFFF0000u) == 0 && type == 0x08)
        return " (an IDX file of unsigned bytes, but with " + std::to_string(dims) + " dimensions)";
    if ((found & 0xFFFF0000u) == 0 && (type == 0x09 || (type >= 0x0B && type <= 0x0E)))
        return " (an IDX file, but not of unsigned bytes: only uint8 IDX files are supported)";
    return " (not an IDX file)";
}

// Checks the magic and that the header is complete; `what` names the expected kind for messages.
void check_idx_header(const std::string& path, std::string_view bytes, std::uint32_t magic, std::size_t header,
                      const char* what) {
    if (bytes.size() < 4)
        throw DataError(at_offset(path, bytes.size()) + "truncated header: an IDX " + what + " header is " +
                        std::to_string(header) + " bytes, the file has only " + std::to_string(bytes.size()));
    const std::uint32_t found = be32(bytes, 0);
    if (found != magic)
        throw DataError(at_offset(path, 0) + "wrong magic number: expected " + hex32(magic) + " (IDX " + what +
                        ", unsigned bytes), found " + hex32(found) + magic_hint(bytes, found));
    if (bytes.size() < header)
        throw DataError(at_offset(path, bytes.size()) + "truncated header: an IDX " + what + " header is " +
                        std::to_string(header) + " bytes, the file has only " + std::to_string(bytes.size()));
}

// The data after the header must be exactly `count` x `item` bytes: less is a truncated file,
// more means the header does not describe the file.
void check_idx_size(const std::string& path, std::string_view bytes, std::size_t header, std::uint64_t count,
                    std::uint64_t item, const std::string& describe) {
    const std::uint64_t have = bytes.size() - header;
    const bool overflow = item != 0 && count > std::numeric_limits<std::uint64_t>::max() / item;
    const std::uint64_t need = overflow ? std::numeric_limits<std::uint64_t>::max() : count * item;
    if (have < need)
        throw DataError(at_offset(path, header) + "truncated data: expected " +
                        (overflow ? std::string("more than 2^64") : std::to_string(need)) + " bytes of " + describe +
                        " at offset " + std::to_string(header) + ", the file has only " + std::to_string(have) +
                        " (file size " + std::to_string(bytes.size()) + ")");
    if (have > need)
        throw DataError(at_offset(path, header + need) + std::to_string(have - need) + " unexpected bytes after " +
                        std::to_string(need) + " bytes of " + describe + ": the header does not describe this file");
}

// The images file's shape, from its checked header.
struct IdxShape {
    std::uint32_t n = 0, rows = 0, cols = 0;
    std::uint64_t pixels() const { return std::uint64_t{rows} * cols; }
};

IdxShape check_idx_images(const std::string& images_path, std::string_view images) {
    check_idx_header(images_path, images, kImagesMagic, kImagesHeader, "images");
    const IdxShape s{be32(images, 4), be32(images, 8), be32(images, 12)};
    if (s.n == 0) throw DataError(at_offset(images_path, 4) + "no samples: the image count is 0");
    if (s.rows == 0 || s.cols == 0)
        throw DataError(at_offset(images_path, s.rows == 0 ? 8 : 12) + "empty images: the size is " +
                        std::to_string(s.rows) + "x" + std::to_string(s.cols));
    check_idx_size(images_path, images, kImagesHeader, s.n, s.pixels(),
                   "pixel data (" + std::to_string(s.n) + " images of " + std::to_string(s.rows) + "x" +
                       std::to_string(s.cols) + ")");
    return s;
}

// Checks the labels against the checked images and builds the dataset.
Dataset idx_dataset(const std::string& images_path, std::string_view images, const IdxShape& s,
                    const std::string& labels_path, std::string_view labels) {
    check_idx_header(labels_path, labels, kLabelsMagic, kLabelsHeader, "labels");
    const std::uint32_t m = be32(labels, 4);
    if (m != s.n)
        throw DataError(at_offset(labels_path, 4) + "holds " + std::to_string(m) + " labels but " + images_path +
                        " holds " + std::to_string(s.n) + " images");
    check_idx_size(labels_path, labels, kLabelsHeader, m, 1, "labels (" + std::to_string(m) + " labels)");

    Dataset d;
    d.x = Matrix(s.n, static_cast<std::size_t>(s.pixels()));
    const auto* px = reinterpret_cast<const unsigned char*>(images.data() + kImagesHeader);
    std::transform(px, px + d.x.data.size(), d.x.data.begin(), [](unsigned char v) { return static_cast<float>(v); });
    d.y.resize(s.n);
    const auto* lb = reinterpret_cast<const unsigned char*>(labels.data() + kLabelsHeader);
    std::transform(lb, lb + s.n, d.y.begin(), [](unsigned char v) { return static_cast<std::int32_t>(v); });
    // Classes = max label + 1: the labels are the class indices, and a class missing from this
    // file (a subset) still keeps its index.
    d.classes = *std::max_element(d.y.begin(), d.y.end()) + 1;
    d.source = images_path + "," + labels_path;
    return d;
}

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path) {
    // The images are checked before the labels file is read, so a bad images file is reported
    // first whatever the state of its labels.
    const std::string images = read_file<DataError>(images_path);
    const IdxShape shape = check_idx_images(images_path, images);
    return idx_dataset(images_path, images, shape, labels_path, read_file<DataError>(labels_path));
}

Dataset load_idx_from_buffers(std::string_view images, std::string_view labels, const std::string& images_name,
                              const std::string& labels_name) {
    const IdxShape shape = check_idx_images(images_name, images);
    return idx_dataset(images_name, images, shape, labels_name, labels);
}

}  // namespace dnnsweep
