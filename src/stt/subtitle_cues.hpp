#pragma once
// Subtitle cues cut to what subtitle players show well: lines of at most `max_line_length`
// characters (Unicode code points) and at most `max_line_count` lines a cue, the defaults being
// the usual 42 and 2. A segment too long for one cue becomes several, in order: timed by its
// words where the engine gave their times, else by sharing the segment's time out by
// characters. A word longer than a line has a line to itself, unbroken. Pure functions.

#include "stt/transcript.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace callscribe::stt {

struct SubtitleLimits {
    std::size_t max_line_length = 42;
    std::size_t max_line_count = 2;
};

struct SubtitleCue {
    double start_s = 0;
    double end_s = 0; // at least a millisecond after start_s
    std::string speaker;
    std::vector<std::string> lines{};
};

// The cues of every segment with text, in start order (a cue never starts before the one
// before it). `speaker_in_text`: the first line of each cue starts with "Speaker:" (SRT), which
// counts towards that line's length (alone on the line when the first word does not fit beside
// it; over the limit only in one-line cues); WebVTT names the voice apart.
std::vector<SubtitleCue> subtitle_cues(const Transcript& transcript, const SubtitleLimits& limits,
                                       bool speaker_in_text);

// Code points in UTF-8 text.
std::size_t text_length(std::string_view text);

} // namespace callscribe::stt
