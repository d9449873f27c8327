#include "sandbox/sandbox_server.hpp"

#include "audio/decoder.hpp"
#include "fakes/fake_http_server.hpp"
#include "net/curl/curl_http_client.hpp"
#include "net/url_encoding.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "twilio/realtime_transcription.hpp"
#include "twilio/recording.hpp"
#include "twilio/signature.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <map>
#include <mutex>
#include <regex>
#include <tuple>

namespace callscribe::sandbox {
namespace {

using json = nlohmann::json;
using net::BasicAuth;
using namespace twilio; // the client side the emulator is checked against
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

const std::filesystem::path k_short_call =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt03.wav"; // 4.3 s, mono
const std::filesystem::path k_demo_call =
    std::filesystem::path(CALLSCRIBE_SOURCE_DIR) / "samples/demo-call.mp3"; // 28 s, 2 channels

class SandboxTest : public ::testing::Test {
  protected:
    void SetUp() override {
        SandboxSettings settings;
        settings.port = 0;
        settings.storage_host = "127.0.0.1"; // another port: another origin for curl
        settings.storage_port = 0;
        m_sandbox = std::make_unique<SandboxServer>(settings, m_clock, m_client);
        auto started = m_sandbox->start();
        ASSERT_TRUE(started) << started.error().message;
    }

    BasicAuth credentials() const {
        return BasicAuth{m_sandbox->account_sid(), m_sandbox->auth_token()};
    }

    std::string account_path(std::string_view rest) const {
        return "/2010-04-01/Accounts/" + m_sandbox->account_sid() + std::string(rest);
    }

    // GET on the Twilio API with the account's credentials; redirects not followed.
    net::HttpResponse get(std::string_view path, bool follow = false) {
        auto response = m_client.send({.url = m_sandbox->base_url() + std::string(path),
                                       .basic_auth = credentials(),
                                       .follow_redirects = follow});
        EXPECT_TRUE(response) << response.error().message;
        return response ? *response : net::HttpResponse{};
    }

    // POST /sandbox/calls; returns the answer's JSON (or fails the test).
    json create(json request, int expected_status = 201) {
        if (request.is_null()) request = json::object();
        if (!request.contains("audio") && !request.value("no_recording", false))
            request["audio"] = k_short_call.string();
        auto response = m_client.send({.method = "POST",
                                       .url = m_sandbox->base_url() + "/sandbox/calls",
                                       .headers = {{"Content-Type", "application/json"}},
                                       .body = request.dump()});
        EXPECT_TRUE(response) << response.error().message;
        if (!response) return {};
        EXPECT_EQ(response->status, expected_status) << response->body;
        return json::parse(response->body);
    }

    json control(std::string_view path) {
        auto response = m_client.send({.url = m_sandbox->base_url() + std::string(path)});
        EXPECT_TRUE(response && response->status == 200);
        return response ? json::parse(response->body) : json();
    }

    std::string recording_path(const json& call, std::string_view extension) const {
        return account_path("/Recordings/" + call["recording_sid"].get<std::string>() +
                            std::string(extension));
    }

    test_support::FakeClock m_clock;
    net::curl::CurlHttpClient m_client;
    std::unique_ptr<SandboxServer> m_sandbox;
};

TEST_F(SandboxTest, RecordingResourceHasTwiliosShapeAndParses) {
    const json call = create({});
    EXPECT_EQ(call["account_sid"], m_sandbox->account_sid());
    EXPECT_EQ(call["recording_url"], m_sandbox->base_url() + recording_path(call, ""));

    auto response = get(recording_path(call, ".json"));
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("content-type"), "application/json");
    auto recording = parse_recording(response.body);
    ASSERT_TRUE(recording) << recording.error().message;
    EXPECT_EQ(recording->sid.str(), call["recording_sid"]);
    EXPECT_EQ(recording->call_sid->str(), call["call_sid"]);
    EXPECT_EQ(readiness(*recording), Readiness::ready);
    EXPECT_NEAR(*recording->duration_s, 4, 0.6);
    EXPECT_EQ(media_url(m_sandbox->base_url(), *recording), call["recording_url"]);

    const json body = json::parse(response.body);
    const std::regex rfc2822(
        R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000)");
    for (const char* field : {"date_created", "date_updated", "start_time"})
        EXPECT_TRUE(std::regex_match(body[field].get<std::string>(), rfc2822)) << body[field];
    EXPECT_EQ(body["api_version"], "2010-04-01");
    EXPECT_TRUE(body["duration"].is_string());
    EXPECT_TRUE(body["conference_sid"].is_null());
    EXPECT_TRUE(body["encryption_details"].is_null());
    EXPECT_TRUE(body["error_code"].is_null());
    EXPECT_EQ(body["status"], "completed");
    EXPECT_EQ(body["channels"], 1);
    EXPECT_EQ(body["price_unit"], "USD");
    EXPECT_TRUE(body["price"].is_string());
    EXPECT_EQ(body["source"], "OutboundAPI");
    EXPECT_EQ(body["uri"], recording_path(call, ".json"));
    EXPECT_EQ(body["media_url"], call["recording_url"]);
    EXPECT_EQ(body["subresource_uris"]["transcriptions"],
              recording_path(call, "/Transcriptions.json"));
}

TEST_F(SandboxTest, ListsTheCallsRecordings) {
    const json call = create({});
    const std::string call_sid = call["call_sid"];

    auto by_call = get(account_path("/Calls/" + call_sid + "/Recordings.json"));
    ASSERT_EQ(by_call.status, 200);
    auto list = parse_recording_list(by_call.body);
    ASSERT_TRUE(list) << list.error().message;
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].sid.str(), call["recording_sid"]);
    const json envelope = json::parse(by_call.body);
    EXPECT_EQ(envelope["page"], 0);
    EXPECT_EQ(envelope["page_size"], 50);
    EXPECT_EQ(envelope["start"], 0);
    EXPECT_EQ(envelope["end"], 0);
    EXPECT_TRUE(envelope["next_page_uri"].is_null());
    EXPECT_TRUE(envelope["previous_page_uri"].is_null());
    EXPECT_EQ(envelope["first_page_uri"],
              account_path("/Calls/" + call_sid + "/Recordings.json?PageSize=50&Page=0"));
    // The call-scoped shape: a track, and a uri under the call.
    EXPECT_EQ(envelope["recordings"][0]["track"], "both");
    EXPECT_THAT(envelope["recordings"][0]["uri"].get<std::string>(),
                HasSubstr("/Calls/" + call_sid + "/Recordings/"));

    auto filtered = get(account_path("/Recordings.json?CallSid=" + call_sid));
    ASSERT_EQ(filtered.status, 200);
    list = parse_recording_list(filtered.body);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ(json::parse(filtered.body)["uri"],
              account_path("/Recordings.json?CallSid=" + call_sid + "&PageSize=50&Page=0"));

    const json silent = create({{"no_recording", true}});
    EXPECT_TRUE(silent["recording_sid"].is_null());
    for (const std::string& sid :
         {silent["call_sid"].get<std::string>(), std::string("CA") + std::string(32, 'f')}) {
        auto empty = get(account_path("/Calls/" + sid + "/Recordings.json"));
        ASSERT_EQ(empty.status, 200);
        list = parse_recording_list(empty.body);
        ASSERT_TRUE(list);
        EXPECT_TRUE(list->empty());
    }
}

class PendingDurationTest : public SandboxTest,
                            public ::testing::WithParamInterface<std::string> {};

TEST_P(PendingDurationTest, ProcessingFetchesThenReady) {
    const json call = create({{"processing_fetches", 2}, {"pending_duration", GetParam()}});
    for (int fetch = 0; fetch < 2; ++fetch) {
        auto response = get(recording_path(call, ".json"));
        ASSERT_EQ(response.status, 200);
        const json body = json::parse(response.body);
        EXPECT_EQ(body["status"], "processing");
        if (GetParam() == "null") {
            EXPECT_TRUE(body["duration"].is_null());
        } else if (GetParam() == "-1") {
            EXPECT_EQ(body["duration"], "-1");
        } else {
            EXPECT_FALSE(body.contains("duration"));
        }
        auto recording = parse_recording(response.body);
        ASSERT_TRUE(recording);
        EXPECT_EQ(readiness(*recording), Readiness::not_ready);
    }
    auto ready = parse_recording(get(recording_path(call, ".json")).body);
    ASSERT_TRUE(ready);
    EXPECT_EQ(readiness(*ready), Readiness::ready);
}

INSTANTIATE_TEST_SUITE_P(Sandbox, PendingDurationTest, ::testing::Values("null", "-1", "missing"),
                         [](const auto& info) {
                             return info.param == "-1" ? std::string("minus_one") : info.param;
                         });

TEST_F(SandboxTest, ProcessingSecondsFollowTheInjectedClock) {
    const json call = create({{"processing_seconds", 30}});
    auto early = parse_recording(get(recording_path(call, ".json")).body);
    ASSERT_TRUE(early);
    EXPECT_EQ(readiness(*early), Readiness::not_ready);
    EXPECT_EQ(get(recording_path(call, ".mp3")).status, 404);

    m_clock.advance(Seconds(30));
    auto ready = parse_recording(get(recording_path(call, ".json")).body);
    ASSERT_TRUE(ready);
    EXPECT_EQ(readiness(*ready), Readiness::ready);
    EXPECT_EQ(get(recording_path(call, ".mp3")).status, 302);
}

TEST_F(SandboxTest, WrongCredentialsGetTwiliosAuthenticateError) {
    const json call = create({});
    const std::string url = m_sandbox->base_url() + recording_path(call, ".json");
    const Secret wrong("not-the-token");
    const std::vector<std::optional<BasicAuth>> attempts = {
        std::nullopt, BasicAuth{m_sandbox->account_sid(), wrong},
        BasicAuth{"someone-else", m_sandbox->auth_token()}};
    for (const auto& auth : attempts) {
        auto response = m_client.send({.url = url, .basic_auth = auth});
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 401);
        EXPECT_EQ(response->header("www-authenticate"), R"(Basic realm="Twilio API")");
        EXPECT_EQ(json::parse(response->body),
                  json::parse(R"({"code":20003,"message":"Authenticate",)"
                              R"("more_info":"https://www.twilio.com/docs/errors/20003",)"
                              R"("status":401})"));
    }
    // Another account's resources, even with this account's credentials.
    const std::string other = "/2010-04-01/Accounts/AC" + std::string(32, 'b') + "/Recordings/" +
                              call["recording_sid"].get<std::string>() + ".json";
    EXPECT_EQ(get(other).status, 401);
}

TEST_F(SandboxTest, InvalidSidsAndUnknownPathsAre404WithoutTouchingTheCall) {
    const json call = create({});
    const std::string re = call["recording_sid"], ca = call["call_sid"];
    for (const std::string& path :
         {account_path("/Recordings/RE123.json"), account_path("/Recordings/" + re + "x.json"),
          account_path("/Recordings/RE" + std::string(32, 'z') + ".mp3"),
          account_path("/Calls/CA-nope/Recordings.json"),
          account_path("/Recordings/RE" + std::string(32, '0') + ".json"),
          account_path("/Calls/CA" + std::string(32, '0') + "/Recordings/" + re + ".json"),
          account_path("/Nothing.json"),
          std::string("/2010-04-01/Accounts/AC12/Recordings.json")}) {
        auto response = get(path);
        EXPECT_EQ(response.status, 404) << path;
        const json body = json::parse(response.body);
        EXPECT_EQ(body["code"], 20404);
        EXPECT_EQ(body["message"], "The requested resource " + path + " was not found");
        EXPECT_EQ(body["more_info"], "https://www.twilio.com/docs/errors/20404");
        EXPECT_EQ(body["status"], 404);
    }
    const json state = control("/sandbox/calls/" + ca);
    for (const auto& [kind, count] : state["requests"].items())
        EXPECT_EQ(count, 0) << kind;
}

TEST_F(SandboxTest, MediaRedirectsToStorageAndCredentialsStayBehind) {
    const json call = create({});
    test_support::TempDir dir;
    const std::vector<std::tuple<std::string, std::string, std::string>> forms = {
        {"", "audio/x-wav", "pcm_s16"},
        {".wav", "audio/x-wav", "pcm_s16"},
        {".mp3", "audio/mpeg", "mp3"}};
    for (const auto& [extension, content_type, codec] : forms) {
        auto redirect = get(recording_path(call, extension));
        EXPECT_EQ(redirect.status, 302);
        EXPECT_THAT(redirect.header("location").value_or(""),
                    StartsWith(m_sandbox->storage_base_url() + "/storage/"));

        auto media = get(recording_path(call, extension), true);
        ASSERT_EQ(media.status, 200) << extension;
        EXPECT_THAT(media.effective_url, StartsWith(m_sandbox->storage_base_url()));
        EXPECT_EQ(media.header("content-type"), content_type);
        const auto file = dir / ("media" + (extension.empty() ? ".base" : extension));
        test_support::write_file(file, media.body);
        auto decoder = audio::open_decoder(file);
        ASSERT_TRUE(decoder) << decoder.error().message;
        EXPECT_EQ((*decoder)->info().sample_rate, 8000);
        EXPECT_EQ((*decoder)->info().channels, 1);
        EXPECT_EQ((*decoder)->info().codec, codec);
    }
    EXPECT_NE(m_sandbox->storage_base_url(), m_sandbox->base_url());
    json log = control("/sandbox/requests");
    EXPECT_EQ(log["storage_authorization_headers"], 0);
    int storage_requests = 0;
    for (const auto& request : log["requests"]) {
        if (request["listener"] == "storage") {
            ++storage_requests;
            EXPECT_FALSE(request["had_auth"].get<bool>());
            EXPECT_EQ(request["status"], 200);
        } else {
            EXPECT_TRUE(request["had_auth"].get<bool>());
        }
    }
    EXPECT_EQ(storage_requests, 3);

    // The counter does see a client that would leak: send credentials to the storage by hand.
    auto leaked =
        m_client.send({.url = get(recording_path(call, ".mp3")).header("location").value(),
                       .basic_auth = credentials()});
    ASSERT_TRUE(leaked);
    EXPECT_EQ(leaked->status, 200);
    EXPECT_EQ(control("/sandbox/requests")["storage_authorization_headers"], 1);
    EXPECT_EQ(control("/sandbox/calls/" +
                      call["call_sid"].get<std::string>())["storage_authorization_headers"],
              1);

    // Without the token the storage gives nothing away, and it serves no control API.
    auto guessed =
        m_client.send({.url = m_sandbox->storage_base_url() + "/storage/" +
                              call["recording_sid"].get<std::string>() + ".mp3?token=0123"});
    ASSERT_TRUE(guessed);
    EXPECT_EQ(guessed->status, 403);
    auto no_control = m_client.send({.url = m_sandbox->storage_base_url() + "/sandbox/requests"});
    ASSERT_TRUE(no_control);
    EXPECT_EQ(no_control->status, 404);
}

TEST_F(SandboxTest, MissingFormatsAnswer404Always) {
    const json call = create({{"missing_formats", {"base"}}});
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(get(recording_path(call, "")).status, 404);
    EXPECT_EQ(get(recording_path(call, ".mp3")).status, 302);
    EXPECT_EQ(get(recording_path(call, ".wav")).status, 302);
    const json state = control("/sandbox/calls/" + call["call_sid"].get<std::string>());
    EXPECT_EQ(state["requests"]["base"], 3);
    EXPECT_EQ(state["requests"]["mp3"], 1);
    EXPECT_EQ(state["requests"]["wav"], 1);
}

TEST_F(SandboxTest, MediaNotFoundFirstCountsEveryForm) {
    const json call = create({{"media_not_found_first", 2}});
    EXPECT_EQ(get(recording_path(call, "")).status, 404);
    EXPECT_EQ(get(recording_path(call, ".mp3")).status, 404);
    EXPECT_EQ(get(recording_path(call, ".wav")).status, 302);
    EXPECT_EQ(get(recording_path(call, "")).status, 302);
}

TEST_F(SandboxTest, ScriptedFailuresComeFirstInOrder) {
    const json call =
        create({{"failures", {{{"status", 500}}, {{"status", 429}, {"retry_after", "1"}}}}});
    auto first = get(recording_path(call, ".json"));
    EXPECT_EQ(first.status, 500);
    EXPECT_EQ(json::parse(first.body)["code"], 20500);
    auto second = get(recording_path(call, ".mp3"));
    EXPECT_EQ(second.status, 429);
    EXPECT_EQ(second.header("retry-after"), "1");
    EXPECT_EQ(json::parse(second.body)["code"], 20429);
    EXPECT_EQ(json::parse(second.body)["more_info"], "https://www.twilio.com/docs/errors/20429");
    EXPECT_EQ(get(recording_path(call, ".json")).status, 200);
    EXPECT_EQ(control("/sandbox/calls/" + call["call_sid"].get<std::string>())["failures_left"], 0);
}

TEST_F(SandboxTest, StatusOverridesAreGoneAndHaveNoMedia) {
    const json absent = create({{"status", "absent"}});
    const json body = json::parse(get(recording_path(absent, ".json")).body);
    EXPECT_EQ(body["status"], "absent");
    EXPECT_EQ(body["error_code"], 16102);
    auto recording = parse_recording(body.dump());
    ASSERT_TRUE(recording);
    EXPECT_EQ(readiness(*recording), Readiness::gone);
    EXPECT_EQ(get(recording_path(absent, ".wav")).status, 404);

    const json deleted = create({{"status", "deleted"}});
    recording = parse_recording(get(recording_path(deleted, ".json")).body);
    ASSERT_TRUE(recording);
    EXPECT_EQ(recording->status, RecordingStatus::deleted);
    EXPECT_EQ(readiness(*recording), Readiness::gone);
}

TEST_F(SandboxTest, ChannelsAndWavEncodingAreAsAsked) {
    test_support::TempDir dir;
    const auto decode = [&](const json& call, std::string_view extension) {
        const auto file = dir / ("x" + std::string(extension));
        test_support::write_file(file, get(recording_path(call, extension), true).body);
        auto decoder = audio::open_decoder(file);
        EXPECT_TRUE(decoder) << decoder.error().message;
        return decoder ? (*decoder)->info() : audio::AudioInfo{};
    };
    const json stereo = create({{"audio", k_demo_call.string()}});
    EXPECT_EQ(json::parse(get(recording_path(stereo, ".json")).body)["channels"], 2);
    EXPECT_EQ(decode(stereo, ".wav").channels, 2);
    EXPECT_EQ(decode(stereo, ".mp3").channels, 2);

    const json mixed = create({{"audio", k_demo_call.string()}, {"channels", 1}});
    EXPECT_EQ(json::parse(get(recording_path(mixed, ".json")).body)["channels"], 1);
    EXPECT_EQ(decode(mixed, ".wav").channels, 1);

    const json mulaw = create({{"channels", 2}, {"format", "wav_mulaw"}});
    const auto info = decode(mulaw, ".wav");
    EXPECT_EQ(info.channels, 2);
    EXPECT_EQ(info.codec, "mulaw");
}

TEST_F(SandboxTest, BadControlRequestsAreRefused) {
    const auto refused = [&](const json& request, int status, std::string_view words) {
        const json answer = create(request, status);
        EXPECT_THAT(answer.value("error", ""), HasSubstr(std::string(words))) << request.dump();
    };
    refused({{"processing_fetchez", 1}}, 400, "processing_fetchez");
    refused({{"missing_formats", {"ogg"}}}, 400, "missing_formats");
    refused({{"failures", {{{"status", 200}}}}}, 400, "failures[].status");
    refused({{"pending_duration", "-2"}}, 400, "pending_duration");
    refused({{"audio", "/nonexistent/call.mp3"}}, 400, "/nonexistent/call.mp3");
    refused({{"call_sid", "CA123"}}, 400, "call_sid");
    refused({{"no_recording", true}, {"status_callback", {{"url", "http://x/"}}}}, 400,
            "no_recording");
    const json first = create({});
    refused({{"call_sid", first["call_sid"]}}, 409, "already exists");

    auto not_json = m_client.send(
        {.method = "POST", .url = m_sandbox->base_url() + "/sandbox/calls", .body = "{"});
    ASSERT_TRUE(not_json);
    EXPECT_EQ(not_json->status, 400);
    auto unknown =
        m_client.send({.url = m_sandbox->base_url() + "/sandbox/calls/CA" + std::string(32, '1')});
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
}

TEST_F(SandboxTest, SendsSignedCallbacksToTheGivenUrls) {
    std::mutex mutex;
    std::vector<fakes::FakeRequest> received;
    std::promise<void> two_arrived, third_arrived;
    fakes::FakeHttpServer receiver([&](const fakes::FakeRequest& request) {
        std::lock_guard lock(mutex);
        received.push_back(request);
        if (received.size() == 2) two_arrived.set_value();
        if (received.size() == 3) third_arrived.set_value();
        return fakes::FakeResponse::text(204, "");
    });
    const std::string recording_hook = receiver.url("/twilio/recording-status?tenant=a%20b");
    const std::string call_hook = receiver.url("/twilio/call-status");
    const json call = create({{"status_callback", {{"url", recording_hook}}},
                              {"call_status_callback", {{"url", call_hook}, {"delay_s", 0.01}}}});
    ASSERT_EQ(two_arrived.get_future().wait_for(10s), std::future_status::ready);
    std::vector<fakes::FakeRequest> first_two;
    {
        std::lock_guard lock(mutex);
        first_two = received;
    }
    for (const auto& request : first_two) {
        EXPECT_EQ(request.method, "POST");
        EXPECT_EQ(request.header("content-type"), "application/x-www-form-urlencoded");
        EXPECT_TRUE(request.header("i-twilio-idempotency-token"));
        const auto fields = net::parse_form(request.body);
        const std::string url =
            request.path() == "/twilio/call-status" ? call_hook : recording_hook;
        const SignedRequest signed_request{url, FormParams(fields.begin(), fields.end()), {}};
        EXPECT_TRUE(is_valid_signature(signed_request,
                                       request.header("x-twilio-signature").value_or(""),
                                       m_sandbox->auth_token()))
            << request.target;
        std::map<std::string, std::string> params(fields.begin(), fields.end());
        EXPECT_EQ(params["AccountSid"], m_sandbox->account_sid());
        EXPECT_EQ(params["CallSid"], call["call_sid"]);
        if (request.path() == "/twilio/recording-status") {
            EXPECT_EQ(request.target, "/twilio/recording-status?tenant=a%20b");
            EXPECT_EQ(params["RecordingSid"], call["recording_sid"]);
            EXPECT_EQ(params["RecordingUrl"], call["recording_url"]);
            EXPECT_EQ(params["RecordingStatus"], "completed");
            EXPECT_EQ(params["RecordingDuration"], "4");
            EXPECT_EQ(params["RecordingChannels"], "1");
            EXPECT_EQ(params["RecordingSource"], "OutboundAPI");
            EXPECT_EQ(params["ErrorCode"], "0");
            EXPECT_FALSE(params["RecordingStartTime"].empty());
        } else {
            EXPECT_EQ(params["CallStatus"], "completed");
            EXPECT_EQ(params["RecordingUrl"], call["recording_url"]);
        }
    }

    // Again on request, as Twilio's retries would.
    auto again =
        m_client.send({.method = "POST",
                       .url = m_sandbox->base_url() + "/sandbox/calls/" +
                              call["call_sid"].get<std::string>() + "/callbacks",
                       .body = json{{"status_callback", {{"url", recording_hook}}}}.dump()});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 202);
    EXPECT_EQ(third_arrived.get_future().wait_for(10s), std::future_status::ready);
}

TEST_F(SandboxTest, SendsARealTimeTranscriptionSessionOutOfOrderWithARepeat) {
    std::mutex mutex;
    std::vector<fakes::FakeRequest> received;
    std::promise<void> all_arrived;
    fakes::FakeHttpServer receiver([&](const fakes::FakeRequest& request) {
        std::lock_guard lock(mutex);
        received.push_back(request);
        if (received.size() == 6) all_arrived.set_value(); // started, 3 + 1 contents, stopped
        return fakes::FakeResponse::text(204, "");
    });
    const std::string hook = receiver.url("/twilio/transcription-status");
    const json call = create({{"transcription_callback",
                               {{"url", hook},
                                {"shuffled", true},
                                {"duplicates", 1},
                                {"lines",
                                 {{{"track", "outbound"}, {"text", "Thanks for calling."}},
                                  {{"track", "inbound"}, {"text", "My order is late."}},
                                  {{"track", "outbound"}, {"text", "Let me look."}}}}}}});
    ASSERT_EQ(all_arrived.get_future().wait_for(10s), std::future_status::ready);
    std::lock_guard lock(mutex);
    std::vector<RttUtterance> utterances;
    std::vector<std::string> events;
    for (const auto& request : received) {
        const auto fields = net::parse_form(request.body);
        const SignedRequest signed_request{hook, FormParams(fields.begin(), fields.end()), {}};
        EXPECT_TRUE(is_valid_signature(signed_request,
                                       request.header("x-twilio-signature").value_or(""),
                                       m_sandbox->auth_token()));
        auto event = parse_rtt_event(fields);
        ASSERT_TRUE(event) << event.error().message;
        events.emplace_back(to_string(event->kind));
        if (event->utterance) utterances.push_back(*event->utterance);
        std::map<std::string, std::string> params(fields.begin(), fields.end());
        EXPECT_EQ(params["CallSid"], call["call_sid"]);
        EXPECT_EQ(params["AccountSid"], m_sandbox->account_sid());
    }
    EXPECT_EQ(events.front(), "transcription-started");
    EXPECT_EQ(events.back(), "transcription-stopped");
    EXPECT_EQ(utterances.size(), 4u);
    EXPECT_EQ(assemble_rtt_transcript(utterances),
              "Agent: Thanks for calling.\nCaller: My order is late.\nAgent: Let me look.");
}

TEST(SandboxStorageHostTest, StorageOnAnotherLoopbackAddress) {
    test_support::FakeClock clock;
    net::curl::CurlHttpClient client;
    SandboxSettings settings;
    settings.port = 0;
    settings.storage_host = "127.0.0.2";
    SandboxServer sandbox(settings, clock, client);
    if (auto started = sandbox.start(); !started) GTEST_SKIP() << started.error().message;
    EXPECT_THAT(sandbox.storage_base_url(), StartsWith("http://127.0.0.2:"));
    CallRequest request;
    request.audio = k_short_call;
    auto created = sandbox.create_call(request);
    ASSERT_TRUE(created) << created.error().message;
    auto media =
        client.send({.url = *created->recording_url + ".mp3",
                     .basic_auth = net::BasicAuth{sandbox.account_sid(), sandbox.auth_token()}});
    ASSERT_TRUE(media) << media.error().message;
    EXPECT_EQ(media->status, 200);
    EXPECT_THAT(media->effective_url, StartsWith("http://127.0.0.2:"));
    auto log = client.send({.url = sandbox.base_url() + "/sandbox/requests"});
    ASSERT_TRUE(log);
    EXPECT_EQ(json::parse(log->body)["storage_authorization_headers"], 0);
}

} // namespace
} // namespace callscribe::sandbox
