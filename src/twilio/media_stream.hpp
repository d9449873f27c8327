#pragma once
// Twilio Media Streams: the JSON messages Twilio sends over the WebSocket of a
// `<Start><Stream>` (reference: docs/media-streams.md, from Twilio's "WebSocket Messages" page).
//
//   {"event":"connected","protocol":"Call","version":"1.0.0"}                       always first
//   {"event":"start","sequenceNumber":"1","streamSid":"MZ…","start":{"accountSid":"AC…",
//    "streamSid":"MZ…","callSid":"CA…","tracks":["inbound","outbound"],
//    "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},
//    "customParameters":{…}}}
//   {"event":"media","sequenceNumber":"2","streamSid":"MZ…","media":{"track":"inbound",
//    "chunk":"1","timestamp":"5","payload":"<base64 μ-law, 8 kHz mono, no header>"}}
//   {"event":"mark",…,"mark":{"name":"…"}}   {"event":"dtmf",…,"dtmf":{"track":"inbound_track",
//    "digit":"1"}}   {"event":"stop",…,"stop":{"accountSid":"AC…","callSid":"CA…"}}   last
//
// sequenceNumber, chunk and timestamp (ms from the stream's start) are strings; numbers are
// accepted too. Members this parser does not know are ignored. An event it does not know is
// returned as `unknown` (with its name) for the caller to refuse; anything else malformed is an
// Error naming the member ("media.payload is not base64").
//
// Pure functions; thread-safe.
#include "core/result.hpp"
#include "core/sid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::twilio {

enum class MediaEvent { connected, start, media, mark, dtmf, stop, unknown };
enum class MediaTrack { inbound, outbound };

std::string_view to_string(MediaEvent event);
std::string_view to_string(MediaTrack track); // "inbound" | "outbound"

struct MediaStart {
    std::string account_sid{};
    CallSid call_sid;
    std::vector<MediaTrack> tracks{};
    std::string encoding{}; // "audio/x-mulaw"
    int sample_rate = 0;
    int channels = 0;
    std::vector<std::pair<std::string, std::string>> custom_parameters{}; // <Parameter>s, in order
};

struct MediaChunk {
    MediaTrack track = MediaTrack::inbound;
    std::int64_t chunk = 0;        // per track, from 1
    std::int64_t timestamp_ms = 0; // from the stream's start
    std::string payload;           // μ-law bytes, decoded from base64
};

struct MediaMessage {
    MediaEvent event = MediaEvent::unknown;
    std::string event_name;                 // as sent
    std::string stream_sid;                 // empty on `connected`
    std::optional<std::int64_t> sequence{}; // sequenceNumber; absent on `connected`
    std::optional<MediaStart> start{};
    std::optional<MediaChunk> media{};
    std::string mark_name{};
    std::string dtmf_digit{};
};

Result<MediaMessage> parse_media_message(std::string_view text);

} // namespace callscribe::twilio
