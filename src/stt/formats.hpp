#pragma once
// Rendering a transcript for people and programs: plain text, JSON, SRT and WebVTT subtitles.
// Pure functions. Plain text has a line per turn with speakers, else a line per segment;
// subtitle cues come from the segments, cut to `limits` (stt/subtitle_cues.hpp), in start order,
// with well-formed monotonic timestamps (a cue never ends before it starts).

#include "core/result.hpp"
#include "stt/subtitle_cues.hpp"
#include "stt/transcript.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace callscribe::stt {

enum class Format { txt, json, srt, vtt };

std::optional<Format> parse_format(std::string_view name);
std::string_view extension(Format format); // "txt", "json", "srt", "vtt"

// JSON has times to the millisecond, like the subtitle formats.
std::string render(const Transcript& transcript, Format format, const SubtitleLimits& limits = {});

// The inverse of render(…, Format::json): what the call log keeps as `final_transcript_json`
// back into a Transcript, so that it can be rendered in the other formats. `text` is derived and
// ignored; "language", "speaker" and "words" are optional. An Error names what is malformed.
// speech_s is not part of the json format and reads as 0.
Result<Transcript> parse_json(std::string_view json);

// "00:01:02,345" (SRT) or "00:01:02.345" (WebVTT); negative times count as zero.
std::string timestamp(double seconds, char millis_separator);

} // namespace callscribe::stt
