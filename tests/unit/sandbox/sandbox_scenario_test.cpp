// The sandbox's scripted behaviour without sockets: knob parsing, and what a call answers
// request by request as the (given) time moves on.

#include "sandbox/call_request.hpp"
#include "sandbox/resource_json.hpp"
#include "sandbox/sandbox_call.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callscribe::sandbox {
namespace {

using ::testing::HasSubstr;

const std::string k_account = "AC" + std::string(32, 'a');
const TimePoint k_created{std::chrono::seconds(1'476'482'194)}; // Fri, 14 Oct 2016 21:56:34

SandboxCall make_call(Scenario scenario) {
    PreparedAudio audio{
        .wav = "x.wav", .mp3 = "x.mp3", .duration_s = 4.2, .channels = 2, .sample_rate = 8000};
    return SandboxCall(*CallSid::parse("CA" + std::string(32, 'c')),
                       *RecordingSid::parse("RE" + std::string(32, 'e')), std::move(scenario),
                       k_created, audio, {"wav-token", "mp3-token"});
}

TimePoint at(double seconds) {
    return k_created + std::chrono::duration_cast<TimePoint::duration>(Seconds(seconds));
}

TEST(SandboxCallRequestTest, ParsesATranscriptionSessionScript) {
    auto request = parse_call_request(R"({
        "audio": "/tmp/a.mp3",
        "transcription_callback": {"url": "http://127.0.0.1:9/twilio/transcription-status",
            "delay_s": 0.25, "shuffled": true, "duplicates": 2, "seed": 9,
            "inbound_label": "customer", "partials": true, "spacing_s": 0.5,
            "lines": [{"track": "outbound", "text": "Hello."}, {"track": "inbound", "text": "Hi."}]}})");
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_TRUE(request->transcription_callback);
    const auto& script = *request->transcription_callback;
    EXPECT_EQ(script.url, "http://127.0.0.1:9/twilio/transcription-status");
    EXPECT_EQ(script.delay, Seconds(0.25));
    EXPECT_TRUE(script.shuffled);
    EXPECT_EQ(script.duplicates, 2);
    EXPECT_EQ(script.seed, 9u);
    EXPECT_EQ(script.inbound_label, "customer");
    EXPECT_TRUE(script.partials);
    EXPECT_EQ(script.spacing, Seconds(0.5));
    ASSERT_EQ(script.lines.size(), 2u);
    EXPECT_EQ(script.lines[0].track, twilio::RttTrack::outbound);
    EXPECT_EQ(script.lines[1].text, "Hi.");

    const std::vector<std::pair<std::string, std::string>> refused{
        {R"({"lines": [{"track": "inbound", "text": "x"}]})", "needs a \"url\""},
        {R"({"url": "http://h/"})", "needs \"lines\""},
        {R"({"url": "http://h/", "lines": []})", "\"lines\" must be a non-empty array"},
        {R"({"url": "http://h/", "lines": [{"track": "both", "text": "x"}]})",
         "each of \"lines\" must be"},
        {R"({"url": "http://h/", "lines": [{"track": "inbound", "text": "x"}], "loud": 1})",
         "unknown field \"loud\" in \"transcription_callback\""},
        {R"({"url": "http://h/", "lines": [{"track": "inbound", "text": "x"}], "partials": 1})",
         "\"partials\" must be true or false"},
        {R"({"url": "http://h/", "lines": [{"track": "inbound", "text": "x"}], "spacing_s": -1})",
         "\"spacing_s\" must be a number of seconds"},
        {R"({"url": "ftp://h/", "lines": [{"track": "inbound", "text": "x"}]})",
         "must be an http(s) URL"}};
    for (const auto& [script_json, expected] : refused) {
        const auto parsed = parse_callback_requests(std::string(R"({"transcription_callback": )") +
                                                    script_json + "}");
        ASSERT_FALSE(parsed) << script_json;
        EXPECT_THAT(parsed.error().message, HasSubstr(expected));
    }
}

TEST(SandboxCallRequestTest, ParsesAMediaStream) {
    auto request = parse_call_request(
        R"({"audio": "call.mp3", "media_stream": {"url": "ws://127.0.0.1:8080/twilio/media",
            "delay_s": 1.5, "pace": 0, "stream_sid": "MZ1"}})");
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_TRUE(request->media_stream);
    EXPECT_EQ(request->media_stream->url, "ws://127.0.0.1:8080/twilio/media");
    EXPECT_EQ(request->media_stream->delay.count(), 1.5);
    EXPECT_EQ(request->media_stream->pace, 0);
    EXPECT_EQ(request->media_stream->stream_sid, "MZ1");
    EXPECT_EQ(parse_call_request(R"({"audio": "a.mp3", "media_stream": {"url": "ws://h/m"}})")
                  ->media_stream->pace,
              1)
        << "real time unless asked";

    const auto error = [](std::string_view body) {
        auto parsed = parse_call_request(body);
        return parsed ? std::string("(parsed)") : parsed.error().message;
    };
    EXPECT_THAT(error(R"({"audio": "a.mp3", "media_stream": {"url": "https://h/m"}})"),
                HasSubstr("\"media_stream.url\" must be a ws:// URL"));
    EXPECT_THAT(error(R"({"audio": "a.mp3", "media_stream": {}})"),
                HasSubstr("\"media_stream\" needs a \"url\""));
    EXPECT_THAT(error(R"({"audio": "a.mp3", "media_stream": {"url": "ws://h/m", "pace": -1}})"),
                HasSubstr("media_stream.pace"));
    EXPECT_THAT(error(R"({"audio": "a.mp3", "media_stream": {"url": "ws://h/m", "tracks": 2}})"),
                HasSubstr("unknown field \"media_stream.tracks\""));
    EXPECT_THAT(error(R"({"no_recording": true, "media_stream": {"url": "ws://h/m"}})"),
                HasSubstr("\"media_stream\" needs \"audio\""));
}

TEST(SandboxCallRequestTest, ParsesEveryKnob) {
    auto request = parse_call_request(R"({
        "audio": "/tmp/a.mp3", "call_sid": "CA0123456789abcdef0123456789abcdef",
        "processing_fetches": 2, "processing_seconds": 1.5, "pending_duration": "-1",
        "missing_formats": ["base", "wav"], "media_not_found_first": 1,
        "failures": [{"status": 500}, {"status": 429, "retry_after": 2}],
        "status": "absent", "channels": 2, "format": "wav_mulaw",
        "status_callback": {"url": "http://127.0.0.1:9/rs", "delay_s": 0.5},
        "call_status_callback": {"url": "https://example.com/cs"}})");
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_EQ(request->audio, "/tmp/a.mp3");
    EXPECT_EQ(request->call_sid->str(), "CA0123456789abcdef0123456789abcdef");
    EXPECT_FALSE(request->recording_sid);
    const Scenario& s = request->scenario;
    EXPECT_EQ(s.processing_fetches, 2);
    EXPECT_DOUBLE_EQ(s.processing_seconds.count(), 1.5);
    EXPECT_EQ(s.pending_duration, PendingDuration::minus_one);
    EXPECT_EQ(s.missing_formats, (std::vector{MediaForm::base, MediaForm::wav}));
    EXPECT_EQ(s.media_not_found_first, 1);
    ASSERT_EQ(s.failures.size(), 2u);
    EXPECT_EQ(s.failures[1].status, 429);
    EXPECT_EQ(s.failures[1].retry_after, "2");
    EXPECT_EQ(s.status, StatusOverride::absent);
    EXPECT_EQ(s.channels, 2);
    EXPECT_EQ(s.wav_format, audio::OutputFormat::wav_mulaw);
    EXPECT_EQ(request->recording_status_callback->url, "http://127.0.0.1:9/rs");
    EXPECT_DOUBLE_EQ(request->recording_status_callback->delay.count(), 0.5);
    EXPECT_EQ(request->call_status_callback->url, "https://example.com/cs");
}

TEST(SandboxCallRequestTest, RefusesWhatItDoesNotKnow) {
    for (const auto& [body, words] : std::vector<std::pair<std::string, std::string>>{
             {R"({"audio": "a.mp3", "speed": 2})", "\"speed\""},
             {R"({"audio": "a.mp3", "channels": 3})", "channels"},
             {R"({"audio": "a.mp3", "processing_seconds": -1})", "processing_seconds"},
             {R"({"audio": "a.mp3", "failures": [{"status": 500, "body": "x"}]})",
              "failures[].body"},
             {R"({"audio": "a.mp3", "status": "completed"})", "status"},
             {R"({"audio": "a.mp3", "status_callback": {"url": "ftp://x"}})",
              "status_callback.url"},
             {R"({"processing_fetches": 1})", "\"audio\" is required"},
             {R"([1, 2])", "not a JSON object"}}) {
        auto request = parse_call_request(body);
        ASSERT_FALSE(request) << body;
        EXPECT_THAT(request.error().message, HasSubstr(words)) << body;
    }
    EXPECT_TRUE(parse_call_request(R"({"no_recording": true})"));
}

TEST(SandboxCallTest, ProcessingUntilBothFetchesAndSecondsAreSpent) {
    auto call = make_call(Scenario{.processing_fetches = 2, .processing_seconds = Seconds(10)});
    EXPECT_EQ(call.read_metadata(k_account, at(0)).status, "processing");
    EXPECT_EQ(call.read_metadata(k_account, at(20)).status, "processing"); // 2nd read
    EXPECT_FALSE(call.media_available(MediaForm::mp3, at(5)));
    EXPECT_EQ(call.peek(k_account, at(5)).status, "processing"); // time still short
    const RecordingFacts ready = call.read_metadata(k_account, at(20));
    EXPECT_EQ(ready.status, "completed");
    EXPECT_DOUBLE_EQ(*ready.duration_s, 4.2);
    EXPECT_TRUE(call.media_available(MediaForm::mp3, at(20)));
    EXPECT_EQ(rfc2822(ready.start_time), "Fri, 14 Oct 2016 21:56:30 +0000");
    EXPECT_EQ(rfc2822(ready.date_updated), "Fri, 14 Oct 2016 21:56:44 +0000");
}

TEST(SandboxCallTest, PeekDoesNotCountAsARead) {
    auto call = make_call(Scenario{.processing_fetches = 1});
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(call.peek(k_account, at(0)).status, "processing");
    EXPECT_EQ(call.read_metadata(k_account, at(0)).status, "processing");
    EXPECT_EQ(call.read_metadata(k_account, at(0)).status, "completed");
}

TEST(SandboxCallTest, MediaKnobs) {
    auto call =
        make_call(Scenario{.missing_formats = {MediaForm::base}, .media_not_found_first = 1});
    EXPECT_FALSE(call.media_available(MediaForm::mp3, at(0))); // the first request
    EXPECT_FALSE(call.media_available(MediaForm::base, at(0)));
    EXPECT_TRUE(call.media_available(MediaForm::mp3, at(0)));
    EXPECT_TRUE(call.media_available(MediaForm::wav, at(0)));
    EXPECT_FALSE(call.media_available(MediaForm::base, at(0)));
}

TEST(SandboxCallTest, FailuresAreUsedUpInOrder) {
    auto call =
        make_call(Scenario{.failures = {{.status = 503}, {.status = 429, .retry_after = "3"}}});
    EXPECT_EQ(call.take_failure()->status, 503);
    EXPECT_EQ(call.take_failure()->retry_after, "3");
    EXPECT_FALSE(call.take_failure());
}

TEST(SandboxResourceJsonTest, DurationWhilePendingAndErrors) {
    RecordingFacts facts{.account_sid = k_account,
                         .call_sid = "CA" + std::string(32, 'c'),
                         .sid = "RE" + std::string(32, 'e'),
                         .status = "processing"};
    EXPECT_TRUE(recording_json(facts, "http://h", false)["duration"].is_null());
    facts.pending = PendingDuration::minus_one;
    EXPECT_EQ(recording_json(facts, "http://h", false)["duration"], "-1");
    facts.pending = PendingDuration::missing;
    EXPECT_FALSE(recording_json(facts, "http://h", false).contains("duration"));
    EXPECT_TRUE(recording_json(facts, "http://h", false)["price"].is_null());
    facts.duration_s = 3.6;
    facts.status = "completed";
    const auto completed = recording_json(facts, "http://h", false);
    EXPECT_EQ(completed["duration"], "4");
    EXPECT_EQ(completed["media_url"],
              "http://h/2010-04-01/Accounts/" + k_account + "/Recordings/" + facts.sid);

    EXPECT_EQ(error_json(404, "/x").dump(),
              R"({"code":20404,"message":"The requested resource /x was not found",)"
              R"("more_info":"https://www.twilio.com/docs/errors/20404","status":404})");
    EXPECT_EQ(error_json(429, "/x")["code"], 20429);
    EXPECT_EQ(error_json(503, "/x")["code"], 20503);
}

} // namespace
} // namespace callscribe::sandbox
