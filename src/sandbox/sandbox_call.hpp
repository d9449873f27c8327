#pragma once
// One call in the sandbox and its recording: the scenario it was created with, its prepared
// audio, and what has happened to it so far. It decides, request by request, what the emulated
// Twilio API answers about it.
//
// The recording is "processing" until it has been read processing_fetches times AND
// processing_seconds have passed since creation (by the Clock's time handed in); while it is,
// metadata reads show status "processing" with the pending duration, and media requests 404.
// Not thread-safe: the CallRegistry guards every SandboxCall with its lock.

#include "core/clock.hpp"
#include "core/sid.hpp"
#include "sandbox/call_request.hpp"
#include "sandbox/prepared_audio.hpp"
#include "sandbox/resource_json.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace callscribe::sandbox {

// Requests that reached this call, by kind: what the service under test asked for.
struct RequestCounts {
    int metadata = 0; // fetches of …/Recordings/RE.json
    int list = 0;     // lists that named the call (…/Calls/CA/Recordings.json, ?CallSid=CA)
    int base = 0;     // …/Recordings/RE
    int mp3 = 0;      // …/Recordings/RE.mp3
    int wav = 0;      // …/Recordings/RE.wav
    int storage = 0;  // bytes fetched from the storage URL
    int storage_with_authorization = 0; // of those, how many carried an Authorization header
};

struct CallbackOutcome {
    // "recording_status", "call_status", "transcription" or "media_stream"
    std::string kind{};
    std::string url{};
    // "pending", "sent" (the receiver answered; a stream: ended with 1000 after stop) or "failed"
    std::string state = "pending";
    std::optional<int> status{}; // the receiver's HTTP status; a stream's close code
    std::string error{};         // why it failed
};

class SandboxCall {
  public:
    // `storage_tokens` are the random tokens of the storage URLs, WAV then MP3.
    SandboxCall(CallSid call_sid, std::optional<RecordingSid> recording_sid, Scenario scenario,
                TimePoint created_at, std::optional<PreparedAudio> audio,
                std::pair<std::string, std::string> storage_tokens);

    const CallSid& call_sid() const { return m_call_sid; }
    const std::optional<RecordingSid>& recording_sid() const { return m_recording_sid; }
    const Scenario& scenario() const { return m_scenario; }
    const std::optional<PreparedAudio>& audio() const { return m_audio; }

    // The next scripted answer for an API request about this call, used up; nothing when the
    // script is spent.
    std::optional<ScriptedAnswer> take_failure();

    // A metadata read at `now` (a fetch, or the recording in a list): counts toward
    // processing_fetches. Call only when recording_sid() is set.
    RecordingFacts read_metadata(const std::string& account_sid, TimePoint now);
    // The recording as a read at `now` would see it, without counting as one.
    RecordingFacts peek(const std::string& account_sid, TimePoint now) const;

    // Whether a media request for `form` at `now` is answered with the bytes (a redirect to the
    // storage) rather than 404. Counts toward media_not_found_first.
    bool media_available(MediaForm form, TimePoint now);

    // The token that opens the stored WAV (mp3 = false) or MP3 (mp3 = true).
    const std::string& storage_token(bool mp3) const;

    // The control API's view: SIDs, status now, counts, callbacks, what is left of the script.
    nlohmann::json state_json(const std::string& account_sid, TimePoint now) const;

    RequestCounts counts;
    std::vector<CallbackOutcome> callbacks;

  private:
    bool processing(TimePoint now, int reads) const;
    RecordingFacts facts(const std::string& account_sid, TimePoint now, int reads) const;

    CallSid m_call_sid;
    std::optional<RecordingSid> m_recording_sid;
    Scenario m_scenario;
    TimePoint m_created_at;
    std::optional<PreparedAudio> m_audio;
    std::pair<std::string, std::string> m_storage_tokens;
    int m_metadata_reads = 0;
    int m_media_requests = 0;
    std::size_t m_failures_used = 0;
};

} // namespace callscribe::sandbox
