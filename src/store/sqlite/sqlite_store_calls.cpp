// SqliteStore: what a call gathers while it is live — Twilio's Real-Time Transcription
// (utterances and their sessions' labels) and the call's details from Twilio's callbacks.
#include "store/records.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/sqlite_store_run.hpp"

#include <fmt/format.h>

namespace callscribe::store::sqlite {

namespace {

constexpr std::string_view k_insert_call_if_new =
    "INSERT INTO calls (call_sid, status, created_at_us, updated_at_us) "
    "VALUES (?1, 'waiting_for_recording', ?2, ?2) ON CONFLICT (call_sid) DO NOTHING";
constexpr std::string_view k_save_realtime_labels =
    "INSERT INTO realtime_sessions (call_sid, session, inbound_label, outbound_label, "
    "created_at_us) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (call_sid, session) DO NOTHING";
constexpr std::string_view k_add_realtime_utterance =
    "INSERT INTO realtime_utterances (call_sid, session, sequence, track, text, created_at_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (call_sid, session, sequence) DO NOTHING";
constexpr std::string_view k_select_realtime_utterances =
    "SELECT session, sequence, track, text FROM realtime_utterances WHERE call_sid = ?1 "
    "ORDER BY MIN(created_at_us) OVER (PARTITION BY session), session, sequence";
constexpr std::string_view k_select_realtime_labels =
    "SELECT session, inbound_label, outbound_label FROM realtime_sessions WHERE call_sid = ?1 "
    "ORDER BY created_at_us, session";

// A member the callback did not carry (empty, NULL) keeps its value; a final call status stays.
constexpr std::string_view k_save_call_details =
    "INSERT INTO calls (call_sid, status, from_number, to_number, direction, call_status, "
    "call_duration_s, created_at_us, updated_at_us) "
    "VALUES (?1, 'waiting_for_recording', ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
    "ON CONFLICT (call_sid) DO UPDATE SET "
    "from_number = COALESCE(NULLIF(excluded.from_number, ''), calls.from_number), "
    "to_number = COALESCE(NULLIF(excluded.to_number, ''), calls.to_number), "
    "direction = COALESCE(NULLIF(excluded.direction, ''), calls.direction), "
    "call_status = CASE WHEN excluded.call_status = '' OR calls.call_status IN ('completed', "
    "'busy', 'failed', 'no-answer', 'canceled') THEN calls.call_status "
    "ELSE excluded.call_status END, "
    "call_duration_s = COALESCE(excluded.call_duration_s, calls.call_duration_s), "
    "updated_at_us = excluded.updated_at_us";

} // namespace

Result<CallLog> SqliteStore::save_call_details(const CallSid& call, const CallDetails& details,
                                               TimePoint now) {
    const auto what = fmt::format("saving the details of {}", call.str());
    return run<CallLog>(true, what, [&] {
        Statement save(*m_connection, std::string(k_save_call_details));
        save.bind(call, details.from, details.to, details.direction, details.call_status,
                  details.duration_s, now);
        save.run();
        return written_call(*m_connection, call);
    });
}

Result<bool> SqliteStore::save_realtime_labels(const CallSid& call, const RealtimeLabels& labels,
                                               TimePoint now) {
    const auto what = fmt::format("saving the transcription labels of {}", call.str());
    return run<bool>(true, what, [&] {
        Statement(*m_connection, std::string(k_insert_call_if_new)).bind(call, now).run();
        Statement save(*m_connection, std::string(k_save_realtime_labels));
        save.bind(call, labels.session, labels.inbound, labels.outbound, now);
        save.run();
        return m_connection->changes() == 1;
    });
}

Result<bool> SqliteStore::add_realtime_utterance(const CallSid& call,
                                                 const RealtimeUtterance& utterance,
                                                 TimePoint now) {
    const auto what = fmt::format("saving an utterance of {}", call.str());
    return run<bool>(true, what, [&] {
        Statement(*m_connection, std::string(k_insert_call_if_new)).bind(call, now).run();
        Statement insert(*m_connection, std::string(k_add_realtime_utterance));
        insert.bind(call, utterance.session, utterance.sequence, utterance.track, utterance.text,
                    now);
        insert.run();
        return m_connection->changes() == 1;
    });
}

Result<std::vector<RealtimeUtterance>> SqliteStore::realtime_utterances(const CallSid& call) {
    const auto what = fmt::format("reading the utterances of {}", call.str());
    return run<std::vector<RealtimeUtterance>>(false, what, [&] {
        Statement select(*m_connection, std::string(k_select_realtime_utterances));
        select.bind(call);
        std::vector<RealtimeUtterance> utterances;
        while (select.step())
            utterances.push_back(read_realtime_utterance(select));
        return utterances;
    });
}

Result<std::vector<RealtimeLabels>> SqliteStore::realtime_labels(const CallSid& call) {
    const auto what = fmt::format("reading the transcription labels of {}", call.str());
    return run<std::vector<RealtimeLabels>>(false, what, [&] {
        Statement select(*m_connection, std::string(k_select_realtime_labels));
        select.bind(call);
        std::vector<RealtimeLabels> labels;
        while (select.step())
            labels.push_back(read_realtime_labels(select));
        return labels;
    });
}

} // namespace callscribe::store::sqlite
