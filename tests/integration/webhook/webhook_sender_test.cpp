// One webhook attempt through the real libcurl client against an in-process receiver on
// 127.0.0.1:0: success, retry with the same id and body, 410, redirects, a dead receiver,
// Retry-After, the end of the backoff; and the log lines, which never show the secret or the
// URL's query.

#include "webhook/webhook_sender.hpp"

#include "core/base64.hpp"
#include "net/curl/curl_http_client.hpp"
#include "webhook/payload.hpp"
#include "webhook/webhook_signature.hpp"

#include "fakes/fake_http_server.hpp"
#include "support/captured_log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

namespace callscribe::webhook {
namespace {

using namespace std::chrono_literals;
using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using store::DeliveryState;
using ::testing::HasSubstr;
using ::testing::Not;

// Raw key bytes as CALLSCRIBE_WEBHOOK_SECRET=whsec_<base64> would give them (binary on purpose).
const std::string k_key = std::string("\x9a\x01secret-key\xff\x10\x00zz", 16);

const TimePoint k_now = TimePoint{} + 1714566896s;

class WebhookSender : public ::testing::Test {
  protected:
    net::curl::CurlHttpClient m_http;
    test_support::CapturedLog m_log;
    store::WebhookDelivery m_delivery = [] {
        store::CallLog call{.call_sid =
                                CallSid::parse("CA0123456789abcdef0123456789abcdef").value()};
        call.final_transcript = "Hello, this is the offline transcript.";
        return make_delivery(call, 0, choose_transcript(call.final_transcript, ""), {}, k_now);
    }();

    config::WebhookSettings settings_for(const FakeHttpServer& server) const {
        return {.url = server.url("/hooks/calls?token=query-s3cret"),
                .secret = Secret(k_key),
                .backoff = {5s, 300s, 1800s}};
    }

    // The receiver's check, as a Standard Webhooks consumer makes it.
    static Result<void> verify_request(const FakeRequest& request, TimePoint now) {
        return verify(request.header("webhook-id").value_or(""),
                      request.header("webhook-timestamp").value_or(""),
                      request.header("webhook-signature").value_or(""), request.body, Secret(k_key),
                      now);
    }

    void expect_no_secret_in_logs() const {
        const std::string text = m_log.text();
        EXPECT_THAT(text, Not(HasSubstr(k_key)));
        EXPECT_THAT(text, Not(HasSubstr(encode_base64(k_key))));
        EXPECT_THAT(text, Not(HasSubstr("query-s3cret")));
    }
};

TEST_F(WebhookSender, A2xxDeliversASignedWebhook) {
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::text(204, ""); });
    auto outcome = deliver(m_delivery, m_http, settings_for(server), k_now);

    EXPECT_EQ(outcome.state, DeliveryState::delivered);
    EXPECT_EQ(outcome.attempts, 1);
    EXPECT_EQ(outcome.last_status, 204);
    EXPECT_EQ(outcome.delivered_at, k_now);
    EXPECT_TRUE(outcome.last_error.empty());

    ASSERT_EQ(server.request_count(), 1u);
    const FakeRequest request = server.requests()[0];
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/hooks/calls?token=query-s3cret");
    EXPECT_EQ(request.body, m_delivery.payload);
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_EQ(request.header("webhook-id"), "msg_CA0123456789abcdef0123456789abcdef_0");
    EXPECT_EQ(request.header("webhook-timestamp"), "1714566896");
    EXPECT_TRUE(verify_request(request, k_now));

    auto lines = m_log.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(std::regex_match(
        lines[0], std::regex(R"(✅ \[WEBHOOK\] Delivered msg_CA0123456789abcdef0123456789abcdef_0 )"
                             R"(to http://127\.0\.0\.1:\d+/hooks/calls \(204, \d+ ms\))")))
        << lines[0];
    expect_no_secret_in_logs();
}

TEST_F(WebhookSender, A500IsRetriedWithTheSameIdAndBody) {
    int calls = 0;
    FakeHttpServer server([&calls](const FakeRequest&) {
        return ++calls == 1 ? FakeResponse::text(500, "oops") : FakeResponse::text(200, "ok");
    });
    auto settings = settings_for(server);

    auto first = deliver(m_delivery, m_http, settings, k_now);
    EXPECT_EQ(first.state, DeliveryState::pending);
    EXPECT_EQ(first.attempts, 1);
    EXPECT_EQ(first.last_status, 500);
    EXPECT_EQ(first.next_attempt_at, k_now + 5s);
    EXPECT_THAT(first.last_error, HasSubstr("/hooks/calls answered 500"));
    EXPECT_THAT(first.last_error, Not(HasSubstr("token")));

    const TimePoint later = k_now + 5s;
    auto second = deliver(first, m_http, settings, later);
    EXPECT_EQ(second.state, DeliveryState::delivered);
    EXPECT_EQ(second.attempts, 2);
    EXPECT_EQ(second.delivered_at, later);

    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("webhook-id"), requests[1].header("webhook-id"));
    EXPECT_EQ(requests[0].body, requests[1].body);
    EXPECT_EQ(requests[0].header("webhook-timestamp"), "1714566896");
    EXPECT_EQ(requests[1].header("webhook-timestamp"), "1714566901");
    EXPECT_TRUE(verify_request(requests[0], k_now));
    EXPECT_TRUE(verify_request(requests[1], later));

    auto lines = m_log.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_THAT(lines[0],
                HasSubstr("⚠️ [WEBHOOK] Delivery msg_CA0123456789abcdef0123456789abcdef_0 "
                          "failed (http://127.0.0.1:"));
    EXPECT_THAT(lines[0], HasSubstr("/hooks/calls answered 500), retry 1/3 in 5s"));
    EXPECT_THAT(lines[1], HasSubstr("✅ [WEBHOOK] Delivered"));
    expect_no_secret_in_logs();
}

TEST_F(WebhookSender, A410StopsAtOnce) {
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::text(410, "gone"); });
    auto outcome = deliver(m_delivery, m_http, settings_for(server), k_now);
    EXPECT_EQ(outcome.state, DeliveryState::failed);
    EXPECT_EQ(outcome.attempts, 1);
    EXPECT_EQ(outcome.last_status, 410);
    auto lines = m_log.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_THAT(lines[0], HasSubstr("❌ [WEBHOOK] Delivery msg_CA0123456789abcdef0123456789abcdef_0 "
                                    "failed: http://127.0.0.1:"));
    EXPECT_THAT(lines[0], HasSubstr("/hooks/calls answered 410 Gone (the receiver wants no more "
                                    "webhooks); marked failed, not retried"));
    expect_no_secret_in_logs();
}

TEST_F(WebhookSender, ARedirectIsAFailureAndIsNotFollowed) {
    FakeHttpServer elsewhere([](const FakeRequest&) { return FakeResponse::text(200, "ok"); });
    FakeHttpServer server([&elsewhere](const FakeRequest&) {
        return FakeResponse::redirect(307, elsewhere.url("/moved?sig=abc"));
    });
    auto outcome = deliver(m_delivery, m_http, settings_for(server), k_now);
    EXPECT_EQ(outcome.state, DeliveryState::pending);
    EXPECT_EQ(outcome.attempts, 1);
    EXPECT_EQ(outcome.last_status, 307);
    EXPECT_EQ(outcome.next_attempt_at, k_now + 5s);
    EXPECT_THAT(outcome.last_error, HasSubstr("answered 307 with a redirect to " +
                                              elsewhere.url("/moved") + ", not followed"));
    EXPECT_THAT(outcome.last_error, Not(HasSubstr("sig=abc")));
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(elsewhere.request_count(), 0u);
    expect_no_secret_in_logs();
}

TEST_F(WebhookSender, ADeadReceiverIsRetried) {
    config::WebhookSettings settings{
        .url = "http://127.0.0.1:" + std::to_string(fakes::closed_port()) + "/hook?token=x",
        .secret = Secret(k_key),
        .backoff = {5s}};
    auto outcome = deliver(m_delivery, m_http, settings, k_now);
    EXPECT_EQ(outcome.state, DeliveryState::pending);
    EXPECT_EQ(outcome.attempts, 1);
    EXPECT_EQ(outcome.last_status, 0);
    EXPECT_EQ(outcome.next_attempt_at, k_now + 5s);
    EXPECT_THAT(outcome.last_error, HasSubstr(net::redact_url(settings.url)));
    EXPECT_THAT(outcome.last_error, Not(HasSubstr("token")));
    auto lines = m_log.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_THAT(lines[0], HasSubstr("retry 1/1 in 5s"));
    expect_no_secret_in_logs();

    auto last = deliver(outcome, m_http, settings, k_now + 5s);
    EXPECT_EQ(last.state, DeliveryState::failed);
    EXPECT_EQ(last.attempts, 2);
    EXPECT_THAT(m_log.lines().back(), HasSubstr("❌ [WEBHOOK] Giving up on "
                                                "msg_CA0123456789abcdef0123456789abcdef_0 after 2 "
                                                "attempts ("));
}

TEST_F(WebhookSender, TheBackoffEndsInFailed) {
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::text(502, ""); });
    auto settings = settings_for(server);
    auto delivery = m_delivery;
    TimePoint now = k_now;
    for (Seconds delay : settings.backoff) {
        delivery = deliver(delivery, m_http, settings, now);
        ASSERT_EQ(delivery.state, DeliveryState::pending);
        EXPECT_EQ(delivery.next_attempt_at,
                  now + std::chrono::duration_cast<TimePoint::duration>(delay));
        now = delivery.next_attempt_at;
    }
    delivery = deliver(delivery, m_http, settings, now);
    EXPECT_EQ(delivery.state, DeliveryState::failed);
    EXPECT_EQ(delivery.attempts, 4);
    EXPECT_EQ(delivery.last_status, 502);
    EXPECT_EQ(server.request_count(), 4u);

    // A failed delivery is settled: no further attempt.
    auto again = deliver(delivery, m_http, settings, now + 3600s);
    EXPECT_EQ(again.attempts, 4);
    EXPECT_EQ(server.request_count(), 4u);

    auto lines = m_log.lines();
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_THAT(lines[2], HasSubstr("retry 3/3 in 1800s"));
    EXPECT_THAT(lines[3], HasSubstr("❌ [WEBHOOK] Giving up on "
                                    "msg_CA0123456789abcdef0123456789abcdef_0 after 4 attempts"));
    EXPECT_THAT(lines[3], HasSubstr("answered 502); kept as failed"));
    expect_no_secret_in_logs();
}

TEST_F(WebhookSender, RetryAfterLengthensTheDelay) {
    FakeHttpServer server([](const FakeRequest&) {
        FakeResponse response = FakeResponse::text(429, "slow down");
        response.headers.emplace_back("Retry-After", "600");
        return response;
    });
    auto outcome = deliver(m_delivery, m_http, settings_for(server), k_now);
    EXPECT_EQ(outcome.next_attempt_at, k_now + 600s);
    EXPECT_THAT(m_log.lines().back(), HasSubstr("retry 1/3 in 600s"));

    // A shorter Retry-After than the scheduled delay does not shorten it.
    server.set_handler([](const FakeRequest&) {
        FakeResponse response = FakeResponse::text(503, "");
        response.headers.emplace_back("Retry-After", "1");
        return response;
    });
    auto next = deliver(outcome, m_http, settings_for(server), k_now + 600s);
    EXPECT_EQ(next.next_attempt_at, k_now + 600s + 300s);
}

} // namespace
} // namespace callscribe::webhook
