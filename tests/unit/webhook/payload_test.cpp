// The webhook body: exact members, order and nulls; and the outbox record made from it.

#include "webhook/payload.hpp"

#include "stt/formats.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace callscribe::webhook {
namespace {

using namespace std::chrono_literals;
using store::TranscriptSource;

// 2024-05-01T12:34:56.789Z
const TimePoint k_now = TimePoint{} + 1714566896s + 789ms;

const PayloadSettings k_v1{.version = 1};

store::CallLog call() {
    return store::CallLog{.call_sid = CallSid::parse("CA0123456789abcdef0123456789abcdef").value()};
}

TEST(WebhookPayload, VersionOneHasEveryMemberInOrder) {
    store::CallLog c = call();
    c.recording_sid = RecordingSid::parse("RE00112233445566778899aabbccddeeff").value();
    c.recording_duration_s = 42.5;
    std::string body =
        build_payload(c, {TranscriptSource::offline, "Hello there."},
                      {.version = 1, .public_url = "https://calls.example.com"}, k_now);
    EXPECT_EQ(body, R"({"type":"call.transcript",)"
                    R"("call_sid":"CA0123456789abcdef0123456789abcdef",)"
                    R"("recording_sid":"RE00112233445566778899aabbccddeeff",)"
                    R"("transcript":"Hello there.",)"
                    R"("transcript_source":"offline",)"
                    R"("recording_duration_s":42.5,)"
                    R"("recording_url":"https://calls.example.com/api/calls/)"
                    R"(CA0123456789abcdef0123456789abcdef/download",)"
                    R"("created_at":"2024-05-01T12:34:56Z"})");
}

TEST(WebhookPayload, VersionOneSaysNullForWhatIsUnknown) {
    std::string body = build_payload(call(), {TranscriptSource::none, ""}, k_v1, k_now);
    EXPECT_EQ(body, R"({"type":"call.transcript",)"
                    R"("call_sid":"CA0123456789abcdef0123456789abcdef",)"
                    R"("recording_sid":null,"transcript":"","transcript_source":"none",)"
                    R"("recording_duration_s":null,"recording_url":null,)"
                    R"("created_at":"2024-05-01T12:34:56Z"})");
}

TEST(WebhookPayload, RealtimeSourceAndWholeSecondDuration) {
    store::CallLog c = call();
    c.recording_duration_s = 12;
    auto json = nlohmann::json::parse(
        build_payload(c, {TranscriptSource::realtime, "agent heard this"}, k_v1, k_now));
    EXPECT_EQ(json.at("transcript_source"), "realtime");
    EXPECT_EQ(json.at("transcript"), "agent heard this");
    EXPECT_TRUE(json.at("recording_duration_s").is_number());
    EXPECT_DOUBLE_EQ(json.at("recording_duration_s").get<double>(), 12.0);
    EXPECT_EQ(json.size(), 8u);
}

TEST(WebhookPayload, TextIsEscapedAndInvalidUtf8Replaced) {
    std::string text = "say \"hi\"\nnew line é \xFF end";
    auto json =
        nlohmann::json::parse(build_payload(call(), {TranscriptSource::offline, text}, {}, k_now));
    EXPECT_EQ(json.at("transcript"), "say \"hi\"\nnew line é \xEF\xBF\xBD end");
}

TEST(WebhookPayload, CreatedAtIsRfc3339Utc) {
    EXPECT_EQ(rfc3339_utc(TimePoint{}), "1970-01-01T00:00:00Z");
    EXPECT_EQ(rfc3339_utc(k_now), "2024-05-01T12:34:56Z");
}

TEST(WebhookPayload, DeliveryIdIsStablePerCallAndGeneration) {
    auto sid = call().call_sid;
    EXPECT_EQ(delivery_id(sid, 0), "msg_CA0123456789abcdef0123456789abcdef_0");
    EXPECT_EQ(delivery_id(sid, 0), delivery_id(sid, 0));
    EXPECT_NE(delivery_id(sid, 0), delivery_id(sid, 1));
}

TEST(WebhookPayload, MakesAPendingDeliveryDueNow) {
    TranscriptChoice choice{TranscriptSource::offline, "words"};
    auto delivery = make_delivery(call(), 3, choice, {}, k_now);
    EXPECT_EQ(delivery.id, "msg_CA0123456789abcdef0123456789abcdef_3");
    EXPECT_EQ(delivery.call_sid, call().call_sid);
    EXPECT_EQ(delivery.payload, build_payload(call(), choice, {}, k_now));
    EXPECT_EQ(delivery.state, store::DeliveryState::pending);
    EXPECT_EQ(delivery.attempts, 0);
    EXPECT_EQ(delivery.next_attempt_at, k_now);
    EXPECT_EQ(delivery.created_at, k_now);
    EXPECT_EQ(delivery.last_status, 0);
    EXPECT_TRUE(delivery.last_error.empty());
    EXPECT_TRUE(delivery.lease_owner.empty());
}

// --- version 2 ---------------------------------------------------------------------------------

// A call transcribed offline in two channels, whose live transcript came from Twilio.
store::CallLog transcribed_call() {
    store::CallLog c = call();
    c.recording_sid = RecordingSid::parse("RE00112233445566778899aabbccddeeff").value();
    c.recording_duration_s = 9;
    c.recording_path = "recordings/CA0123456789abcdef0123456789abcdef.wav";
    c.realtime_transcript = "Caller: hello\nAgent: hi";
    c.realtime_source = store::RealtimeSource::twilio_rtt;
    c.details = {.from = "+15005550001",
                 .to = "+15005550006",
                 .direction = "inbound",
                 .call_status = "completed",
                 .duration_s = 11};
    stt::Transcript t;
    t.engine = "pocketsphinx";
    t.audio_s = 9;
    t.language = "en";
    t.segments = {
        {0.8, 2.1234, "Agent", "thank you for calling", {{0.8, 1.1, "thank"}, {1.1, 1.3, "you"}}},
        {3.0004, 4.5, "Caller", "my parcel is late", {}}};
    c.final_transcript = t.text();
    c.final_transcript_json = stt::render(t, stt::Format::json);
    return c;
}

TEST(WebhookPayload, VersionTwoAddsTheSourcesTheSegmentsAndALinkToTheWholeTranscript) {
    const store::CallLog c = transcribed_call();
    const std::string body = build_payload(c, {TranscriptSource::offline, c.final_transcript},
                                           {.public_url = "https://calls.example.com"}, k_now);
    const std::string api = "https://calls.example.com/api/calls/" + c.call_sid.str();
    const std::string expected =
        R"({"type":"call.transcript","call_sid":"CA0123456789abcdef0123456789abcdef",)"
        R"("recording_sid":"RE00112233445566778899aabbccddeeff",)"
        R"("transcript":"Agent: thank you for calling\nCaller: my parcel is late",)"
        R"("transcript_source":"offline","recording_duration_s":9.0,)"
        R"("recording_url":"API/download","created_at":"2024-05-01T12:34:56Z","version":2,)"
        R"("realtime_source":"twilio_rtt","audio_source":"twilio","language":"en",)"
        R"("segments":[{"speaker":"Agent","start":0.8,"end":2.123,)"
        R"("text":"thank you for calling"},)"
        R"({"speaker":"Caller","start":3.0,"end":4.5,"text":"my parcel is late"}],)"
        R"("transcript_url":"API/transcript?format=json",)"
        R"("from":"+15005550001","to":"+15005550006","direction":"inbound",)"
        R"("call_status":"completed","call_duration_s":11})";
    EXPECT_EQ(body, std::regex_replace(expected, std::regex("API"), api));
}

TEST(WebhookPayload, VersionTwoWithTheRealtimeTranscriptChosenHasNoSegments) {
    store::CallLog c = call();
    c.realtime_transcript = "Caller: hello";
    c.realtime_source = store::RealtimeSource::api;
    const auto json = nlohmann::json::parse(
        build_payload(c, {TranscriptSource::realtime, c.realtime_transcript}, {}, k_now));
    EXPECT_EQ(json.at("version"), 2);
    EXPECT_EQ(json.at("realtime_source"), "api");
    EXPECT_EQ(json.at("segments"), nlohmann::json::array());
    EXPECT_TRUE(json.at("language").is_null());
    EXPECT_TRUE(json.at("audio_source").is_null()) << "no recording";
    c.recording_sid = RecordingSid::parse("RE00112233445566778899aabbccddeeff").value();
    EXPECT_TRUE(
        nlohmann::json::parse(build_payload(c, {TranscriptSource::realtime, "x"}, {}, k_now))
            .at("audio_source")
            .is_null())
        << "a recording that was never downloaded (absent) was not transcribed";
    c.recording_path = "recordings/CA0123456789abcdef0123456789abcdef.stream.wav";
    EXPECT_EQ(nlohmann::json::parse(build_payload(c, {TranscriptSource::offline, "x"}, {}, k_now))
                  .at("audio_source"),
              "media_stream")
        << "the call's own recording of its media stream";
    EXPECT_TRUE(json.at("transcript_url").is_null());
    EXPECT_TRUE(json.at("recording_url").is_null());
    for (const char* unknown : {"from", "to", "direction", "call_status", "call_duration_s"})
        EXPECT_TRUE(json.at(unknown).is_null()) << unknown;
}

TEST(WebhookPayload, SegmentsTooLargeForTheBodyAreLeftToTheTranscriptUrl) {
    store::CallLog c = transcribed_call();
    stt::Transcript t;
    t.engine = "whisper";
    t.audio_s = 36000;
    const std::string sentence(200, 'w');
    for (int i = 0; i < 3000; ++i)
        t.segments.push_back({i * 10.0, i * 10.0 + 9, "", sentence, {}});
    c.final_transcript = t.text();
    c.final_transcript_json = stt::render(t, stt::Format::json);
    const std::string body = build_payload(c, {TranscriptSource::offline, c.final_transcript},
                                           {.public_url = "https://calls.example.com"}, k_now);
    const auto json = nlohmann::json::parse(body);
    EXPECT_TRUE(json.at("segments").is_null());
    EXPECT_EQ(json.at("transcript"), c.final_transcript) << "the text itself is always there";
    EXPECT_FALSE(json.at("transcript_url").is_null());
    EXPECT_LT(body.size(), c.final_transcript.size() + 4096);
}

} // namespace
} // namespace callscribe::webhook
