#include "engine/read_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include "engine/dataset.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

// One read, since both IDX and text are parsed from memory.
std::string read_file(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw DataError(path + ": cannot open: is a folder, not a file");
    const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) throw DataError(path + ": cannot open: " + std::strerror(errno));
    // Size known up front for regular files: one allocation, no copies as the buffer grows.
    std::string bytes;
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec) bytes.reserve(static_cast<std::size_t>(size));
    char buf[1 << 16];
    for (;;) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
        bytes.append(buf, n);
        if (n < sizeof buf) break;
    }
    if (std::ferror(f.get())) throw DataError(path + ": read error: " + std::strerror(errno));
    return bytes;
}

std::string read_file_head(const std::string& path, std::size_t n) {
    const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) return {};
    std::string bytes(n, '\0');
    bytes.resize(std::fread(bytes.data(), 1, n, f.get()));
    return bytes;
}

bool is_file(const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

}  // namespace dnnsweep
