#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com, spec 1.0.0, symmetric scheme).
//
// The signed content is "{webhook-id}.{webhook-timestamp}.{body}" with the timestamp in decimal
// unix seconds; the signature is HMAC-SHA256 with the secret's DECODED key bytes (the part of
// "whsec_…" after the prefix, base64-decoded; config::WebhookSettings::secret holds exactly
// that), base64-encoded and sent as "v1,<base64>" in `webhook-signature`. That header may hold
// several space-separated signatures (key rotation); one valid "v1," entry is enough.
//
// Pure functions, thread-safe. Signatures are compared in constant time. Errors never contain
// the key.

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace callscribe::webhook {

// How far a webhook-timestamp may be from the receiver's clock, either way (replay protection).
inline constexpr std::chrono::seconds k_default_tolerance{5 * 60};

// "{id}.{timestamp}.{body}".
std::string signed_content(std::string_view id, std::int64_t timestamp, std::string_view body);

// "v1,<base64 HMAC-SHA256(key, signed_content(id, timestamp, body))>".
std::string sign(std::string_view id, std::int64_t timestamp, std::string_view body,
                 const Secret& key);

// Unix seconds of `time` (what webhook-timestamp carries).
std::int64_t unix_seconds(TimePoint time);

// Checks a received webhook: `timestamp` (the header's text) must be a decimal unix time within
// `tolerance` of `now`, and one of the "v1," entries of `signature_header` must match. An empty
// key verifies nothing. The error says which check failed, e.g. "no matching v1 signature" or
// "timestamp 1614265330 is 412s away from now (tolerance 300s)".
Result<void> verify(std::string_view id, std::string_view timestamp,
                    std::string_view signature_header, std::string_view body, const Secret& key,
                    TimePoint now, Seconds tolerance = k_default_tolerance);

} // namespace callscribe::webhook
