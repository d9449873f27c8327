#include "webhook/webhook_log.hpp"

#include "core/log.hpp"

namespace callscribe::webhook {

void log_transcript_choice(const CallSid& call, const TranscriptChoice& choice) {
    switch (choice.source) {
    case store::TranscriptSource::offline:
        log().info("✅ [WEBHOOK] Using OFFLINE transcript ({} chars) for {}",
                   count_chars(choice.text), call.str());
        return;
    case store::TranscriptSource::realtime:
        log().info(
            "ℹ️ [WEBHOOK] Offline transcript missing → using realtime ({} chars) for {}",
            count_chars(choice.text), call.str());
        return;
    case store::TranscriptSource::none:
        break;
    }
    log().warn("⚠️ [WEBHOOK] No transcript available for {} → sending transcript_source=none",
               call.str());
}

void log_delivered(const store::WebhookDelivery& delivery, std::string_view url, int status,
                   std::int64_t milliseconds) {
    log().info("✅ [WEBHOOK] Delivered {} to {} ({}, {} ms)", delivery.id, url, status,
               milliseconds);
}

void log_retry_scheduled(const store::WebhookDelivery& delivery, std::string_view reason,
                         std::size_t retry, std::size_t retries, Seconds delay) {
    log().warn("⚠️ [WEBHOOK] Delivery {} failed ({}), retry {}/{} in {:g}s", delivery.id,
               reason, retry, retries, delay.count());
}

void log_given_up(const store::WebhookDelivery& delivery, std::string_view reason) {
    log().error("❌ [WEBHOOK] Giving up on {} after {} attempts ({}); kept as failed", delivery.id,
                delivery.attempts, reason);
}

void log_gone(const store::WebhookDelivery& delivery, std::string_view url) {
    log().error("❌ [WEBHOOK] Delivery {} failed: {} answered 410 Gone (the receiver wants no "
                "more webhooks); marked failed, not retried",
                delivery.id, url);
}

void log_no_url(const store::WebhookDelivery& delivery) {
    log().warn("⚠️ [WEBHOOK] Not delivering {}: no CALLSCRIBE_WEBHOOK_URL configured; marked "
               "failed",
               delivery.id);
}

void log_lease_lost(const store::WebhookDelivery& delivery) {
    log().warn(
        "⚠️ [WEBHOOK] Lost the lease on {} while delivering it; its outcome was not saved",
        delivery.id);
}

} // namespace callscribe::webhook
