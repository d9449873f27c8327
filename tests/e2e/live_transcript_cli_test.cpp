// A call's speech streamed to the built service by a Media Streams client that is not
// callscribe's (tests/media_stream/twilio_media_client.py): the live transcript it makes, and a
// kill -9 in the middle of a stream, after which the captured audio is recovered and transcribed.
// Twilio's REST API is the sandbox, where the call's own recording is absent; and sandbox calls
// that carry a media stream, with and without Twilio's recording, to their webhook.
#include "core/base64.hpp"
#include "core/secret.hpp"
#include "fakes/fake_http_server.hpp"
#include "net/curl/curl_http_client.hpp"
#include "net/url_encoding.hpp"
#include "sandbox/sandbox_server.hpp"
#include "stt/word_error_rate.hpp"
#include "support/command.hpp"
#include "support/media_stream_messages.hpp"
#include "support/raw_http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/verified_webhooks.hpp"
#include "twilio/signature.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

namespace callscribe {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test_support::BackgroundCommand;

constexpr std::string_view k_ready_line = "callscribe serving on ";
const std::filesystem::path k_client =
    std::filesystem::path(CALLSCRIBE_SOURCE_DIR) / "tests/media_stream/twilio_media_client.py";
const std::string k_eval = CALLSCRIBE_EVAL_DIR;
const std::string k_invoice = "i'm calling about the invoice we received last week it looks "
                              "like we were charged twice";
const std::string k_webhook_key = "live-transcript-test-webhook-key";
const std::filesystem::path k_demo =
    std::filesystem::path(CALLSCRIBE_SOURCE_DIR) / "samples/demo-call.mp3";
// samples/README.md: what the demo call's caller says.
const std::string k_demo_caller = "is it possible to reschedule my appointment to the first week "
                                  "of june my email address is john dot smith at example dot com";
const std::string k_cleaning = "i'd like to schedule a cleaning for next monday morning if you "
                               "have anything available";

// The words that follow "Speaker: " on the transcript's lines of that speaker.
std::string said_by(const std::string& transcript, const std::string& speaker) {
    std::string words;
    std::istringstream lines(transcript);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with(speaker + ": ")) continue;
        if (!words.empty()) words += ' ';
        words += line.substr(speaker.size() + 2);
    }
    return words;
}

// The `data` of each event of GET /api/calls/{sid}/live as Server-Sent Events, up to the final
// one (or the end of the stream, or `limit`).
std::vector<json> live_events(test_support::RawClient& client, const std::string& call_sid,
                              std::chrono::milliseconds limit) {
    client.send(fmt::format("GET /api/calls/{}/live HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Accept: text/event-stream\r\n\r\n",
                            call_sid));
    std::vector<json> events;
    const auto header = client.read_until("\r\n\r\n", 10s);
    EXPECT_TRUE(header && header->starts_with("HTTP/1.1 200")) << header.value_or("(nothing)");
    if (!header) return events;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto event = client.read_chunk(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()));
        if (!event) break;
        const auto data = event->find("data: ");
        if (!event->starts_with("event: live\n") || data == std::string::npos) continue;
        events.push_back(json::parse(event->substr(data + 6)));
        if (events.back().value("final", false)) break;
    }
    return events;
}

class LiveTranscriptEndpoint : public ::testing::Test {
  protected:
    void SetUp() override {
        sandbox::SandboxSettings settings;
        settings.port = 0;
        m_sandbox = std::make_unique<sandbox::SandboxServer>(settings, m_clock, m_callbacks);
        ASSERT_TRUE(m_sandbox->start());
        auto created =
            m_sandbox->create_call({.audio = k_eval + "/synth/phone/flt01.mp3",
                                    .scenario = {.status = sandbox::StatusOverride::absent}});
        ASSERT_TRUE(created) << created.error().message;
        m_call = *created;

        // The caller speaks after a second of silence, then the agent answers.
        const auto caller = test_support::mulaw_8k(k_eval + "/synth/phone/flt06.mp3");
        const auto agent = test_support::mulaw_8k(k_eval + "/synth/phone/flt02.mp3");
        const std::size_t pause = 8000;
        const std::size_t frames = pause + caller.size() + pause + agent.size() + pause;
        std::string inbound(frames, '\xff'), outbound(frames, '\xff');
        std::copy(caller.begin(), caller.end(), inbound.begin() + pause);
        std::copy(agent.begin(), agent.end(), outbound.begin() + 2 * pause + caller.size());
        m_caller_end_s = double(pause + caller.size()) / 8000;
        write(m_dir / "caller.ulaw", inbound);
        write(m_dir / "agent.ulaw", outbound);
        start_service();
    }

    static void write(const std::filesystem::path& file, const std::string& bytes) {
        std::ofstream(file, std::ios::binary) << bytes;
    }

    void start_service() {
        m_service = std::make_unique<BackgroundCommand>(
            std::vector<std::string>{"serve"},
            std::map<std::string, std::string>{
                {"TWILIO_ACCOUNT_SID", m_sandbox->account_sid()},
                {"TWILIO_AUTH_TOKEN", m_sandbox->auth_token().reveal()},
                {"TWILIO_API_BASE", m_sandbox->base_url()},
                {"CALLSCRIBE_LISTEN", "127.0.0.1:0"},
                {"CALLSCRIBE_READY_BACKOFF", "0.1,0.1"},
                {"CALLSCRIBE_NOT_FOUND_WAIT", "0.1"},
                {"CALLSCRIBE_WEBHOOK_URL", m_receiver.url("/hooks/transcript")},
                {"CALLSCRIBE_WEBHOOK_SECRET", "whsec_" + encode_base64(k_webhook_key)},
                {"CALLSCRIBE_DATA_DIR", m_dir.path().string()}});
        ASSERT_TRUE(m_service->running());
        const auto line = m_service->read_line(30s);
        ASSERT_TRUE(line) << m_service->stop().err;
        ASSERT_TRUE(line->starts_with(k_ready_line)) << *line;
        m_url = line->substr(k_ready_line.size());
    }

    // Starts the client playing the call at `pace` × real time (0: at once).
    std::unique_ptr<BackgroundCommand> play(double pace) {
        const std::string ws = "ws://" + m_url.substr(std::string("http://").size());
        return BackgroundCommand::program(
            {"/usr/bin/python3", k_client.string(), "--url", ws + "/twilio/media", "--signed-url",
             ws + "/twilio/media", "--auth-token", m_sandbox->auth_token().reveal(), "--account",
             m_sandbox->account_sid(), "--call", m_call.call_sid, "--caller",
             (m_dir / "caller.ulaw").string(), "--agent", (m_dir / "agent.ulaw").string(), "--pace",
             fmt::format("{}", pace)});
    }

    json call() {
        auto r = m_http.send({.url = m_url + "/api/calls/" + m_call.call_sid});
        if (!r || r->status != 200) return json::object();
        return json::parse(r->body);
    }

    // Polls `done` until it holds or `limit` passes (waiting for another process).
    static bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (done()) return true;
            std::this_thread::sleep_for(100ms);
        }
        return done();
    }

    // The demo call through the sandbox with a stream to the service at once, and Twilio's
    // recording-status callback a few seconds later (the stream and its transcription are done
    // by then); the webhook that follows. With `live`, the call's live events (Server-Sent
    // Events, as the page reads them) from a listener that starts before the stream.
    json demo_call_webhook(sandbox::StatusOverride status, std::vector<json>* live = nullptr) {
        const std::string ws = "ws://" + m_url.substr(std::string("http://").size());
        auto created = m_sandbox->create_call(
            {.audio = k_demo,
             .scenario = {.status = status},
             .recording_status_callback =
                 sandbox::CallbackRequest{.url = m_url + "/twilio/recording-status",
                                          .delay = Seconds{8}},
             .media_stream = sandbox::MediaStreamScript{
                 .url = ws + "/twilio/media", .delay = Seconds{live ? 2 : 0}, .pace = 0}});
        if (!created) throw std::runtime_error(created.error().message);
        m_call = *created;
        std::thread listening;
        std::optional<test_support::RawClient> listener;
        if (live) {
            // The call is known once Twilio says it is in progress; the page listens from then.
            EXPECT_EQ(
                signed_callback("/twilio/call-status", {{"AccountSid", m_sandbox->account_sid()},
                                                        {"CallSid", m_call.call_sid},
                                                        {"CallStatus", "in-progress"}}),
                204);
            listener.emplace(port());
            listening = std::thread([&] { *live = live_events(*listener, m_call.call_sid, 90s); });
        }
        struct Join {
            std::thread& thread;
            ~Join() {
                if (thread.joinable()) thread.join();
            }
        } join{listening};
        EXPECT_TRUE(eventually([&] { return m_receiver.request_count() > 0; }, 120s))
            << m_service->err_so_far();
        const auto received = test_support::verified_webhooks(m_receiver, Secret(k_webhook_key));
        return received.empty() ? json::object() : received.front();
    }

    // A Twilio callback to the service, signed as the sandbox's account would sign it.
    int signed_callback(const std::string& path, const net::FormFields& fields) {
        const auto response = m_http.send(
            {.method = "POST",
             .url = m_url + path,
             .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                         {"X-Twilio-Signature",
                          twilio::compute_signature(
                              m_url + path, twilio::FormParams(fields.begin(), fields.end()),
                              m_sandbox->auth_token())}},
             .body = net::encode_form(fields)});
        return response ? response->status : 0;
    }

    std::uint16_t port() const {
        return static_cast<std::uint16_t>(std::stoi(m_url.substr(m_url.rfind(':') + 1)));
    }

    std::filesystem::path recording() const {
        return m_dir / "recordings" / (m_call.call_sid + ".stream.wav");
    }

    test_support::TempDir m_dir;
    fakes::FakeHttpServer m_receiver{
        [](const fakes::FakeRequest&) { return fakes::FakeResponse::text(200, "ok"); }};
    SystemClock m_clock;
    net::curl::CurlHttpClient m_callbacks;
    std::unique_ptr<sandbox::SandboxServer> m_sandbox;
    sandbox::CreatedCall m_call;
    net::curl::CurlHttpClient m_http;
    std::unique_ptr<BackgroundCommand> m_service;
    std::string m_url;
    double m_caller_end_s = 0;
};

TEST_F(LiveTranscriptEndpoint, TheStreamsSpeechBecomesTheCallsRealtimeTranscript) {
    // The call is known once Twilio says it is in progress; the page starts listening then.
    EXPECT_EQ(signed_callback("/twilio/call-status", {{"AccountSid", m_sandbox->account_sid()},
                                                      {"CallSid", m_call.call_sid},
                                                      {"CallStatus", "in-progress"}}),
              204);
    test_support::RawClient listener(port());
    std::vector<json> events;
    std::thread listening([&] { events = live_events(listener, m_call.call_sid, 90s); });
    auto client = play(0);
    EXPECT_EQ(client->read_line(60s).value_or("(nothing)"), "closed 1000");
    listening.join();
    // Live: the transcript as Server-Sent Events, from nothing to the call's realtime
    // transcript, which ends the stream.
    ASSERT_GE(events.size(), 2u);
    EXPECT_EQ(events.front()["final"], false);
    EXPECT_EQ(events.back()["final"], true);
    EXPECT_EQ(events.back()["transcript"], call()["realtime_transcript"]);
    EXPECT_TRUE(listener.closed_within(5s)) << "the final event ends the stream";
    ASSERT_TRUE(
        eventually([&] { return call().value("realtime_source", json()) == "media_stream"; }, 60s))
        << call().dump() << m_service->err_so_far();
    const std::string transcript = call()["realtime_transcript"];
    const auto caller = said_by(transcript, "Caller");
    const auto agent = said_by(transcript, "Agent");
    EXPECT_LT(stt::word_errors(k_invoice, caller).rate(), 0.35) << transcript;
    EXPECT_LT(stt::word_errors(k_cleaning, agent).rate(), 0.35) << transcript;
    EXPECT_LT(transcript.find("Caller: "), transcript.find("Agent: ")) << "in the call's order";
    const auto result = m_service->stop();
    EXPECT_NE(result.err.find(fmt::format("[MEDIA] stream MZ0123456789abcdef0123456789abcdef of "
                                          "call {}: realtime transcript from the stream",
                                          m_call.call_sid)),
              std::string::npos)
        << result.err;
}

TEST_F(LiveTranscriptEndpoint, AKillMidStreamKeepsWhatWasCapturedAndARestartTranscribesIt) {
    auto client = play(2); // twice real time: the call's 15 s in 7.5
    // Killed once the caller has finished speaking (the recording grows as frames settle).
    const std::filesystem::path part = recording().string() + ".part";
    const auto captured_s = [&] {
        std::error_code ec;
        const auto size = std::filesystem::file_size(part, ec);
        return ec ? 0.0 : double(size) / (2 * 8000);
    };
    ASSERT_TRUE(eventually([&] { return captured_s() > m_caller_end_s + 1.5; }, 60s))
        << m_service->err_so_far();
    EXPECT_EQ(m_service->kill().exit_code, 137);
    client->stop();
    EXPECT_FALSE(std::filesystem::exists(recording())) << "cut short: still a .part";

    start_service();
    ASSERT_TRUE(std::filesystem::exists(recording())) << m_service->err_so_far();
    // Twilio's recording never came: the job transcribes the call's own.
    const net::FormFields fields = {{"AccountSid", m_sandbox->account_sid()},
                                    {"CallSid", m_call.call_sid},
                                    {"RecordingSid", m_call.recording_sid.value_or("")},
                                    {"RecordingStatus", "absent"},
                                    {"ErrorCode", "16101"}};
    EXPECT_EQ(signed_callback("/twilio/recording-status", fields), 204);
    ASSERT_TRUE(eventually([&] { return call().value("status", "") == "done"; }, 120s))
        << call().dump() << m_service->err_so_far();
    const json transcribed = call();
    EXPECT_EQ(transcribed["audio_source"], "media_stream");
    const std::string transcript = transcribed["final_transcript"];
    EXPECT_LT(stt::word_errors(k_invoice, said_by(transcript, "Caller")).rate(), 0.35)
        << transcript;
    const auto result = m_service->stop();
    EXPECT_NE(
        result.err.find(fmt::format("[MEDIA] completed recordings/{}.stream.wav", m_call.call_sid)),
        std::string::npos)
        << result.err;
}

using sandbox::StatusOverride;

TEST_F(LiveTranscriptEndpoint, AStreamedCallWithTwiliosRecordingDeliversTheOfflineTranscript) {
    std::vector<json> live;
    const json webhook = demo_call_webhook(StatusOverride::none, &live);
    // Live, as the page reads it: from nothing to the realtime transcript, growing.
    ASSERT_GE(live.size(), 3u);
    EXPECT_EQ(live.front()["transcript"], "");
    EXPECT_EQ(live.back()["final"], true);
    EXPECT_EQ(live.back()["transcript"], call()["realtime_transcript"]);
    EXPECT_EQ(webhook.value("transcript_source", ""), "offline") << webhook.dump();
    EXPECT_EQ(webhook.value("audio_source", ""), "twilio") << "Twilio's recording wins";
    EXPECT_EQ(webhook.value("realtime_source", ""), "media_stream");
    // The live transcript was saved on the call as its realtime transcript.
    const std::string realtime = call()["realtime_transcript"];
    EXPECT_LT(stt::word_errors(k_demo_caller, said_by(realtime, "Caller")).rate(), 0.5) << realtime;
}

TEST_F(LiveTranscriptEndpoint, WhenTwiliosRecordingIsAbsentTheStreamsRecordingIsTranscribed) {
    const json webhook = demo_call_webhook(StatusOverride::absent);
    EXPECT_EQ(webhook.value("transcript_source", ""), "offline") << webhook.dump();
    EXPECT_EQ(webhook.value("audio_source", ""), "media_stream");
    const std::string transcript = webhook.value("transcript", "");
    EXPECT_LT(stt::word_errors(k_demo_caller, said_by(transcript, "Caller")).rate(), 0.5)
        << transcript;
}

// Neither Twilio's recording nor the call's own (lost before the job ran): nothing to transcribe
// offline, so the webhook carries what the stream's live transcript made of the call.
TEST_F(LiveTranscriptEndpoint, WithNoRecordingAtAllTheWebhookCarriesTheStreamsLiveTranscript) {
    const std::string ws = "ws://" + m_url.substr(std::string("http://").size());
    auto created = m_sandbox->create_call(
        {.audio = k_demo,
         .scenario = {.no_recording = true},
         .media_stream = sandbox::MediaStreamScript{.url = ws + "/twilio/media", .pace = 0}});
    ASSERT_TRUE(created) << created.error().message;
    m_call = *created;
    ASSERT_TRUE(
        eventually([&] { return call().value("realtime_source", json()) == "media_stream"; }, 60s))
        << m_service->err_so_far();
    std::filesystem::remove(recording());
    const net::FormFields fields = {{"AccountSid", m_sandbox->account_sid()},
                                    {"CallSid", m_call.call_sid},
                                    {"CallStatus", "completed"}};
    EXPECT_EQ(signed_callback("/twilio/call-status", fields), 204);
    ASSERT_TRUE(eventually([&] { return m_receiver.request_count() > 0; }, 60s))
        << m_service->err_so_far();
    const auto received = test_support::verified_webhooks(m_receiver, Secret(k_webhook_key));
    ASSERT_EQ(received.size(), 1U);
    const json& webhook = received.front();
    EXPECT_EQ(webhook.value("transcript_source", ""), "realtime") << webhook.dump();
    EXPECT_EQ(webhook.value("realtime_source", ""), "media_stream");
    EXPECT_TRUE(webhook["audio_source"].is_null());
    EXPECT_LT(
        stt::word_errors(k_demo_caller, said_by(webhook.value("transcript", ""), "Caller")).rate(),
        0.5)
        << webhook.dump();
}

} // namespace
} // namespace callscribe
