#pragma once
// The JSON views of GET /api/calls and GET /api/calls/{CallSid}: what an operator (and the web
// page) reads about a call. Times are RFC 3339 UTC ("2026-01-01T00:00:00Z"); what is not known
// is null.
//
//   call:    {"call_sid", "status", "recording_sid", "recording": {"on_disk", "bytes",
//             "duration_s", "channels", "download_url"}, "transcript_source",
//             "realtime_transcript", "realtime_source" (null | "api" | "twilio_rtt"),
//             "final_transcript", "last_error", "created_at", "updated_at", and the call's
//             details from Twilio's callbacks: "from", "to", "direction", "call_status",
//             "call_duration_s"}
//   detail:  call + {"job": {...} | null, "webhooks": [{...}]}
//   snippet: [{"text": "…the customer asked for a ", "match": false},
//             {"text": "refund", "match": true}, …]: one excerpt in pieces, for the page to
//             show with the matches marked (as text, never as HTML)
//   job:     {"state", "step", "lane", "generation", "recording_sid", "ready_attempts",
//             "transient_attempts", "run_at", "lease_owner", "lease_expires", "last_error",
//             "created_at", "updated_at"}
//   webhook: {"id", "state", "attempts", "last_status", "last_error", "next_attempt_at",
//             "created_at", "delivered_at"}
//
// Pure; thread-safe.
#include "store/store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace callscribe::api {

nlohmann::ordered_json call_json(const store::CallLog& call);
// A search hit's excerpt: [{"text", "match"}], the matched words with match true.
nlohmann::ordered_json snippet_json(const std::vector<store::SnippetPiece>& snippet);
// The job's last_error is the call's: the call log keeps it.
nlohmann::ordered_json job_json(const store::Job& job, const store::CallLog& call);
nlohmann::ordered_json webhook_json(const store::WebhookDelivery& delivery);
nlohmann::ordered_json call_detail_json(const store::CallLog& call,
                                        const std::optional<store::Job>& job,
                                        const std::vector<store::WebhookDelivery>& webhooks);

} // namespace callscribe::api
