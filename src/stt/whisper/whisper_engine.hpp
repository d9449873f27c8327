#pragma once
// Engine "whisper": whisper.cpp in the process, on a ggml model file (any size, quantized
// included). The only code that includes whisper.h.
//
// Ownership and threads: the engine loads the model once (whisper_context, shared and read-only)
// and is thread-safe. Each channel being transcribed has a whisper_state of its own, made for it
// and freed after (so the same recording always comes out the same), and concurrent
// transcriptions share no lock. A transcriber is for one thread at a time.
//
// What reaches the model: each channel goes through voice-activity detection, and its speech
// regions are packed into windows of at most 30 s (stt/speech_windows.hpp): silence is never
// decoded, a silent recording gives no text and costs no model time, and memory is one window
// per channel whatever the recording's length. Two-channel recordings are transcribed per channel
// (in parallel when a core is free: stt/channel_runner.hpp) and merged by time into turns labelled
// with the channel labels. Segments carry start/end and word times on the recording's own time
// line, with Whisper's punctuation and casing.
//
// Every segment passes the hallucination guards (stt/segment_guard.hpp) before it is kept; the
// transcript counts those dropped.
//
// Failures: make_whisper_engine() checks the model file first (stt/whisper/model_file.hpp) and
// fails with one line naming it; a language the model cannot speak fails there too. transcribe()
// fails as audio::PcmReader does for a bad recording, and with "whisper failed on the window at
// Ns" when whisper.cpp does.

#include "audio/voice_activity.hpp"
#include "stt/channel_runner.hpp"
#include "stt/segment_guard.hpp"
#include "stt/transcriber.hpp"
#include "stt/whisper/model_file.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace callscribe::stt::whisper {

struct WhisperSettings {
    std::filesystem::path model{};
    int threads = 1;             // per channel being transcribed
    std::string language = "en"; // ISO 639-1, or "auto" to detect (multilingual models)
    std::string prompt{};        // initial prompt: names, products, spelling
    std::vector<std::string> channel_labels{"Caller", "Agent"};
    audio::VoiceActivitySettings vad{.max_region_s = 28};
    double window_s = 30; // Whisper's own window
    SegmentGuardSettings guards{};
    bool word_times = true;
    // Where channels may run in parallel; nullptr: one after the other.
    std::shared_ptr<CoreSlots> slots{};
};

Result<std::unique_ptr<Engine>> make_whisper_engine(WhisperSettings settings);

// whisper.cpp's version ("1.9.1").
std::string whisper_version();

} // namespace callscribe::stt::whisper
