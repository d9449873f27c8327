#pragma once
// Rows of the SQLite store ↔ the Store's records. Each k_*_columns list is the SELECT (or
// RETURNING) list that the matching read_* function expects, in that order.
//
// A stored value that does not parse (an unknown status, a malformed SID) throws DbError: the
// file was changed by something other than this adapter.

#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

#include <string_view>

namespace callscribe::store::sqlite {

inline constexpr std::string_view k_call_columns =
    "call_sid, status, recording_sid, recording_path, recording_bytes, recording_duration_s, "
    "recording_channels, realtime_transcript, final_transcript, final_transcript_json, "
    "transcript_source, last_error, created_at_us, updated_at_us";

inline constexpr std::string_view k_job_columns =
    "id, call_sid, state, step, lane, recording_sid, media_url, ready_attempts, "
    "transient_attempts, format_index, generation, run_at_us, lease_owner, lease_expires_us, "
    "created_at_us, updated_at_us";

inline constexpr std::string_view k_webhook_columns =
    "id, call_sid, payload, state, attempts, next_attempt_at_us, last_status, last_error, "
    "lease_owner, lease_expires_us, created_at_us, delivered_at_us";

CallLog read_call(const Statement& row);
Job read_job(const Statement& row);
WebhookDelivery read_webhook(const Statement& row);

// The enums without a parse function in store.hpp.
std::optional<Lane> parse_lane(std::string_view text);
std::optional<DeliveryState> parse_delivery_state(std::string_view text);

} // namespace callscribe::store::sqlite
