// The outbox pump over the Store port, with an in-memory store that implements the webhook
// methods only (the SQLite store has its own contract suite) and a scripted HttpClient.

#include "webhook/outbox.hpp"

#include "webhook/payload.hpp"
#include "webhook/webhook_signature.hpp"

#include "support/captured_log.hpp"
#include "support/fake_clock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

#include <map>

namespace callscribe::webhook {
namespace {

using namespace std::chrono_literals;
using store::DeliveryState;
using test_support::FakeClock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The webhook outbox in memory, with the leases of the Store contract.
class MemoryOutbox final : public store::Store {
  public:
    std::map<std::string, store::WebhookDelivery> deliveries;
    std::optional<Error> claim_error;
    std::string steal_lease_on_save; // a delivery id whose lease another owner takes mid-attempt

    void add(store::WebhookDelivery delivery) { deliveries.emplace(delivery.id, delivery); }

    Result<std::optional<store::WebhookDelivery>>
    claim_webhook(std::string_view owner, TimePoint now, Seconds lease) override {
        if (claim_error) return *claim_error;
        store::WebhookDelivery* due = nullptr;
        for (auto& [id, d] : deliveries) {
            bool free = d.lease_owner.empty() || d.lease_expires <= now;
            if (d.state == DeliveryState::pending && d.next_attempt_at <= now && free &&
                (!due || d.next_attempt_at < due->next_attempt_at))
                due = &d;
        }
        if (!due) return std::optional<store::WebhookDelivery>();
        due->lease_owner = std::string(owner);
        due->lease_expires = now + std::chrono::duration_cast<TimePoint::duration>(lease);
        return std::optional<store::WebhookDelivery>(*due);
    }

    Result<bool> save_webhook(const store::WebhookDelivery& delivery) override {
        auto& stored = deliveries.at(delivery.id);
        if (delivery.id == steal_lease_on_save) stored.lease_owner = "another-worker";
        if (stored.lease_owner != delivery.lease_owner) return false;
        stored = delivery;
        stored.lease_owner.clear();
        stored.lease_expires = {};
        return true;
    }

    Result<std::optional<TimePoint>> next_webhook_due() override { return fail("unused"); }
    Result<std::vector<store::WebhookDelivery>> find_webhooks(const CallSid&) override {
        return fail("unused");
    }
    Result<std::optional<store::CallLog>> find_call(const CallSid&) override {
        return fail("unused");
    }
    Result<std::vector<store::CallLog>> list_calls(const store::CallQuery&) override {
        return fail("unused");
    }
    Result<std::vector<store::SearchHit>> search_calls(const store::CallSearch&) override {
        return fail("unused");
    }
    Result<store::CallLog> save_realtime_transcript(const CallSid&, std::string_view, TimePoint,
                                                    store::RealtimeSource) override {
        return fail("unused");
    }
    Result<store::CallLog> save_call_details(const CallSid&, const store::CallDetails&,
                                             TimePoint) override {
        return fail("unused");
    }
    Result<bool> save_realtime_labels(const CallSid&, const store::RealtimeLabels&,
                                      TimePoint) override {
        return fail("unused");
    }
    Result<bool> add_realtime_utterance(const CallSid&, const store::RealtimeUtterance&,
                                        TimePoint) override {
        return fail("unused");
    }
    Result<std::vector<store::RealtimeUtterance>> realtime_utterances(const CallSid&) override {
        return fail("unused");
    }
    Result<std::vector<store::RealtimeLabels>> realtime_labels(const CallSid&) override {
        return fail("unused");
    }
    Result<store::EnqueueResult>
    enqueue_offline_stt(const CallSid&, const std::optional<RecordingSid>&, TimePoint) override {
        return fail("unused");
    }
    Result<std::optional<store::Job>> restart_job(const CallSid&, store::JobStep,
                                                  TimePoint) override {
        return fail("unused");
    }
    Result<std::optional<store::Job>> find_job(const CallSid&) override { return fail("unused"); }
    Result<std::optional<store::Job>> claim_job(store::Lane, std::string_view, TimePoint,
                                                Seconds) override {
        return fail("unused");
    }
    Result<std::optional<store::Job>> claim_call_job(const CallSid&, std::string_view, TimePoint,
                                                     Seconds) override {
        return fail("unused");
    }
    Result<bool> renew_job_lease(const store::Job&, TimePoint) override { return fail("unused"); }
    Result<bool> save_job(const store::Job&, const store::CallUpdate&, TimePoint) override {
        return fail("unused");
    }
    Result<bool> finish_job(const store::Job&, const store::CallUpdate&,
                            const std::optional<store::WebhookDelivery>&, TimePoint) override {
        return fail("unused");
    }
    Result<std::optional<TimePoint>> next_job_due(store::Lane) override { return fail("unused"); }
    Result<store::JobCounts> count_jobs() override { return fail("unused"); }
};

// Answers each request with the next scripted outcome (200 when the script is empty).
class ScriptedHttp final : public net::HttpClient {
  public:
    std::deque<Result<net::HttpResponse>> script;
    std::vector<net::HttpRequest> requests;

    void answer(int status) { script.push_back(net::HttpResponse{.status = status}); }

    Result<net::HttpResponse> send(const net::HttpRequest& request) override {
        requests.push_back(request);
        if (script.empty()) return net::HttpResponse{.status = 200};
        auto next = script.front();
        script.pop_front();
        return next;
    }
    Result<net::HttpResponse> download(const net::HttpRequest&, net::ByteSink&) override {
        return fail("unused");
    }
};

std::optional<std::string> header(const net::HttpRequest& request, std::string_view name) {
    for (const auto& [key, value] : request.headers)
        if (key == name) return value;
    return std::nullopt;
}

CallSid sid(char last) {
    return CallSid::parse(std::string("CA0123456789abcdef0123456789abcde") + last).value();
}

class WebhookOutbox : public ::testing::Test {
  protected:
    FakeClock m_clock;
    MemoryOutbox m_store;
    ScriptedHttp m_http;
    config::WebhookSettings m_settings{.url = "https://hooks.example.com/calls?token=t0ps3cret",
                                       .secret = Secret("0123456789abcdef0123456789"),
                                       .backoff = {5s, 300s}};

    store::WebhookDelivery enqueue(char last, Seconds due_in = 0s) {
        store::CallLog call{.call_sid = sid(last)};
        call.final_transcript = "hello";
        auto d =
            make_delivery(call, 0, choose_transcript(call.final_transcript, ""), {}, m_clock.now());
        d.next_attempt_at += std::chrono::duration_cast<TimePoint::duration>(due_in);
        m_store.add(d);
        return d;
    }

    Result<int> pump() {
        return deliver_due(m_store, m_http, m_settings, m_clock, "worker-1", 60s);
    }
};

TEST_F(WebhookOutbox, DeliversEveryDueWebhookAndLeavesTheRest) {
    enqueue('1');
    enqueue('2', 0s);
    enqueue('3', 10s);
    auto handled = pump();
    ASSERT_TRUE(handled) << handled.error().message;
    EXPECT_EQ(*handled, 2);
    ASSERT_EQ(m_http.requests.size(), 2u);
    EXPECT_EQ(m_store.deliveries.at(delivery_id(sid('1'), 0)).state, DeliveryState::delivered);
    auto& later = m_store.deliveries.at(delivery_id(sid('3'), 0));
    EXPECT_EQ(later.state, DeliveryState::pending);
    EXPECT_EQ(later.attempts, 0);
    for (const auto& [id, d] : m_store.deliveries)
        EXPECT_TRUE(d.lease_owner.empty()) << id;
}

TEST_F(WebhookOutbox, ARetryWaitsForItsDelayThenSendsTheSameWebhook) {
    auto original = enqueue('1');
    m_http.answer(500);
    ASSERT_EQ(pump().value(), 1);
    auto& stored = m_store.deliveries.at(original.id);
    EXPECT_EQ(stored.state, DeliveryState::pending);
    EXPECT_EQ(stored.attempts, 1);
    EXPECT_EQ(stored.last_status, 500);
    EXPECT_EQ(stored.next_attempt_at, m_clock.now() + 5s);

    m_clock.advance(4s);
    EXPECT_EQ(pump().value(), 0); // not due yet
    m_clock.advance(1s);
    EXPECT_EQ(pump().value(), 1);
    EXPECT_EQ(stored.state, DeliveryState::delivered);
    EXPECT_EQ(stored.attempts, 2);
    EXPECT_EQ(stored.delivered_at, m_clock.now());

    ASSERT_EQ(m_http.requests.size(), 2u);
    for (const auto& request : m_http.requests) {
        EXPECT_EQ(request.body, original.payload);
        EXPECT_EQ(header(request, "webhook-id"), original.id);
        EXPECT_TRUE(verify(original.id, header(request, "webhook-timestamp").value(),
                           header(request, "webhook-signature").value(), request.body,
                           m_settings.secret, m_clock.now()));
    }
    EXPECT_NE(header(m_http.requests[0], "webhook-timestamp"),
              header(m_http.requests[1], "webhook-timestamp"));
}

TEST_F(WebhookOutbox, FailsOnceTheBackoffIsSpentAndKeepsTheRecord) {
    test_support::CapturedLog log;
    auto original = enqueue('1');
    m_http.answer(503);
    m_http.answer(503);
    m_http.answer(503);
    EXPECT_EQ(pump().value(), 1);
    m_clock.advance(5s);
    EXPECT_EQ(pump().value(), 1);
    m_clock.advance(300s);
    EXPECT_EQ(pump().value(), 1);
    m_clock.advance(3600s);
    EXPECT_EQ(pump().value(), 0);

    auto& stored = m_store.deliveries.at(original.id);
    EXPECT_EQ(stored.state, DeliveryState::failed);
    EXPECT_EQ(stored.attempts, 3);
    EXPECT_EQ(stored.last_status, 503);
    EXPECT_EQ(stored.last_error, "https://hooks.example.com/calls answered 503");
    EXPECT_EQ(m_http.requests.size(), 3u);
    const std::string id = original.id;
    EXPECT_THAT(log.lines(),
                ElementsAre("⚠️ [WEBHOOK] Delivery " + id +
                                " failed (https://hooks.example.com/calls answered 503), retry "
                                "1/2 in 5s",
                            "⚠️ [WEBHOOK] Delivery " + id +
                                " failed (https://hooks.example.com/calls answered 503), retry "
                                "2/2 in 300s",
                            "❌ [WEBHOOK] Giving up on " + id +
                                " after 3 attempts (https://hooks.example.com/calls answered "
                                "503); kept as failed"));
}

TEST_F(WebhookOutbox, WithoutAUrlADueWebhookIsMarkedFailedUnsent) {
    test_support::CapturedLog log;
    m_settings.url.clear();
    auto original = enqueue('1');
    EXPECT_EQ(pump().value(), 1);
    EXPECT_TRUE(m_http.requests.empty());
    auto& stored = m_store.deliveries.at(original.id);
    EXPECT_EQ(stored.state, DeliveryState::failed);
    EXPECT_EQ(stored.attempts, 0);
    EXPECT_EQ(stored.last_error, "no CALLSCRIBE_WEBHOOK_URL configured");
    EXPECT_EQ(stored.payload, original.payload); // kept, ready to replay
    EXPECT_THAT(log.lines(), ElementsAre("⚠️ [WEBHOOK] Not delivering " + original.id +
                                         ": no CALLSCRIBE_WEBHOOK_URL configured; marked failed"));
}

TEST_F(WebhookOutbox, ALostLeaseIsLoggedAndThePassGoesOn) {
    test_support::CapturedLog log;
    auto first = enqueue('1');
    auto second = enqueue('2', 1s);
    m_store.steal_lease_on_save = first.id;
    m_clock.advance(1s);
    EXPECT_EQ(pump().value(), 2);
    EXPECT_EQ(m_store.deliveries.at(first.id).lease_owner, "another-worker");
    EXPECT_EQ(m_store.deliveries.at(first.id).state, DeliveryState::pending);
    EXPECT_EQ(m_store.deliveries.at(second.id).state, DeliveryState::delivered);
    EXPECT_THAT(log.text(), HasSubstr("⚠️ [WEBHOOK] Lost the lease on " + first.id +
                                      " while delivering it; its outcome was not saved"));
}

TEST_F(WebhookOutbox, AStoreErrorEndsThePass) {
    enqueue('1');
    m_store.claim_error = fail_retryable("database is locked: sqlite://data/callscribe.db");
    auto result = pump();
    ASSERT_FALSE(result);
    EXPECT_TRUE(result.error().retryable);
    EXPECT_THAT(result.error().message, HasSubstr("database is locked"));
    EXPECT_TRUE(m_http.requests.empty());
}

TEST_F(WebhookOutbox, TheRequestIsASignedPostThatFollowsNoRedirect) {
    auto original = enqueue('1');
    ASSERT_EQ(pump().value(), 1);
    ASSERT_EQ(m_http.requests.size(), 1u);
    const auto& request = m_http.requests[0];
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.url, m_settings.url);
    EXPECT_FALSE(request.follow_redirects);
    EXPECT_EQ(request.timeout, Seconds(15));
    EXPECT_EQ(header(request, "content-type"), "application/json");
    EXPECT_EQ(header(request, "webhook-timestamp"), std::to_string(unix_seconds(m_clock.now())));
    EXPECT_EQ(header(request, "webhook-signature"),
              sign(original.id, unix_seconds(m_clock.now()), original.payload, m_settings.secret));
}

TEST_F(WebhookOutbox, WithoutASecretTheWebhookGoesUnsigned) {
    m_settings.secret = Secret();
    enqueue('1');
    ASSERT_EQ(pump().value(), 1);
    ASSERT_EQ(m_http.requests.size(), 1u);
    EXPECT_FALSE(header(m_http.requests[0], "webhook-signature"));
    EXPECT_TRUE(header(m_http.requests[0], "webhook-id"));
    EXPECT_TRUE(header(m_http.requests[0], "webhook-timestamp"));
}

} // namespace
} // namespace callscribe::webhook
