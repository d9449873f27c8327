#pragma once
// Rendering a transcript for people and programs: plain text, JSON, SRT and WebVTT subtitles.
// Pure functions; subtitle cues come from the segments, in start order, with well-formed
// monotonic timestamps (a cue never ends before it starts).

#include "stt/transcript.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace callscribe::stt {

enum class Format { txt, json, srt, vtt };

std::optional<Format> parse_format(std::string_view name);
std::string_view extension(Format format); // "txt", "json", "srt", "vtt"

std::string render(const Transcript& transcript, Format format);

// "00:01:02,345" (SRT) or "00:01:02.345" (WebVTT); negative times count as zero.
std::string timestamp(double seconds, char millis_separator);

} // namespace callscribe::stt
