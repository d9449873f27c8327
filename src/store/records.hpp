#pragma once
// Database rows ↔ the Store's records, shared by the SQL adapters (sqlite/, postgres/): both keep
// the same tables with the same columns, so they read and write them alike.
//
// Each k_*_columns list is the SELECT (or RETURNING) list that the matching read_* function
// expects, in that order. A Row is an adapter's result row with is_null, text_at, int64_at,
// int_at, double_at and time_at, each taking a column index.
//
// Times are integer microseconds since the Unix epoch (columns ending in _us; 0 = not set); finer
// digits are dropped (rounded toward the past), so a time written and read back compares equal
// at that precision.
//
// Failure: a stored value that does not parse (an unknown status, a malformed SID) throws
// CorruptValue: the database was changed by something other than callscribe. The adapters turn
// it into a Result error that is not retryable.

#include "store/store.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace callscribe::store {

inline constexpr std::string_view k_call_columns =
    "call_sid, status, recording_sid, recording_path, recording_bytes, recording_duration_s, "
    "recording_channels, realtime_transcript, final_transcript, final_transcript_json, "
    "transcript_source, last_error, created_at_us, updated_at_us, realtime_source, from_number, "
    "to_number, direction, call_status, call_duration_s";

// How many columns k_call_columns names: the next column of a SELECT that starts with them.
inline constexpr int k_call_column_count =
    static_cast<int>(std::ranges::count(k_call_columns, ',')) + 1;

inline constexpr std::string_view k_job_columns =
    "id, call_sid, state, step, lane, recording_sid, media_url, ready_attempts, "
    "transient_attempts, format_index, generation, run_at_us, lease_owner, lease_expires_us, "
    "created_at_us, updated_at_us, recording_path";

inline constexpr std::string_view k_webhook_columns =
    "id, call_sid, payload, state, attempts, next_attempt_at_us, last_status, last_error, "
    "lease_owner, lease_expires_us, created_at_us, delivered_at_us";

std::int64_t to_micros(TimePoint time);
TimePoint from_micros(std::int64_t micros);

class CorruptValue : public std::runtime_error {
  public:
    CorruptValue(std::string_view table, std::string_view column, std::string_view text);
};

namespace detail {

template <class T, class Row, class Parse>
T parsed(const Row& row, int column, std::string_view table, std::string_view name, Parse parse) {
    const std::string text = row.text_at(column);
    auto value = parse(text);
    if (!value) throw CorruptValue(table, name, text);
    return *value;
}

template <class T, class Row, class Parse>
std::optional<T> parsed_or_null(const Row& row, int column, std::string_view table,
                                std::string_view name, Parse parse) {
    if (row.is_null(column)) return std::nullopt;
    return parsed<T>(row, column, table, name, parse);
}

} // namespace detail

template <class Row> CallLog read_call(const Row& row) {
    using detail::parsed, detail::parsed_or_null;
    constexpr std::string_view t = "calls";
    return CallLog{
        .call_sid = parsed<CallSid>(row, 0, t, "call_sid", CallSid::parse),
        .status = parsed<CallStatus>(row, 1, t, "status", parse_call_status),
        .recording_sid =
            parsed_or_null<RecordingSid>(row, 2, t, "recording_sid", RecordingSid::parse),
        .recording_path = row.text_at(3),
        .recording_bytes = row.int64_at(4),
        .recording_duration_s =
            row.is_null(5) ? std::nullopt : std::optional<double>(row.double_at(5)),
        .recording_channels = row.int_at(6),
        .realtime_transcript = row.text_at(7),
        .realtime_source =
            parsed<RealtimeSource>(row, 14, t, "realtime_source", parse_realtime_source),
        .final_transcript = row.text_at(8),
        .final_transcript_json = row.text_at(9),
        .transcript_source = parsed_or_null<TranscriptSource>(row, 10, t, "transcript_source",
                                                              parse_transcript_source),
        .last_error = row.text_at(11),
        .created_at = row.time_at(12),
        .updated_at = row.time_at(13),
        .details = {.from = row.text_at(15),
                    .to = row.text_at(16),
                    .direction = row.text_at(17),
                    .call_status = row.text_at(18),
                    .duration_s = row.is_null(19) ? std::nullopt
                                                  : std::optional<std::int64_t>(row.int64_at(19))},
    };
}

template <class Row> RealtimeUtterance read_realtime_utterance(const Row& row) {
    return RealtimeUtterance{.session = row.text_at(0),
                             .sequence = row.int64_at(1),
                             .track = row.text_at(2),
                             .text = row.text_at(3)};
}

template <class Row> RealtimeLabels read_realtime_labels(const Row& row) {
    return RealtimeLabels{
        .session = row.text_at(0), .inbound = row.text_at(1), .outbound = row.text_at(2)};
}

template <class Row> Job read_job(const Row& row) {
    using detail::parsed, detail::parsed_or_null;
    constexpr std::string_view t = "jobs";
    return Job{
        .id = row.int64_at(0),
        .call_sid = parsed<CallSid>(row, 1, t, "call_sid", CallSid::parse),
        .state = parsed<JobState>(row, 2, t, "state", parse_job_state),
        .step = parsed<JobStep>(row, 3, t, "step", parse_job_step),
        .lane = parsed<Lane>(row, 4, t, "lane", parse_lane),
        .recording_sid =
            parsed_or_null<RecordingSid>(row, 5, t, "recording_sid", RecordingSid::parse),
        .media_url = row.text_at(6),
        .ready_attempts = row.int_at(7),
        .transient_attempts = row.int_at(8),
        .format_index = row.int_at(9),
        .generation = row.int_at(10),
        .recording_path = row.text_at(16),
        .run_at = row.time_at(11),
        .lease_owner = row.text_at(12),
        .lease_expires = row.time_at(13),
        .created_at = row.time_at(14),
        .updated_at = row.time_at(15),
    };
}

template <class Row> WebhookDelivery read_webhook(const Row& row) {
    using detail::parsed;
    constexpr std::string_view t = "webhooks";
    return WebhookDelivery{
        .id = row.text_at(0),
        .call_sid = parsed<CallSid>(row, 1, t, "call_sid", CallSid::parse),
        .payload = row.text_at(2),
        .state = parsed<DeliveryState>(row, 3, t, "state", parse_delivery_state),
        .attempts = row.int_at(4),
        .next_attempt_at = row.time_at(5),
        .last_status = row.int_at(6),
        .last_error = row.text_at(7),
        .lease_owner = row.text_at(8),
        .lease_expires = row.time_at(9),
        .created_at = row.time_at(10),
        .delivered_at = row.time_at(11),
    };
}

// Sets the count of jobs in `state` (one row of SELECT state, COUNT(*) … GROUP BY state).
void set_count(JobCounts& counts, JobState state, std::int64_t count);

// A value to bind to a statement parameter.
using ColumnValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// The columns of `calls` that `update` sets (the members that hold a value), after
// updated_at_us = now, for an UPDATE … SET list.
std::vector<std::pair<std::string_view, ColumnValue>> call_update_columns(const CallUpdate& update,
                                                                          TimePoint now);

// What the SQL of the two adapters spells differently, for call_filter_sql.
struct SqlDialect {
    std::string (*placeholder)(std::size_t index); // parameter `index` (from 1): "?1", "$1"
    std::string_view contains;                     // F(text, part) > 0 when text holds part
};

// " AND …" conditions for the filters of `query` (status, source, created_since,
// created_until, number; not limit or before) on the calls table named `table`, with their
// values appended to `values`, numbered after those already there.
std::string call_filter_sql(const CallQuery& query, std::string_view table,
                            const SqlDialect& dialect, std::vector<ColumnValue>& values);

} // namespace callscribe::store
