#pragma once
// Every [WEBHOOK] log line, in one place (docs/logs.md).
//
// URLs passed in are already redacted (net::redact_url: no user info, query or fragment) and no
// function here is given a secret, so none can log one.

#include "core/clock.hpp"
#include "core/sid.hpp"
#include "store/store.hpp"
#include "webhook/transcript_choice.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace callscribe::webhook {

// "✅ [WEBHOOK] Using OFFLINE transcript (N chars) for CA…", "ℹ️ [WEBHOOK] Offline
// transcript
// missing → using realtime (N chars) for CA…" or "⚠️ [WEBHOOK] No transcript available for
// CA… → sending transcript_source=none".
void log_transcript_choice(const CallSid& call, const TranscriptChoice& choice);

// "✅ [WEBHOOK] Delivered msg_… to https://host/path (200, 12 ms)".
void log_delivered(const store::WebhookDelivery& delivery, std::string_view url, int status,
                   std::int64_t milliseconds);

// "⚠️ [WEBHOOK] Delivery msg_… failed (REASON), retry 2/7 in 300s".
void log_retry_scheduled(const store::WebhookDelivery& delivery, std::string_view reason,
                         std::size_t retry, std::size_t retries, Seconds delay);

// "❌ [WEBHOOK] Giving up on msg_… after 8 attempts (REASON); kept as failed".
void log_given_up(const store::WebhookDelivery& delivery, std::string_view reason);

// "❌ [WEBHOOK] Delivery msg_… failed: https://host/path answered 410 Gone (the receiver wants no
// more webhooks); marked failed, not retried".
void log_gone(const store::WebhookDelivery& delivery, std::string_view url);

// "⚠️ [WEBHOOK] Not delivering msg_…: no CALLSCRIBE_WEBHOOK_URL configured; marked failed".
void log_no_url(const store::WebhookDelivery& delivery);

// "⚠️ [WEBHOOK] Lost the lease on msg_… while delivering it; its outcome was not saved".
void log_lease_lost(const store::WebhookDelivery& delivery);

} // namespace callscribe::webhook
