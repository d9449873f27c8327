#pragma once
// `callscribe models list | fetch NAME [--dir DIR] | verify FILE | make-test-model FILE`:
// the Whisper model files of the `whisper` engine.

#include "config/config.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace callscribe::cli {

struct ModelsOptions {
    std::string action;                       // list, fetch, verify, make-test-model
    std::string name;                         // fetch: a known model's name
    std::filesystem::path file;               // verify, make-test-model
    std::optional<std::filesystem::path> dir; // fetch: default {CALLSCRIBE_DATA_DIR}/models
    int state = 64;                           // make-test-model: the model's width
    int layers = 1;                           // make-test-model: encoder and decoder layers
    int heads = 2;                            // make-test-model: attention heads
    bool multilingual = false;
    bool progress = true;
};

// 0 done, 1 the download or the check failed, 2 bad usage.
int run_models(const ModelsOptions& options, const config::Config& config);

} // namespace callscribe::cli
