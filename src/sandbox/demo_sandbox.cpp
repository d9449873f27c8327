#include "sandbox/demo_sandbox.hpp"

#include "audio/pcm_reader.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "net/curl/curl_http_client.hpp"
#include "sandbox/sandbox_server.hpp"
#include "sandbox/transcription_callbacks.hpp"
#include "twilio/voice_twiml.hpp"

#include <cmath>

namespace callscribe::sandbox {

// The build's samples folder, in a file CMake generates (generated/samples_dir.cpp).
extern const char* const k_samples_dir;

namespace {

// Long enough to be seen in the log ("not ready yet"), short enough for a first run.
constexpr Seconds k_demo_processing{4};

// The demo call's Real-Time Transcription session: what samples/README.md says is spoken, a
// partial result before each final one, paced so that the page shows it growing. Its SID is
// fixed so that a restart's callbacks repeat the first run's instead of adding a session.
TranscriptionScript demo_transcription(std::string_view public_url) {
    using twilio::RttTrack;
    return TranscriptionScript{
        .url = std::string(public_url) + "/twilio/transcription-status",
        .transcription_sid = "GTdeb0ca11000000000000000000000001",
        .lines = {{RttTrack::outbound, "Hi, this is Sarah calling from Doctor Miller's office to "
                                       "confirm your appointment on Tuesday at three thirty."},
                  {RttTrack::inbound, "Is it possible to reschedule my appointment to the first "
                                      "week of June?"},
                  {RttTrack::outbound, "Could you spell your last name for me, please?"},
                  {RttTrack::inbound, "My email address is john dot smith at example dot com."},
                  {RttTrack::outbound, "Thank you for calling, have a great day and goodbye."}},
        .partials = true,
        .spacing = Seconds{0.5}};
}

// The demo call's Twilio Media Stream: its audio, at the pace it is spoken, to the service's
// stream URL; the stream SID is fixed like the call's.
MediaStreamScript demo_stream(std::string_view public_url) {
    return MediaStreamScript{.url = twilio::websocket_url(public_url) + "/twilio/media",
                             .pace = 1,
                             .stream_sid = "MZdeb0ca11000000000000000000000001"};
}

// How long the audio lasts (0 when it cannot be read: create_call then says why).
Seconds audio_length(const std::filesystem::path& audio) {
    auto reader = audio::PcmReader::open(audio, 8000);
    if (!reader) return Seconds{0};
    std::size_t frames = 0;
    std::vector<std::vector<float>> chunk;
    for (auto more = reader->next(chunk); more && *more; more = reader->next(chunk))
        frames += chunk.front().size();
    return Seconds{double(frames) / 8000};
}

bool twilio_configured(const config::TwilioSettings& twilio) {
    return !twilio.account_sid.empty() || !twilio.auth_token.empty() || !twilio.api_key.empty();
}

} // namespace

struct DemoSandbox::Impl {
    SystemClock clock;
    net::curl::CurlHttpClient callbacks;
    SandboxServer server;

    Impl() : server(settings(), clock, callbacks) {}

    static SandboxSettings settings() {
        SandboxSettings s;
        s.host = "127.0.0.1";
        s.port = 0;
        return s;
    }
};

DemoSandbox::DemoSandbox(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
DemoSandbox::~DemoSandbox() {
    stop();
}

void DemoSandbox::stop() {
    if (m_impl) m_impl->server.stop();
}

Result<std::unique_ptr<DemoSandbox>> DemoSandbox::start_for(config::Config& config) {
    if (twilio_configured(config.twilio)) {
        log().warn("--sandbox: Twilio is configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or "
                   "TWILIO_API_KEY), so it is left alone: no embedded sandbox, no demo call");
        return std::unique_ptr<DemoSandbox>{};
    }
    auto impl = std::make_unique<Impl>();
    if (auto started = impl->server.start(); !started) return started.error();
    config.twilio.account_sid = impl->server.account_sid();
    config.twilio.auth_token = impl->server.auth_token();
    config.twilio.api_base = impl->server.base_url();
    log().info("--sandbox: Twilio is not configured, so TWILIO_API_BASE={} and "
               "TWILIO_ACCOUNT_SID={} point at the embedded Twilio sandbox (its test account)",
               config.twilio.api_base, config.twilio.account_sid);
    return std::unique_ptr<DemoSandbox>(new DemoSandbox(std::move(impl)));
}

void DemoSandbox::place_demo_call(store::Store& store, std::string_view public_url,
                                  bool media_stream) {
    const auto call_sid = CallSid::parse(k_demo_call_sid);
    const auto recording_sid = RecordingSid::parse(k_demo_recording_sid);
    CALLSCRIBE_ASSERT(call_sid && recording_sid);
    const auto known = store.find_call(*call_sid);
    if (!known) {
        log().error("--sandbox: demo call: {}", known.error().message);
        return;
    }
    const bool finished = *known && (*known)->status == store::CallStatus::done;

    CallRequest request{
        .audio = demo_audio_path(), .call_sid = call_sid, .recording_sid = recording_sid};
    // Only a call the log has not finished gets the callbacks: a finished demo stays as it was.
    if (!finished) {
        // First the live call, transcribed as it is spoken (by callscribe from its media stream,
        // or by "Twilio"); then its recording is processing for a while before the
        // RecordingStatusCallback.
        Seconds spoken{0};
        if (media_stream) {
            spoken = audio_length(request.audio) + Seconds{1};
            request.media_stream = demo_stream(public_url);
        } else {
            auto live = demo_transcription(public_url);
            spoken = live.spacing * static_cast<double>(2 * live.lines.size() + 2);
            request.transcription_callback = std::move(live);
        }
        request.scenario.processing_seconds = spoken + k_demo_processing;
        // The call ends when it has been spoken: its status callback carries its details.
        request.call_status_callback = CallbackRequest{
            .url = std::string(public_url) + "/twilio/call-status", .delay = spoken};
        // Twilio's callback: at once for the short scripted call (its job then waits out the
        // processing), at the end of a streamed one (the readiness backoff starts then).
        request.recording_status_callback =
            CallbackRequest{.url = std::string(public_url) + "/twilio/recording-status",
                            .delay = media_stream ? spoken : Seconds{0}};
    }
    auto created = m_impl->server.create_call(request);
    if (!created) {
        log().error("--sandbox: no demo call: {}", created.error().message);
        return;
    }
    if (finished)
        log().info("--sandbox: demo call {} is already in the call log (done); not placed again",
                   k_demo_call_sid);
    else
        log().info("--sandbox: demo call {} placed ({}): {} as it is spoken, then its recording "
                   "is processing until {}s after the start, then Twilio's "
                   "RecordingStatusCallback comes in",
                   k_demo_call_sid, request.audio.string(),
                   media_stream ? "its media stream comes in"
                                : "Twilio's Real-Time Transcription callbacks come in",
                   std::lround(request.scenario.processing_seconds.count()));
}

std::filesystem::path demo_audio_path() {
    // The working folder's samples/ (a checkout), else the build's samples folder: the
    // checkout's, or /usr/share/callscribe in the Debian package.
    const std::filesystem::path relative = "samples/demo-call.mp3";
    std::error_code ignored;
    if (std::filesystem::exists(relative, ignored)) return relative;
    return std::filesystem::path(k_samples_dir) / relative.filename();
}

} // namespace callscribe::sandbox
