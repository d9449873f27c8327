#include "store/sqlite/records.hpp"

#include <fmt/format.h>

namespace callscribe::store::sqlite {

namespace {

[[noreturn]] void corrupt(std::string_view table, std::string_view column, std::string_view text) {
    throw DbError(fmt::format("unexpected value \"{}\" in {}.{}", text, table, column), false);
}

template <class T, class Parse>
T parsed(const Statement& row, int column, std::string_view table, std::string_view name,
         Parse parse) {
    const std::string text = row.text_at(column);
    auto value = parse(text);
    if (!value) corrupt(table, name, text);
    return *value;
}

template <class T, class Parse>
std::optional<T> parsed_or_null(const Statement& row, int column, std::string_view table,
                                std::string_view name, Parse parse) {
    if (row.is_null(column)) return std::nullopt;
    return parsed<T>(row, column, table, name, parse);
}

} // namespace

std::optional<Lane> parse_lane(std::string_view text) {
    for (Lane lane : {Lane::io, Lane::cpu}) {
        if (to_string(lane) == text) return lane;
    }
    return std::nullopt;
}

std::optional<DeliveryState> parse_delivery_state(std::string_view text) {
    for (auto state : {DeliveryState::pending, DeliveryState::delivered, DeliveryState::failed}) {
        if (to_string(state) == text) return state;
    }
    return std::nullopt;
}

CallLog read_call(const Statement& row) {
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
        .final_transcript = row.text_at(8),
        .final_transcript_json = row.text_at(9),
        .transcript_source = parsed_or_null<TranscriptSource>(row, 10, t, "transcript_source",
                                                              parse_transcript_source),
        .last_error = row.text_at(11),
        .created_at = row.time_at(12),
        .updated_at = row.time_at(13),
    };
}

Job read_job(const Statement& row) {
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
        .run_at = row.time_at(11),
        .lease_owner = row.text_at(12),
        .lease_expires = row.time_at(13),
        .created_at = row.time_at(14),
        .updated_at = row.time_at(15),
    };
}

WebhookDelivery read_webhook(const Statement& row) {
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

} // namespace callscribe::store::sqlite
