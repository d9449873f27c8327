#pragma once
// What a transcription produces: segments with times and, for two-channel calls, who spoke.

#include "stt/segment_guard.hpp"

#include <string>
#include <vector>

namespace callscribe::stt {

struct Word {
    double start_s = 0;
    double end_s = 0;
    std::string text;
};

struct Segment {
    double start_s = 0;
    double end_s = 0;
    std::string speaker; // empty for a mono recording
    std::string text;
    std::vector<Word> words; // empty when the engine gives no word times
};

struct Transcript {
    std::string engine;
    double audio_s = 0;
    std::vector<Segment> segments; // ordered by start time
    double speech_s = 0;           // audio decoded once silence was skipped, summed over channels
    std::string language{};        // ISO 639-1 code where the engine tells ("en"), else empty
    DroppedSegments dropped{};     // segments the engine's guards dropped (hallucinations)
    double model_s = 0; // seconds inside the model's own calls (whisper_full), summed over channels

    // The plain text: for a mono recording the segments joined by spaces; with speakers one line
    // per turn, "Agent: thank you for calling".
    std::string text() const;
};

// Who speaks on channel `channel` (0-based) of a multi-channel recording: the configured label,
// or "Channel N" past the labels.
std::string speaker_label(const std::vector<std::string>& labels, std::size_t channel);

} // namespace callscribe::stt
