// The webhook body: exact members, order and nulls; and the outbox record made from it.

#include "webhook/payload.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace callscribe::webhook {
namespace {

using namespace std::chrono_literals;
using store::TranscriptSource;

// 2024-05-01T12:34:56.789Z
const TimePoint k_now = TimePoint{} + 1714566896s + 789ms;

store::CallLog call() {
    return store::CallLog{.call_sid = CallSid::parse("CA0123456789abcdef0123456789abcdef").value()};
}

TEST(WebhookPayload, HasEveryMemberInOrder) {
    store::CallLog c = call();
    c.recording_sid = RecordingSid::parse("RE00112233445566778899aabbccddeeff").value();
    c.recording_duration_s = 42.5;
    std::string body = build_payload(c, {TranscriptSource::offline, "Hello there."},
                                     "https://calls.example.com/api/calls/"
                                     "CA0123456789abcdef0123456789abcdef/download",
                                     k_now);
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

TEST(WebhookPayload, UnknownThingsAreNull) {
    std::string body = build_payload(call(), {TranscriptSource::none, ""}, std::nullopt, k_now);
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
        build_payload(c, {TranscriptSource::realtime, "agent heard this"}, std::nullopt, k_now));
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
    auto delivery = make_delivery(call(), 3, choice, std::nullopt, k_now);
    EXPECT_EQ(delivery.id, "msg_CA0123456789abcdef0123456789abcdef_3");
    EXPECT_EQ(delivery.call_sid, call().call_sid);
    EXPECT_EQ(delivery.payload, build_payload(call(), choice, std::nullopt, k_now));
    EXPECT_EQ(delivery.state, store::DeliveryState::pending);
    EXPECT_EQ(delivery.attempts, 0);
    EXPECT_EQ(delivery.next_attempt_at, k_now);
    EXPECT_EQ(delivery.created_at, k_now);
    EXPECT_EQ(delivery.last_status, 0);
    EXPECT_TRUE(delivery.last_error.empty());
    EXPECT_TRUE(delivery.lease_owner.empty());
}

} // namespace
} // namespace callscribe::webhook
