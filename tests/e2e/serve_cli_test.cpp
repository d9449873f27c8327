// `callscribe serve` as an operator runs it: the built binary against the Twilio sandbox (in
// this process, on 127.0.0.1:0) and a webhook receiver that checks signatures, with a real
// SQLite file and the real engine.
#include "core/base64.hpp"
#include "core/secret.hpp"
#include "fakes/fake_http_server.hpp"
#include "net/curl/curl_http_client.hpp"
#include "net/url_encoding.hpp"
#include "sandbox/sandbox_server.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"
#include "support/time_factor.hpp"
#include "support/verified_webhooks.hpp"
#include "twilio/realtime_transcription.hpp"
#include "twilio/signature.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace callscribe {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using test_support::BackgroundCommand;

const std::string k_webhook_key = "callscribe-serve-test-webhook-key";
const std::filesystem::path k_audio =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt01.mp3";
constexpr std::string_view k_ready_line = "callscribe serving on ";

class ServeCommand : public ::testing::Test {
  protected:
    ServeCommand() {
        sandbox::SandboxSettings settings;
        settings.port = 0;
        m_sandbox = std::make_unique<sandbox::SandboxServer>(settings, m_clock, m_callbacks);
        auto started = m_sandbox->start();
        if (!started) throw std::runtime_error(started.error().message);
    }

    std::map<std::string, std::string> env() const {
        return {
            {"TWILIO_ACCOUNT_SID", m_sandbox->account_sid()},
            {"TWILIO_AUTH_TOKEN", m_sandbox->auth_token().reveal()},
            {"TWILIO_API_BASE", m_sandbox->base_url()},
            {"CALLSCRIBE_LISTEN", "127.0.0.1:0"},
            {"CALLSCRIBE_DATA_DIR", m_dir.path().string()},
            {"CALLSCRIBE_READY_BACKOFF", "0.05,0.05,0.05,0.05,0.05"},
            {"CALLSCRIBE_NOT_FOUND_WAIT", "0.05"},
            {"CALLSCRIBE_WORKERS", "1"},
            {"CALLSCRIBE_JOB_LEASE", "2"},
            {"CALLSCRIBE_WEBHOOK_URL", m_receiver.url("/hooks/transcript")},
            {"CALLSCRIBE_WEBHOOK_SECRET", "whsec_" + encode_base64(k_webhook_key)},
        };
    }

    // Starts the service and reads its URL from the first line it prints.
    void start_service(const std::map<std::string, std::string>& overrides = {}) {
        auto environment = env();
        for (const auto& [name, value] : overrides)
            environment[name] = value;
        m_service =
            std::make_unique<BackgroundCommand>(std::vector<std::string>{"serve"}, environment);
        ASSERT_TRUE(m_service->running());
        const auto line = m_service->read_line(30s);
        ASSERT_TRUE(line) << m_service->stop().err;
        ASSERT_TRUE(line->starts_with(k_ready_line)) << *line;
        m_url = line->substr(k_ready_line.size());
        ASSERT_TRUE(m_url.starts_with("http://127.0.0.1:")) << m_url;
    }

    sandbox::CreatedCall create_call(sandbox::CallRequest request) {
        request.audio = k_audio;
        auto created = m_sandbox->create_call(request);
        if (!created) throw std::runtime_error(created.error().message);
        return *created;
    }

    net::HttpResponse send(net::HttpRequest request) {
        request.url = m_url + request.url;
        auto response = m_client.send(request);
        if (!response) throw std::runtime_error(response.error().message);
        return *response;
    }
    net::HttpResponse get(const std::string& path, net::Headers headers = {}) {
        return send({.url = path, .headers = std::move(headers)});
    }
    json call_json(const std::string& call_sid) {
        const auto r = get("/api/calls/" + call_sid);
        if (r.status != 200) return json{{"status", r.status}};
        return json::parse(r.body);
    }

    // Polls `done` until it holds or `limit` passes (waiting for another process).
    static bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (done()) return true;
            std::this_thread::sleep_for(50ms);
        }
        return done();
    }

    std::vector<json> webhooks() {
        return test_support::verified_webhooks(m_receiver, Secret(k_webhook_key));
    }

    test_support::TempDir m_dir;
    SystemClock m_clock;
    net::curl::CurlHttpClient m_callbacks;
    net::curl::CurlHttpClient m_client;
    std::unique_ptr<sandbox::SandboxServer> m_sandbox;
    FakeHttpServer m_receiver{[](const FakeRequest&) { return FakeResponse::text(200, "ok"); }};
    std::unique_ptr<BackgroundCommand> m_service;
    std::string m_url;
};

TEST_F(ServeCommand, ARecordingCallbackEndsWithATranscriptAWebhookAndADownload) {
    start_service();
    const auto call = create_call({.scenario = {.processing_fetches = 1},
                                   .recording_status_callback = sandbox::CallbackRequest{
                                       .url = m_url + "/twilio/recording-status"}});

    ASSERT_TRUE(eventually([&] { return call_json(call.call_sid)["status"] == "done"; },
                           20s * test_support::time_factor()))
        << call_json(call.call_sid).dump(2) << m_service->stop().err;
    const json log = call_json(call.call_sid);
    EXPECT_EQ(log["recording_sid"], *call.recording_sid);
    EXPECT_EQ(log["job"]["state"], "done");
    EXPECT_EQ(log["transcript_source"], "offline");
    EXPECT_FALSE(log["final_transcript"].get<std::string>().empty());

    ASSERT_TRUE(eventually([&] { return m_receiver.request_count() > 0; }, 10s));
    const auto received = webhooks();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0]["call_sid"], call.call_sid);
    EXPECT_EQ(received[0]["transcript_source"], "offline");
    EXPECT_EQ(received[0]["transcript"], log["final_transcript"]);
    EXPECT_EQ(received[0]["recording_url"], m_url + "/api/calls/" + call.call_sid + "/download");
    EXPECT_EQ(received[0]["version"], 2);
    EXPECT_EQ(received[0]["audio_source"], "twilio");
    EXPECT_EQ(received[0]["transcript_url"],
              m_url + "/api/calls/" + call.call_sid + "/transcript?format=json");
    ASSERT_FALSE(received[0]["segments"].empty());
    EXPECT_TRUE(received[0]["segments"][0].contains("start"));
    EXPECT_FALSE(received[0]["segments"][0].contains("words"));
    EXPECT_TRUE(eventually(
        [&] { return call_json(call.call_sid)["webhooks"][0]["state"] == "delivered"; }, 5s));

    const auto vtt = get("/api/calls/" + call.call_sid + "/transcript?format=vtt");
    EXPECT_EQ(vtt.status, 200);
    EXPECT_EQ(vtt.header("content-type"), "text/vtt; charset=utf-8");
    EXPECT_TRUE(vtt.body.starts_with("WEBVTT\n\n")) << vtt.body;
    EXPECT_NE(vtt.body.find(" --> "), std::string::npos) << vtt.body;

    // The sandbox answers the base media URL with WAV, as Twilio does.
    const auto file = m_dir / ("recordings/" + call.call_sid + ".wav");
    ASSERT_TRUE(std::filesystem::is_regular_file(file));
    const std::string on_disk = test_support::read_file(file);
    ASSERT_GT(on_disk.size(), 100u);
    const auto whole = get("/api/calls/" + call.call_sid + "/download");
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.header("content-type"), "audio/wav");
    EXPECT_EQ(whole.header("content-disposition"),
              "attachment; filename=\"" + call.call_sid + ".wav\"");
    EXPECT_EQ(whole.header("accept-ranges"), "bytes");
    EXPECT_EQ(whole.body, on_disk);
    const auto part = get("/api/calls/" + call.call_sid + "/download", {{"Range", "bytes=10-99"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.header("content-range"), fmt::format("bytes 10-99/{}", on_disk.size()));
    EXPECT_EQ(part.body, on_disk.substr(10, 90));
    const auto tail = get("/api/calls/" + call.call_sid + "/download", {{"Range", "bytes=-16"}});
    EXPECT_EQ(tail.status, 206);
    EXPECT_EQ(tail.body, on_disk.substr(on_disk.size() - 16));
    const auto beyond = get("/api/calls/" + call.call_sid + "/download",
                            {{"Range", fmt::format("bytes={}-", on_disk.size())}});
    EXPECT_EQ(beyond.status, 416);

    // Open like /healthz; the figures of the call just handled.
    const auto metrics = get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    for (const char* line :
         {"# TYPE callscribe_job_step_seconds histogram\n", "callscribe_jobs{state=\"done\"} 1\n",
          "callscribe_job_step_seconds_count{step=\"transcribe\"} 1\n",
          "callscribe_job_step_seconds_bucket{step=\"download\",le=\"+Inf\"} ",
          "callscribe_twilio_requests_total{status=\"200\"} ",
          "callscribe_webhook_deliveries_total{outcome=\"delivered\"} 1\n"})
        EXPECT_NE(metrics.body.find(line), std::string::npos) << line << metrics.body;
    EXPECT_EQ(metrics.body.find(m_sandbox->auth_token().reveal()), std::string::npos);

    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
    EXPECT_NE(stopped.err.find("[OFFLINE_STT] ✅ Saved final_transcript ("), std::string::npos);
    EXPECT_EQ(stopped.err.find(m_sandbox->auth_token().reveal()), std::string::npos)
        << "the auth token was logged";
}

TEST_F(ServeCommand, UnsignedCallbacksAndMalformedSidsChangeNothing) {
    start_service();
    const std::string call_sid = "CA" + std::string(32, 'a');
    const net::FormFields fields = {{"AccountSid", m_sandbox->account_sid()},
                                    {"CallSid", call_sid},
                                    {"RecordingSid", "RE" + std::string(32, 'b')},
                                    {"RecordingStatus", "completed"}};
    const std::string form = net::encode_form(fields);
    const net::Headers form_type = {{"Content-Type", "application/x-www-form-urlencoded"}};
    const auto missing = send(
        {.method = "POST", .url = "/twilio/recording-status", .headers = form_type, .body = form});
    EXPECT_EQ(missing.status, 403) << missing.body;
    auto bad_headers = form_type;
    bad_headers.emplace_back(
        "X-Twilio-Signature",
        twilio::compute_signature(m_url + "/twilio/recording-status",
                                  twilio::FormParams(fields.begin(), fields.end()),
                                  Secret("not-the-auth-token")));
    const auto bad = send({.method = "POST",
                           .url = "/twilio/recording-status",
                           .headers = bad_headers,
                           .body = form});
    EXPECT_EQ(bad.status, 403) << bad.body;
    EXPECT_EQ(get("/api/calls/" + call_sid).status, 404);
    EXPECT_EQ(json::parse(get("/api/calls").body)["calls"].size(), 0u);

    for (const std::string path :
         {"/api/calls/CA123", "/api/calls/..%2F..%2Fetc/download", "/api/calls/CA123/transcript",
          "/api/calls/%2E%2E%2F%2E%2E%2Fcallscribe.db/download"}) {
        const auto r = get(path);
        EXPECT_EQ(r.status, 400) << path << ' ' << r.body;
        EXPECT_EQ(json::parse(r.body)["error"], "not a Call SID (CA + 32 hex digits)");
    }
    EXPECT_EQ(get("/healthz").body, "ok\n");
    EXPECT_EQ(get("/readyz").status, 200);
    EXPECT_EQ(m_service->stop().exit_code, 0);
}

// Also: a receiver that asked for version 1 of the payload gets exactly version 1.
TEST_F(ServeCommand, ARecordingThatNeverBecomesReadyFallsBackToTheRealtimeTranscript) {
    start_service({{"CALLSCRIBE_WEBHOOK_VERSION", "1"}});
    const auto call = create_call({.scenario = {.processing_seconds = Seconds{3600}}});
    const auto ended = send({.method = "POST",
                             .url = "/api/calls/" + call.call_sid + "/end",
                             .headers = {{"Content-Type", "application/json"}},
                             .body = json{{"realtime_transcript", "the agent heard this live"},
                                          {"recording_sid", *call.recording_sid}}
                                         .dump()});
    ASSERT_EQ(ended.status, 202) << ended.body;

    ASSERT_TRUE(eventually([&] { return m_receiver.request_count() > 0; }, 10s))
        << call_json(call.call_sid).dump(2);
    const auto received = webhooks();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0]["transcript_source"], "realtime");
    EXPECT_EQ(received[0]["transcript"], "the agent heard this live");
    EXPECT_EQ(received[0].size(), 8u + 1) << "version 1's members and the helper's _id";
    EXPECT_FALSE(received[0].contains("version"));
    const json log = call_json(call.call_sid);
    EXPECT_EQ(log["status"], "gave_up");
    EXPECT_EQ(log["job"]["state"], "failed");
    EXPECT_EQ(get("/api/calls/" + call.call_sid + "/transcript").status, 404);
    EXPECT_EQ(m_service->stop().exit_code, 0);
}

// A call whose recording is absent and whose Twilio Real-Time Transcription delivered its six
// utterances out of order with a repeat: the webhook carries that transcript, in order,
// labelled, once.
TEST_F(ServeCommand, TwilioRealTimeTranscriptionIsTheFallbackOfACallWithoutARecording) {
    start_service();
    sandbox::TranscriptionScript script{.url = m_url + "/twilio/transcription-status",
                                        .shuffled = true,
                                        .duplicates = 1,
                                        .seed = 7,
                                        .inbound_label = "Customer"};
    using twilio::RttTrack;
    const std::vector<std::pair<RttTrack, std::string>> spoken = {
        {RttTrack::outbound, "Thanks for calling, how can I help?"},
        {RttTrack::inbound, "My parcel has not arrived."},
        {RttTrack::outbound, "What is the order number?"},
        {RttTrack::inbound, "It is four four one seven."},
        {RttTrack::outbound, "It ships tomorrow."},
        {RttTrack::inbound, "Thank you, bye."}};
    for (const auto& [track, text] : spoken)
        script.lines.push_back({.track = track, .text = text});
    // Twilio ends the transcription with the call: the call-status callback comes after it.
    const auto call = create_call(
        {.scenario = {.status = sandbox::StatusOverride::absent},
         .call_status_callback =
             sandbox::CallbackRequest{.url = m_url + "/twilio/call-status", .delay = Seconds{1}},
         .transcription_callback = script});

    ASSERT_TRUE(eventually([&] { return m_receiver.request_count() > 0; },
                           20s * test_support::time_factor()))
        << call_json(call.call_sid).dump(2) << m_service->stop().err;
    const auto received = webhooks();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0]["transcript_source"], "realtime");
    EXPECT_EQ(received[0]["transcript"], "Agent: Thanks for calling, how can I help?\n"
                                         "Customer: My parcel has not arrived.\n"
                                         "Agent: What is the order number?\n"
                                         "Customer: It is four four one seven.\n"
                                         "Agent: It ships tomorrow.\n"
                                         "Customer: Thank you, bye.");
    EXPECT_EQ(received[0]["version"], 2);
    EXPECT_EQ(received[0]["realtime_source"], "twilio_rtt");
    EXPECT_EQ(received[0]["segments"], json::array()) << "no offline transcript";
    EXPECT_TRUE(received[0]["audio_source"].is_null()) << "the recording was absent";
    // The call's details, from the sandbox's call-status callback.
    EXPECT_EQ(received[0]["from"], "+15005550001");
    EXPECT_EQ(received[0]["to"], "+15005550006");
    EXPECT_EQ(received[0]["direction"], "outbound-api");
    EXPECT_EQ(received[0]["call_status"], "completed");
    EXPECT_TRUE(received[0]["call_duration_s"].is_number_integer());
    const json log = call_json(call.call_sid);
    EXPECT_EQ(log["realtime_source"], "twilio_rtt");
    EXPECT_EQ(log["transcript_source"], "realtime");
    const auto live = json::parse(get("/api/calls/" + call.call_sid + "/live").body);
    EXPECT_EQ(live["final"], true);
    EXPECT_EQ(live["transcript"], received[0]["transcript"]);

    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
    EXPECT_NE(stopped.err.find("[TWILIO] transcription-stopped for " + call.call_sid +
                               ": realtime transcript from Twilio's transcription (6 utterances"),
              std::string::npos)
        << stopped.err;
}

TEST_F(ServeCommand, AJobWaitingForTwilioSurvivesARestart) {
    // Twilio keeps the recording processing for 3 s; the service is stopped while the job waits.
    const std::map<std::string, std::string> patient = {
        {"CALLSCRIBE_READY_BACKOFF",
         "0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,"
         "0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3"}};
    start_service(patient);
    const auto call = create_call({.scenario = {.processing_seconds = Seconds{3}},
                                   .recording_status_callback = sandbox::CallbackRequest{
                                       .url = m_url + "/twilio/recording-status"}});
    const auto waited_once = [&] {
        const json log = call_json(call.call_sid);
        return log.contains("job") && log["job"].is_object() &&
               log["job"]["ready_attempts"].get<int>() >= 1;
    };
    ASSERT_TRUE(eventually(waited_once, 10s)) << call_json(call.call_sid).dump(2);
    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
    EXPECT_NE(stopped.err.find("SIGTERM received"), std::string::npos) << stopped.err;

    start_service(patient);
    ASSERT_TRUE(eventually([&] { return call_json(call.call_sid)["status"] == "done"; },
                           20s * test_support::time_factor()))
        << call_json(call.call_sid).dump(2);
    EXPECT_TRUE(eventually([&] { return m_receiver.request_count() > 0; }, 5s));
    const auto received = webhooks();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0]["transcript_source"], "offline");
    EXPECT_EQ(m_service->stop().exit_code, 0);
}

TEST_F(ServeCommand, WithoutTwilioCredentialsItDoesNotStart) {
    auto environment = env();
    environment.erase("TWILIO_ACCOUNT_SID");
    const auto r = test_support::run_callscribe({"serve"}, environment);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("TWILIO_ACCOUNT_SID is not set"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find(k_ready_line), std::string::npos);
}

} // namespace
} // namespace callscribe
