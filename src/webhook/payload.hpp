#pragma once
// The transcript webhook's body and its outbox record (DESIGN.md "Webhook").
//
// Body: one line of JSON, members in this order:
//   {"type":"call.transcript","call_sid":"CA…","recording_sid":"RE…"|null,"transcript":"…",
//    "transcript_source":"offline"|"realtime"|"none","recording_duration_s":12.5|null,
//    "recording_url":"https://…"|null,"created_at":"2024-05-01T12:34:56Z"}
// created_at is when the webhook was made (RFC 3339, UTC, whole seconds, "Z"). Text that is not
// valid UTF-8 has the bad bytes replaced by U+FFFD, so the body is always valid JSON.
//
// Pure functions, thread-safe.

#include "core/clock.hpp"
#include "store/store.hpp"
#include "webhook/transcript_choice.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace callscribe::webhook {

inline constexpr std::string_view k_event_type = "call.transcript";

// "msg_{CallSid}_{generation}": the same for every retry of a delivery and for a second enqueue
// of the same run of the call's job, so receivers can use it as an idempotency key; a
// retranscription (a new generation) gets a new id.
std::string delivery_id(const CallSid& call, int generation);

// "offline" | "realtime" | "none": the transcript_source values of the webhook body.
std::string_view source_name(store::TranscriptSource source);

// `time` as RFC 3339 UTC with whole seconds: "2024-05-01T12:34:56Z".
std::string rfc3339_utc(TimePoint time);

// The JSON body for `call` carrying `choice`. `recording_url` is where the receiver can fetch
// the recording (null when there is none).
std::string build_payload(const store::CallLog& call, const TranscriptChoice& choice,
                          const std::optional<std::string>& recording_url, TimePoint now);

// A pending outbox record for the run `generation` of the call's job, due now.
store::WebhookDelivery make_delivery(const store::CallLog& call, int generation,
                                     const TranscriptChoice& choice,
                                     const std::optional<std::string>& recording_url,
                                     TimePoint now);

} // namespace callscribe::webhook
