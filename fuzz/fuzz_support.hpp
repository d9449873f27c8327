#pragma once
// Shared by the libFuzzer harnesses: splitting one input into fields, a scratch file for the
// parsers that read files, and a check that turns a broken property into a crash libFuzzer keeps.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

// A property every input must keep; when it does not, libFuzzer saves the input as a crash.
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond);       \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

namespace callscribe::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The first `count - 1` lines of `text` (without their '\n') and then the rest, whatever it
// holds: always `count` fields, the missing ones empty. Seeds stay readable text files.
inline std::vector<std::string_view> split_fields(std::string_view text, std::size_t count) {
    std::vector<std::string_view> fields;
    while (fields.size() + 1 < count) {
        const auto newline = text.find('\n');
        fields.push_back(text.substr(0, newline));
        text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    }
    fields.push_back(text);
    return fields;
}

// A file of this process's own in the temporary folder, rewritten for every input and removed
// when the process ends normally.
class ScratchFile {
  public:
    explicit ScratchFile(std::string_view name)
        : m_path(std::filesystem::temp_directory_path() /
                 ("callscribe-fuzz-" + std::to_string(::getpid()) + "-" + std::string(name))) {}
    ~ScratchFile() {
        std::error_code ec;
        std::filesystem::remove(m_path, ec);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) {
        std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        out.close();
        FUZZ_CHECK(out.good());
        return m_path;
    }

  private:
    std::filesystem::path m_path;
};

} // namespace callscribe::fuzz
