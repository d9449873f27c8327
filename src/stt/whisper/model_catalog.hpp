#pragma once
// The Whisper models callscribe knows by name: the ggml files that whisper.cpp publishes (the
// list of its models/download-ggml-model.sh), with their exact size and SHA-256, so that
// `callscribe models fetch NAME` can verify what it downloads.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace callscribe::stt::whisper {

struct KnownModel {
    std::string_view name;   // "base.en"
    std::uint64_t bytes;     // exact size of the file
    std::string_view sha256; // lower-case hex
    std::string_view suits;  // one line: what it is good for

    // "ggml-base.en.bin": the file name it is published under and saved as.
    std::string file_name() const;
};

// Smallest first.
std::span<const KnownModel> known_models();
std::optional<KnownModel> find_known_model(std::string_view name);

} // namespace callscribe::stt::whisper
