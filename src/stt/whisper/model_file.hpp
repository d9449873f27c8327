#pragma once
// A whisper.cpp model file (ggml, the format of whisper.cpp's convert-pt-to-ggml.py): checked
// before whisper.cpp loads it, and generated with random weights for tests.
//
// whisper.cpp's own loader trusts the file: a truncated file loads without a word (the last
// tensor is read short), a file with a header and no tensors is taken for "an empty model for
// testing", and a corrupt header can ask for gigabytes. inspect_model_file() walks the whole
// structure first — header, mel filters, vocabulary, and every tensor's name, shape, type and
// size against what the header implies — without reading the weights, so a bad file is one line
// naming it and what is wrong, before anything is loaded.
//
// Pure functions of the file; thread-safe.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace callscribe::stt::whisper {

struct ModelHeader {
    std::int32_t n_vocab = 0;
    std::int32_t n_audio_ctx = 0;
    std::int32_t n_audio_state = 0;
    std::int32_t n_audio_head = 0;
    std::int32_t n_audio_layer = 0;
    std::int32_t n_text_ctx = 0;
    std::int32_t n_text_state = 0;
    std::int32_t n_text_head = 0;
    std::int32_t n_text_layer = 0;
    std::int32_t n_mels = 0;
    std::int32_t ftype = 0; // weight type (0 f32, 1 f16, else quantized), plus 1000 × version
};

struct ModelFileInfo {
    ModelHeader header;
    std::uintmax_t bytes = 0;
    int tensors = 0;
    bool multilingual = false; // English-only models have a vocabulary of 51864
    std::string size_name;     // "tiny", "base", "small", "medium", "large" or "unknown"
    std::string weight_type;   // "f16", "q5_0", ...
};

// Reads the structure of `file`. Fails with "FILE: what is wrong" when the file is missing, a
// directory, empty, not a ggml Whisper model, has an implausible header, is truncated, lacks or
// repeats a tensor, or has a tensor of another shape or size than its header implies.
Result<ModelFileInfo> inspect_model_file(const std::filesystem::path& file);

// The shape of a generated test model. Small but complete: whisper.cpp loads it and runs
// whisper_full() on it (encoder and decoder, segments with timestamps); its words mean nothing.
struct TestModelShape {
    int state = 64; // n_audio_state = n_text_state
    int heads = 2;  // per attention layer
    int layers = 1; // encoder and decoder layers each
    bool multilingual = false;
    std::uint32_t seed = 1;
};

// Writes a model with random weights in the real format (f16 weights, f32 norms, biases and
// positional embeddings) to `file`, through a temporary file renamed into place.
Result<void> write_test_model(const std::filesystem::path& file, const TestModelShape& shape = {});

} // namespace callscribe::stt::whisper
