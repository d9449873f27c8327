#pragma once
// A scripted Twilio for pipeline tests: one account, one call, one recording, answering the
// Recording resource, the call's recording list and the media URLs as Twilio does (JSON shapes
// of reference/twilio-recording-openapi.json, HTTP Basic checked, Twilio's error bodies), with
// each answer chosen by the test. Serve it with FakeHttpServer:
//     ScriptedTwilio twilio;  FakeHttpServer server([&](auto& r) { return twilio.answer(r); });
// For the full emulator with scenario knobs, see src/sandbox/.
#include "fakes/fake_http_server.hpp"

#include "config/config.hpp"
#include "core/sid.hpp"

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace callscribe::fakes {

extern const std::string k_account;
extern const std::string k_token;
extern const CallSid k_call;
extern const RecordingSid k_recording;

// The recording's audio: a 6.7 s telephone-quality MP3 from the evaluation set.
std::string audio_bytes();
// "Basic base64(k_account:k_token)": what Twilio accepts.
std::string basic_auth_header();
// callscribe's Twilio settings for this account, its API at `api_base`.
config::TwilioSettings twilio_settings(std::string api_base);

// One metadata answer: status and the raw JSON of "duration".
struct Meta {
    std::string status = "completed";
    std::string duration = "\"7\"";
};

// The handler runs on the server's thread; the test reads the counters after the client's
// calls returned (or under `mutex`).
struct ScriptedTwilio {
    std::vector<Meta> metadata{Meta{}}; // one per fetch; the last one repeats
    bool list_empty = false;            // the call's recording list is empty
    // Media answers by request number (0-based) and URL form ("", ".mp3", ".wav"); unset, every
    // form serves audio_bytes() as audio/mpeg.
    std::function<FakeResponse(int, const std::string&)> media;
    std::mutex mutex;
    int fetches = 0;
    int media_requests = 0;

    std::string recording_json(const Meta& meta) const;
    FakeResponse answer(const FakeRequest& request);
};

} // namespace callscribe::fakes
