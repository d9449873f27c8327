#pragma once
// What `POST /sandbox/calls` asks the sandbox for: the audio of the call, optional SIDs, the
// scenario knobs that script how the recording behaves, and the callbacks to send.
//
// Parsing is strict: an unknown field or knob, or a value of the wrong type or out of range, is
// an Error naming it (the control API answers 400). Pure; thread-safe.
//
// {
//   "audio": "/path/to/call.mp3",          // MP3 or WAV; required unless no_recording
//   "call_sid": "CA…", "recording_sid": "RE…",   // optional; random when absent
//   "format": "wav_pcm16" | "wav_mulaw" | "wav_alaw",  // encoding of the WAV forms
//   "channels": 1 | 2,                      // default: the source's (at most 2)
//   "processing_fetches": N,                // the first N metadata reads say "processing"
//   "processing_seconds": T,                // and so does every read (and media 404s) until T s
//                                           // after creation, by the sandbox's Clock
//   "pending_duration": "null" | "-1" | "missing",   // duration while processing
//   "missing_formats": ["base", "mp3", "wav"],       // these URL forms always answer 404
//   "media_not_found_first": K,             // the first K media requests answer 404
//   "failures": [{"status": 500}, {"status": 429, "retry_after": "1"}],  // scripted answers for
//                                           // the next API requests about this call, in order
//   "status": "absent" | "deleted",         // absent: error_code 16102; media 404
//   "no_recording": true,                   // the call has no recording: its list is empty
//   "status_callback": {"url": "http://…/twilio/recording-status", "delay_s": 0},
//   "call_status_callback": {"url": "http://…/twilio/call-status", "delay_s": 0},
//   "transcription_callback": {             // a Real-Time Transcription session's callbacks
//     "url": "http://…/twilio/transcription-status", "delay_s": 0,
//     "lines": [{"track": "inbound" | "outbound", "text": "…"}],   // what was said, in order
//     "shuffled": false, "duplicates": 0, "seed": 1,   // contents out of order, some sent twice
//     "partials": false,                    // a partial result before each final one
//     "spacing_s": 0,                       // between one callback and the next
//     "inbound_label": "…", "outbound_label": "…"},
//   "media_stream": {                       // the call's Twilio Media Stream, from its audio
//     "url": "ws://…/twilio/media", "delay_s": 0,
//     "pace": 1,                            // × real time; 0: as fast as the service reads
//     "stream_sid": "MZ…"}                  // random when absent
// }

#include "audio/wav_writer.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/sid.hpp"
#include "sandbox/media_stream_player.hpp"
#include "sandbox/transcription_callbacks.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::sandbox {

// Every member has an initializer so that designated initializers may name only what they set.

// The three URL forms of a recording's media: …/Recordings/RE, RE.mp3 and RE.wav.
enum class MediaForm { base, mp3, wav };
std::string_view to_string(MediaForm form); // "base", "mp3", "wav"

// How a recording that is still processing shows its duration.
enum class PendingDuration { null, minus_one, missing };

enum class StatusOverride { none, absent, deleted };

struct ScriptedAnswer {
    int status = 500;                         // 400..599
    std::optional<std::string> retry_after{}; // sent as Retry-After when set
};

struct Scenario {
    int processing_fetches = 0;
    Seconds processing_seconds{0};
    PendingDuration pending_duration = PendingDuration::null;
    std::vector<MediaForm> missing_formats{};
    int media_not_found_first = 0;
    std::vector<ScriptedAnswer> failures{};
    StatusOverride status = StatusOverride::none;
    std::optional<int> channels{};
    bool no_recording = false;
    audio::OutputFormat wav_format = audio::OutputFormat::wav_pcm16;
};

struct CallbackRequest {
    std::string url{}; // where to POST; also the URL the signature covers
    Seconds delay{0};
};

struct CallRequest {
    std::filesystem::path audio{};
    std::optional<CallSid> call_sid{};
    std::optional<RecordingSid> recording_sid{};
    Scenario scenario{};
    std::optional<CallbackRequest> recording_status_callback{}; // "status_callback"
    std::optional<CallbackRequest> call_status_callback{};      // "call_status_callback"
    std::optional<TranscriptionScript> transcription_callback{};
    std::optional<MediaStreamScript> media_stream{};
};

// Parses the JSON body of POST /sandbox/calls.
Result<CallRequest> parse_call_request(std::string_view json);

// Callbacks to send for an existing call: the body of POST /sandbox/calls/{CA}/callbacks,
// {"status_callback"?: {…}, "call_status_callback"?: {…}, "transcription_callback"?: {…}}.
struct CallbackRequests {
    std::optional<CallbackRequest> recording_status_callback;
    std::optional<CallbackRequest> call_status_callback;
    std::optional<TranscriptionScript> transcription_callback;
};
Result<CallbackRequests> parse_callback_requests(std::string_view json);

} // namespace callscribe::sandbox
