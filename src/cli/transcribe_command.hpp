#pragma once
// `callscribe transcribe FILE|FOLDER|-... [--recursive] [--format txt|json|srt|vtt] [--engine E]
// [-o DIR]`

#include "config/config.hpp"
#include "stt/subtitle_cues.hpp"
#include "stt/transcriber.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::cli {

struct TranscribeOptions {
    std::vector<std::filesystem::path> files; // files, folders, `-` for standard input
    bool recursive = false;                   // also the folders' subfolders
    std::string format = "txt";               // txt, json, srt, vtt, or all (with output_dir)
    stt::SubtitleLimits subtitles;            // SRT and WebVTT cues
    std::optional<std::filesystem::path> output_dir;
    int jobs = 1; // files transcribed at once
    // auto: a bar when stderr is a terminal, else nothing; bar; plain: a line per file done;
    // none. Both but none end with a summary line.
    std::string progress = "auto";
};

// Transcribes every file, one transcriber per job; a failed file is reported on stderr and the
// others go on; a file found in a folder that is not audio is skipped with a note. Returns 0
// when all succeeded, 1 when any failed (or the folders held nothing), 2 on bad usage.
int run_transcribe(const TranscribeOptions& options, const stt::Engine& engine);

} // namespace callscribe::cli
