#pragma once
// The transcript webhook's body and its outbox record (docs/webhook.md).
//
// Body: one line of JSON, members in this order. Version 1:
//   {"type":"call.transcript","call_sid":"CA…","recording_sid":"RE…"|null,"transcript":"…",
//    "transcript_source":"offline"|"realtime"|"none","recording_duration_s":12.5|null,
//    "recording_url":"https://…"|null,"created_at":"2024-05-01T12:34:56Z"}
// Version 2 (the default) has every member of version 1, then
//    "version":2,"realtime_source":"api"|"twilio_rtt"|null,"audio_source":"twilio"|"media_stream"|null,
//    "language":"en"|null,"segments":[{"speaker":"Caller"|null,"start":0.8,"end":3.1,
//    "text":"…"}]|null,"transcript_url":"https://…/api/calls/CA…/transcript?format=json"|null,
//    "from":"+1555…"|null,"to":…|null,"direction":"inbound"|…|null,"call_status":"completed"|…|null,
//    "call_duration_s":63|null   (the call's details from Twilio's callbacks)
// segments are the offline transcript's ([] when the chosen transcript is not the offline one),
// without words (transcript_url has them); when they would make the body larger than
// k_max_segments_bytes they are null and transcript_url is the way to them.
// created_at is when the webhook was made (RFC 3339, UTC, whole seconds, "Z"). Text that is not
// valid UTF-8 has the bad bytes replaced by U+FFFD, so the body is always valid JSON.
//
// Pure functions, thread-safe.

#include "core/clock.hpp"
#include "store/store.hpp"
#include "webhook/transcript_choice.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace callscribe::webhook {

inline constexpr std::string_view k_event_type = "call.transcript";
inline constexpr int k_latest_version = 2;
inline constexpr std::size_t k_max_segments_bytes = 512 * 1024;

struct PayloadSettings {
    int version = k_latest_version; // CALLSCRIBE_WEBHOOK_VERSION: 1 or 2
    // The service's own URL (CALLSCRIBE_PUBLIC_URL) for recording_url and transcript_url; empty:
    // they are null.
    std::string public_url{};
};

// "msg_{CallSid}_{generation}": the same for every retry of a delivery and for a second enqueue
// of the same run of the call's job, so receivers can use it as an idempotency key; a
// retranscription (a new generation) gets a new id.
std::string delivery_id(const CallSid& call, int generation);

// "offline" | "realtime" | "none": the transcript_source values of the webhook body.
std::string_view source_name(store::TranscriptSource source);

// `time` as RFC 3339 UTC with whole seconds: "2024-05-01T12:34:56Z".
std::string rfc3339_utc(TimePoint time);

// The JSON body for `call` carrying `choice`.
std::string build_payload(const store::CallLog& call, const TranscriptChoice& choice,
                          const PayloadSettings& settings, TimePoint now);

// A pending outbox record for the run `generation` of the call's job, due now.
store::WebhookDelivery make_delivery(const store::CallLog& call, int generation,
                                     const TranscriptChoice& choice,
                                     const PayloadSettings& settings, TimePoint now);

} // namespace callscribe::webhook
