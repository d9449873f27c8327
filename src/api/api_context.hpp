#pragma once
// What the HTTP handlers work with: references to the service's parts and its settings, built
// once by `callscribe serve` (or a test) and shared by every request. No globals.
//
// Thread safety: the Store and the Clock are thread-safe; `wake` must be callable from any
// thread (WorkerPool::wake is); the settings are read-only.
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/secret.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace callscribe::jobs {
class JobMetrics;
}
namespace callscribe::live {
class MediaStreams;
}
namespace callscribe::net {
class CountingHttpClient;
}
namespace callscribe::webhook {
struct DeliveryCounts;
}

namespace callscribe::api {

class LivePartials;
class RecordingFallback;

struct ApiSettings {
    // The service's URL as Twilio calls it (CALLSCRIBE_PUBLIC_URL, no trailing '/'): the
    // X-Twilio-Signature of a callback covers public_url + path + query.
    std::string public_url;
    Secret api_token;               // CALLSCRIBE_API_TOKEN; empty: /api/* is open
    std::string account_sid;        // TWILIO_ACCOUNT_SID: callbacks for another account are refused
    Secret twilio_auth_token;       // TWILIO_AUTH_TOKEN; empty: callback signatures are not checked
    std::filesystem::path data_dir; // recordings live in data_dir/recordings
    bool webhook_configured = false; // CALLSCRIBE_WEBHOOK_URL is set (shown on the page)
    // POST /twilio/voice: where the call goes on (CALLSCRIBE_VOICE_CONTINUE), and whether it
    // starts Twilio's Real-Time Transcription (CALLSCRIBE_REALTIME=twilio) or a Media Stream
    // (CALLSCRIBE_REALTIME=stream).
    config::VoiceContinue voice_continue{};
    bool twilio_transcription = true;
    bool voice_media_stream = false;
};

// Where GET /metrics reads its figures; an unset source leaves its families without samples.
struct MetricsSources {
    const jobs::JobMetrics* jobs = nullptr;
    const net::CountingHttpClient* twilio_http = nullptr;
    const webhook::DeliveryCounts* webhooks = nullptr;
};

struct ApiContext {
    store::Store& store;
    const ApiSettings& settings;
    const Clock& clock;
    // A job became due now (a callback, /end, retranscribe): the workers stop idling.
    std::function<void()> wake;
    MetricsSources metrics{};
    // Fetches recordings that are not on disk from Twilio (recording_fallback.hpp); when unset,
    // a download of such a recording is answered 404.
    RecordingFallback* recording_fallback = nullptr;
    // The partial results of Twilio's Real-Time Transcription (live_transcript.hpp); when unset,
    // they are dropped and GET /api/calls/{sid}/live shows final utterances only.
    LivePartials* live_partials = nullptr;
    // The Twilio Media Streams received on GET /twilio/media; when unset, that route is 503.
    live::MediaStreams* media_streams = nullptr;
};

} // namespace callscribe::api
