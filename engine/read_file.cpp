#include "engine/read_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::optional<std::string> try_read_file(const std::string& path, std::string& error) {
    std::error_code ec;
    // fopen opens a folder without complaint, and then reads nothing.
    if (fs::is_directory(path, ec)) {
        error = path + ": cannot read: " + std::strerror(EISDIR);
        return std::nullopt;
    }
    errno = 0;
    const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
        error = path + ": cannot read: " + std::strerror(errno != 0 ? errno : ENOENT);
        return std::nullopt;
    }
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
    if (std::ferror(f.get())) {
        error = path + ": cannot read: " + std::strerror(errno);
        return std::nullopt;
    }
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
