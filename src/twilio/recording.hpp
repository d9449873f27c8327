#pragma once
// Twilio's Recording resource as callscribe needs it (reference/twilio-facts.md §1), and the
// one rule that matters most: when is a recording ready to download.
//
// Twilio reports `duration` as a string ("4"), null while processing, and in the field also as
// "-1" or -1 for a while after the call; a missing field is treated the same. None of these is
// a failure: the recording is simply not ready yet.

#include "core/result.hpp"
#include "core/sid.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::twilio {

enum class RecordingStatus {
    in_progress,
    paused,
    stopped,
    processing,
    completed,
    absent,
    deleted,
    failed,
    unknown
};

struct Recording {
    RecordingSid sid;
    std::optional<CallSid> call_sid;
    RecordingStatus status = RecordingStatus::unknown;
    std::optional<double> duration_s; // nothing until Twilio knows it
    int channels = 1;
    std::string uri; // relative to the API base, ends in ".json"
    std::optional<int> error_code;
};

enum class Readiness { ready, not_ready, gone };

// ready: completed with a known duration; gone: absent, deleted or failed (give up at once);
// not_ready: anything else (reschedule).
Readiness readiness(const Recording& recording);

// The media URL without extension: `uri` minus ".json", on the configured API base.
std::string media_url(std::string_view api_base, const Recording& recording);

// The forms of the media URL, in the order the download tries them: media_url + suffix (the base
// form answers WAV; a 404 on one form moves on to the next).
inline constexpr std::array<std::string_view, 3> k_media_suffixes{"", ".mp3", ".wav"};

// Parses one Recording object. An Error names what is missing or malformed.
Result<Recording> parse_recording(std::string_view json);

// Parses a call's recording list ({"recordings": [...]}): possibly empty.
Result<std::vector<Recording>> parse_recording_list(std::string_view json);

} // namespace callscribe::twilio
