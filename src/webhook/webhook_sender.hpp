#pragma once
// One delivery attempt of a webhook from the outbox (docs/webhook.md).
//
// An attempt POSTs the delivery's fixed payload under its fixed `webhook-id`, with
// `webhook-timestamp` = the attempt's time and, when a secret is configured, a fresh
// `webhook-signature` (webhook_signature.hpp); without a secret the webhook goes unsigned.
//
// Outcome (Standard Webhooks, "Delivery success and failure"):
// - 2xx: delivered (delivered_at = now).
// - 3xx: a failure. Redirects are NOT followed: a webhook URL that redirects is a
//   misconfiguration (and following one would send the signed transcript to another host);
//   the error names the Location so the operator can fix CALLSCRIBE_WEBHOOK_URL.
// - 410 Gone: the receiver says it wants no more webhooks: failed at once, no retry.
// - anything else, or a transport error (refused, timeout, TLS): retried after the next delay
//   of settings.backoff (counting from now), or after Retry-After when the receiver asks for
//   longer (delta-seconds only, at most a day); failed once the delays are spent.
// - no URL configured: failed at once without a request (nothing to send to; the record is
//   kept, so it can be replayed once a URL is set).
// Failed deliveries are kept. last_error is one line naming the URL without user info or query
// (net::redact_url) and the status or transport error; it never holds the secret. Every outcome
// writes one [WEBHOOK] log line (webhook_log.hpp).
//
// Thread safety: deliver() touches only its arguments; the HttpClient must be shareable (it is).

#include "config/config.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"

namespace callscribe::webhook {

// The longest Retry-After honoured.
inline constexpr Seconds k_max_retry_after{24 * 3600};

// The request of one attempt at `now` (settings.url must not be empty).
net::HttpRequest delivery_request(const store::WebhookDelivery& delivery,
                                  const config::WebhookSettings& settings, TimePoint now);

// Makes one attempt at `now` and returns `delivery` updated with its outcome (state, attempts,
// next_attempt_at, last_status, last_error, delivered_at); lease fields are left as they are.
// A delivery that is not pending is returned unchanged, without a request.
store::WebhookDelivery deliver(store::WebhookDelivery delivery, net::HttpClient& http,
                               const config::WebhookSettings& settings, TimePoint now);

} // namespace callscribe::webhook
