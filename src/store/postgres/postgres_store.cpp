#include "store/postgres/postgres_store.hpp"

#include "core/log.hpp"
#include "net/http_client.hpp"
#include "store/postgres/connection_pool.hpp"
#include "store/postgres/due_job_listener.hpp"
#include "store/postgres/postgres_store_run.hpp"
#include "store/records.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <variant>

namespace callscribe::store::postgres {

namespace {

void notify_due(Connection& db, Lane lane) {
    db.exec("SELECT pg_notify($1, $2)", Params(k_jobs_channel, to_string(lane)));
}

std::optional<Job> job_of(Connection& db, const CallSid& call) {
    const Rows rows =
        db.exec(fmt::format("SELECT {} FROM jobs WHERE kind = 'offline_stt' AND call_sid = $1",
                            k_job_columns),
                Params(call));
    if (rows.empty()) return std::nullopt;
    return read_job(rows[0]);
}

// Saves a held job's progress in `state`, releasing the lease, and only then (when
// `job.lease_owner` still holds it) writes `call`, adds `webhook` and sends NOTIFY when
// `notify`: one statement, data-modifying CTEs on the held row, so one round trip and its own
// transaction. False when the lease was lost: the job is not running, another owner took it
// over, or it was restarted (a new generation) since it was claimed; nothing is written then.
bool save_held_job(Connection& db, const Job& job, JobState state, TimePoint now,
                   const CallUpdate& call, const std::optional<WebhookDelivery>& webhook,
                   bool notify) {
    Params params(to_string(state), to_string(job.step), to_string(job.lane), job.recording_sid,
                  job.media_url, job.ready_attempts, job.transient_attempts, job.format_index,
                  job.run_at, now, job.id, job.call_sid, job.lease_owner, job.generation,
                  job.recording_path);
    std::string sql =
        "WITH held AS (UPDATE jobs SET state = $1, step = $2, lane = $3, recording_sid = $4, "
        "media_url = $5, ready_attempts = $6, transient_attempts = $7, format_index = $8, "
        "run_at_us = $9, lease_owner = '', lease_expires_us = 0, updated_at_us = $10, "
        "recording_path = $15 "
        "WHERE id = $11 AND call_sid = $12 AND state = 'running' AND lease_owner = $13 "
        "AND generation = $14 RETURNING call_sid)";
    const auto next = [&params] { return params.size() + 1; };

    const auto columns = call_update_columns(call, now);
    sql += ", call_row AS (UPDATE calls SET ";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        sql += fmt::format("{}{} = ${}", i == 0 ? "" : ", ", columns[i].first, next());
        std::visit([&](const auto& v) { params.add(v); }, columns[i].second);
    }
    sql += " WHERE call_sid IN (SELECT call_sid FROM held))";

    if (webhook) {
        // The id is the delivery's identity: a second insert under it keeps the first. Types are
        // spelled out: parameters in a SELECT list have none to take from the columns.
        const auto first = next();
        sql += fmt::format(
            ", hook AS (INSERT INTO webhooks (id, call_sid, payload, state, attempts, "
            "next_attempt_at_us, last_status, last_error, created_at_us, delivered_at_us) "
            "SELECT ${}::text, ${}::text, ${}::text, ${}::text, ${}::integer, ${}::bigint, "
            "${}::integer, ${}::text, ${}::bigint, ${}::bigint FROM held "
            "ON CONFLICT (id) DO NOTHING)",
            first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6, first + 7,
            first + 8, first + 9);
        params.add(webhook->id);
        params.add(webhook->call_sid);
        params.add(webhook->payload);
        params.add(to_string(webhook->state));
        params.add(webhook->attempts);
        params.add(webhook->next_attempt_at);
        params.add(webhook->last_status);
        params.add(webhook->last_error);
        params.add(webhook->created_at);
        params.add(webhook->delivered_at);
    }
    if (notify) {
        sql += fmt::format(", told AS (SELECT pg_notify(${}, ${}) FROM held)", next(), next() + 1);
        params.add(k_jobs_channel);
        params.add(to_string(job.lane));
    }
    // A CTE that nothing reads is not run unless it modifies data: read `told`.
    sql += notify ? " SELECT (SELECT count(*) FROM held), (SELECT count(*) FROM told)"
                  : " SELECT count(*) FROM held";
    const Rows saved = db.exec(sql, params);
    return !saved.empty() && saved[0].int_at(0) == 1;
}

// Leases the job that `pick` (a SELECT id … FOR UPDATE SKIP LOCKED whose parameters start at
// $4) finds to `owner` ($1) until $2, at $3.
std::optional<Job> take_job(Connection& db, std::string_view pick, Params params) {
    const Rows taken = db.exec(fmt::format("UPDATE jobs SET state = 'running', lease_owner = $1, "
                                           "lease_expires_us = $2, updated_at_us = $3 "
                                           "WHERE id = ({}) RETURNING {}",
                                           pick, k_job_columns),
                               params);
    if (taken.empty()) return std::nullopt;
    return read_job(taken[0]);
}

std::optional<TimePoint> single_time(const Rows& rows) {
    if (rows.empty() || rows[0].is_null(0)) return std::nullopt;
    return rows[0].time_at(0);
}

TimePoint plus(TimePoint now, Seconds lease) {
    return now + std::chrono::duration_cast<TimePoint::duration>(lease);
}

} // namespace

PostgresStore::PostgresStore(std::string url, std::unique_ptr<ConnectionPool> pool)
    : m_url(std::move(url)), m_shown_url(net::redact_url(m_url)), m_pool(std::move(pool)) {}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                           const PostgresOptions& options) {
    const std::string shown = net::redact_url(url);
    std::string what = "connecting";
    try {
        auto pool = std::make_unique<ConnectionPool>(url, options.pool_size, options.pool_wait);
        {
            auto lease = pool->borrow();
            what = "applying schema migrations";
            migrate(*lease, options.migrations);
        }
        return std::unique_ptr<PostgresStore>(new PostgresStore(url, std::move(pool)));
    } catch (const DbError& e) {
        return Error{fmt::format("database {}: {} while {}", shown, e.what(), what), e.retryable()};
    } catch (const std::exception& e) {
        return Error{fmt::format("database {}: {} while {}", shown, e.what(), what), false};
    }
}

std::unique_ptr<DueJobListener> PostgresStore::listen_for_due_jobs(std::function<void()> on_due) {
    return std::make_unique<PostgresDueJobListener>(m_url, m_shown_url, std::move(on_due));
}

Error PostgresStore::error(std::string_view what, std::string_view message, bool retryable) const {
    return Error{fmt::format("database {}: {} while {}", m_shown_url, message, what), retryable};
}

// --- call log -------------------------------------------------------------------------------

Result<std::optional<CallLog>> PostgresStore::find_call(const CallSid& call) {
    return run<std::optional<CallLog>>(
        false, fmt::format("reading call {}", call.str()),
        [&](Connection& db) -> std::optional<CallLog> {
            const Rows rows =
                db.exec(fmt::format("SELECT {} FROM calls WHERE call_sid = $1", k_call_columns),
                        Params(call));
            if (rows.empty()) return std::nullopt;
            return read_call(rows[0]);
        });
}

Result<CallLog> PostgresStore::save_realtime_transcript(const CallSid& call, std::string_view text,
                                                        TimePoint now, RealtimeSource source) {
    const auto what = fmt::format("saving the realtime transcript of {}", call.str());
    return run<CallLog>(true, what, [&](Connection& db) {
        // A transcript callscribe heard (Twilio's Real-Time Transcription, or a media stream)
        // never replaces one posted to the API: then nothing is updated and the row is read as
        // it is.
        db.exec(
            "INSERT INTO calls (call_sid, status, realtime_transcript, realtime_source, "
            "created_at_us, updated_at_us) VALUES ($1, 'waiting_for_recording', $2, $4, $3, $3) "
            "ON CONFLICT (call_sid) DO UPDATE SET "
            "realtime_transcript = excluded.realtime_transcript, "
            "realtime_source = excluded.realtime_source, updated_at_us = excluded.updated_at_us "
            "WHERE NOT (calls.realtime_source = 'api' AND excluded.realtime_source <> 'api')",
            Params(call, text, now, to_string(source)));
        const Rows saved = db.exec(
            fmt::format("SELECT {} FROM calls WHERE call_sid = $1", k_call_columns), Params(call));
        CALLSCRIBE_ASSERT(saved.size() == 1); // written just above
        return read_call(saved[0]);
    });
}

Result<CallLog> PostgresStore::save_call_details(const CallSid& call, const CallDetails& details,
                                                 TimePoint now) {
    const auto what = fmt::format("saving the details of {}", call.str());
    return run<CallLog>(true, what, [&](Connection& db) {
        // A member the callback did not carry keeps its value; a final call status stays.
        db.exec("INSERT INTO calls (call_sid, status, from_number, to_number, direction, "
                "call_status, call_duration_s, created_at_us, updated_at_us) "
                "VALUES ($1, 'waiting_for_recording', $2, $3, $4, $5, $6, $7, $7) "
                "ON CONFLICT (call_sid) DO UPDATE SET "
                "from_number = COALESCE(NULLIF(excluded.from_number, ''), calls.from_number), "
                "to_number = COALESCE(NULLIF(excluded.to_number, ''), calls.to_number), "
                "direction = COALESCE(NULLIF(excluded.direction, ''), calls.direction), "
                "call_status = CASE WHEN excluded.call_status = '' OR calls.call_status IN "
                "('completed', 'busy', 'failed', 'no-answer', 'canceled') THEN calls.call_status "
                "ELSE excluded.call_status END, "
                "call_duration_s = COALESCE(excluded.call_duration_s, calls.call_duration_s), "
                "updated_at_us = excluded.updated_at_us",
                Params(call, details.from, details.to, details.direction, details.call_status,
                       details.duration_s, now));
        const Rows saved = db.exec(
            fmt::format("SELECT {} FROM calls WHERE call_sid = $1", k_call_columns), Params(call));
        CALLSCRIBE_ASSERT(saved.size() == 1); // written just above
        return read_call(saved[0]);
    });
}

namespace {

void insert_call_if_new(Connection& db, const CallSid& call, TimePoint now) {
    db.exec("INSERT INTO calls (call_sid, status, created_at_us, updated_at_us) "
            "VALUES ($1, 'waiting_for_recording', $2, $2) ON CONFLICT (call_sid) DO NOTHING",
            Params(call, now));
}

} // namespace

Result<bool> PostgresStore::save_realtime_labels(const CallSid& call, const RealtimeLabels& labels,
                                                 TimePoint now) {
    const auto what = fmt::format("saving the transcription labels of {}", call.str());
    return run<bool>(true, what, [&](Connection& db) {
        insert_call_if_new(db, call, now);
        const Rows saved = db.exec(
            "INSERT INTO realtime_sessions (call_sid, session, inbound_label, outbound_label, "
            "created_at_us) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (call_sid, session) DO NOTHING",
            Params(call, labels.session, labels.inbound, labels.outbound, now));
        return saved.changed() == 1;
    });
}

Result<bool> PostgresStore::add_realtime_utterance(const CallSid& call,
                                                   const RealtimeUtterance& utterance,
                                                   TimePoint now) {
    const auto what = fmt::format("saving an utterance of {}", call.str());
    return run<bool>(true, what, [&](Connection& db) {
        insert_call_if_new(db, call, now);
        const Rows added =
            db.exec("INSERT INTO realtime_utterances (call_sid, session, sequence, track, text, "
                    "created_at_us) VALUES ($1, $2, $3, $4, $5, $6) "
                    "ON CONFLICT (call_sid, session, sequence) DO NOTHING",
                    Params(call, utterance.session, utterance.sequence, utterance.track,
                           utterance.text, now));
        return added.changed() == 1;
    });
}

Result<std::vector<RealtimeUtterance>> PostgresStore::realtime_utterances(const CallSid& call) {
    const auto what = fmt::format("reading the utterances of {}", call.str());
    return run<std::vector<RealtimeUtterance>>(false, what, [&](Connection& db) {
        const Rows rows =
            db.exec("SELECT session, sequence, track, text FROM realtime_utterances "
                    "WHERE call_sid = $1 ORDER BY MIN(created_at_us) OVER (PARTITION BY "
                    "session), session, sequence",
                    Params(call));
        std::vector<RealtimeUtterance> utterances;
        for (int i = 0; i < rows.size(); ++i)
            utterances.push_back(read_realtime_utterance(rows[i]));
        return utterances;
    });
}

Result<std::vector<RealtimeLabels>> PostgresStore::realtime_labels(const CallSid& call) {
    const auto what = fmt::format("reading the transcription labels of {}", call.str());
    return run<std::vector<RealtimeLabels>>(false, what, [&](Connection& db) {
        const Rows rows =
            db.exec("SELECT session, inbound_label, outbound_label "
                    "FROM realtime_sessions WHERE call_sid = $1 ORDER BY created_at_us, "
                    "session",
                    Params(call));
        std::vector<RealtimeLabels> labels;
        for (int i = 0; i < rows.size(); ++i)
            labels.push_back(read_realtime_labels(rows[i]));
        return labels;
    });
}

// --- jobs -----------------------------------------------------------------------------------

Result<EnqueueResult>
PostgresStore::enqueue_offline_stt(const CallSid& call,
                                   const std::optional<RecordingSid>& recording, TimePoint now) {
    const auto what = fmt::format("enqueueing the job of {}", call.str());
    return run<EnqueueResult>(true, what, [&](Connection& db) {
        db.exec("INSERT INTO calls (call_sid, status, recording_sid, created_at_us, "
                "updated_at_us) VALUES ($1, 'waiting_for_recording', $2, $3, $3) "
                "ON CONFLICT (call_sid) DO NOTHING",
                Params(call, recording, now));
        if (recording) {
            // A call that existed before (a realtime transcript, say) learns its recording.
            db.exec("UPDATE calls SET recording_sid = $1, updated_at_us = $2 "
                    "WHERE call_sid = $3 AND recording_sid IS NULL",
                    Params(*recording, now, call));
        }
        // A racing enqueue of the same call waits here for the other's commit, then finds its
        // job: one job per call.
        const Rows inserted = db.exec(
            fmt::format("INSERT INTO jobs (kind, call_sid, state, step, lane, recording_sid, "
                        "run_at_us, created_at_us, updated_at_us) "
                        "VALUES ('offline_stt', $1, 'queued', 'resolve', 'io', $2, $3, $3, $3) "
                        "ON CONFLICT (kind, call_sid) DO NOTHING RETURNING {}",
                        k_job_columns),
            Params(call, recording, now));
        if (!inserted.empty()) {
            notify_due(db, Lane::io);
            return EnqueueResult{.job = read_job(inserted[0]), .created = true};
        }
        bool hurried = false;
        if (recording) {
            db.exec("UPDATE jobs SET recording_sid = $1, updated_at_us = $2 "
                    "WHERE kind = 'offline_stt' AND call_sid = $3 AND recording_sid IS NULL",
                    Params(*recording, now, call));
            const Rows hurry =
                db.exec("UPDATE jobs SET run_at_us = $1, updated_at_us = $1 "
                        "WHERE kind = 'offline_stt' AND call_sid = $2 AND state = 'queued' AND "
                        "step IN ('resolve', 'download') AND run_at_us > $1 RETURNING lane",
                        Params(now, call));
            hurried = !hurry.empty();
            if (hurried) notify_due(db, Lane::io);
        }
        auto existing = job_of(db, call);
        CALLSCRIBE_ASSERT(existing); // the insert found it
        return EnqueueResult{.job = std::move(*existing), .created = false, .hurried = hurried};
    });
}

Result<std::optional<Job>> PostgresStore::restart_job(const CallSid& call, JobStep from,
                                                      TimePoint now) {
    const auto what = fmt::format("restarting the job of {}", call.str());
    return run<std::optional<Job>>(true, what, [&](Connection& db) -> std::optional<Job> {
        const bool transcribe = from == JobStep::transcribe;
        const Lane lane = transcribe ? Lane::cpu : Lane::io;
        const Rows updated =
            db.exec(fmt::format("UPDATE jobs SET state = 'queued', step = $1, lane = $2, "
                                "ready_attempts = 0, transient_attempts = 0, format_index = 0, "
                                "generation = generation + 1, run_at_us = $3, lease_owner = '', "
                                "lease_expires_us = 0, updated_at_us = $3 "
                                "WHERE kind = 'offline_stt' AND call_sid = $4 RETURNING {}",
                                k_job_columns),
                    Params(to_string(from), to_string(lane), now, call));
        if (updated.empty()) return std::nullopt;
        const auto status =
            transcribe ? CallStatus::transcribing : CallStatus::waiting_for_recording;
        db.exec("UPDATE calls SET status = $1, last_error = '', transcript_source = NULL, "
                "updated_at_us = $2 WHERE call_sid = $3",
                Params(to_string(status), now, call));
        notify_due(db, lane);
        return read_job(updated[0]);
    });
}

Result<std::optional<Job>> PostgresStore::find_job(const CallSid& call) {
    return run<std::optional<Job>>(false, fmt::format("reading the job of {}", call.str()),
                                   [&](Connection& db) { return job_of(db, call); });
}

Result<std::optional<Job>> PostgresStore::claim_job(Lane lane, std::string_view owner,
                                                    TimePoint now, Seconds lease) {
    CALLSCRIBE_ASSERT(!owner.empty()); // an empty owner is how a released job reads
    const auto what = fmt::format("claiming a job of lane {} for {}", to_string(lane), owner);
    return run<std::optional<Job>>(false, what, [&](Connection& db) {
        // One ordered index scan per kind of due job, each stopping at its first row that no one
        // else has locked: an OR over both would read every entry of the partial index, and a
        // queue's index holds many of rows that moved on and await vacuum.
        return take_job(db,
                        "SELECT id FROM ("
                        "  SELECT * FROM (SELECT id, run_at_us FROM jobs WHERE lane = $4 "
                        "    AND state = 'queued' AND run_at_us <= $3 "
                        "    ORDER BY run_at_us, id LIMIT 1 FOR UPDATE SKIP LOCKED) queued "
                        "  UNION ALL "
                        "  SELECT * FROM (SELECT id, run_at_us FROM jobs WHERE lane = $4 "
                        "    AND state = 'running' AND lease_expires_us <= $3 "
                        "    ORDER BY run_at_us, id LIMIT 1 FOR UPDATE SKIP LOCKED) expired"
                        ") due ORDER BY run_at_us, id LIMIT 1",
                        Params(owner, plus(now, lease), now, to_string(lane)));
    });
}

Result<std::optional<Job>> PostgresStore::claim_call_job(const CallSid& call,
                                                         std::string_view owner, TimePoint now,
                                                         Seconds lease) {
    CALLSCRIBE_ASSERT(!owner.empty());
    const auto what = fmt::format("claiming the job of {} for {}", call.str(), owner);
    return run<std::optional<Job>>(false, what, [&](Connection& db) {
        return take_job(db,
                        "SELECT id FROM jobs WHERE kind = 'offline_stt' AND call_sid = $4 AND "
                        "((state = 'queued' AND run_at_us <= $3) OR "
                        " (state = 'running' AND lease_expires_us <= $3)) "
                        "FOR UPDATE SKIP LOCKED",
                        Params(owner, plus(now, lease), now, call));
    });
}

Result<bool> PostgresStore::renew_job_lease(const Job& job, TimePoint expires) {
    const auto what = fmt::format("renewing the lease on the job of {}", job.call_sid.str());
    return run<bool>(false, what, [&](Connection& db) {
        const Rows updated =
            db.exec("UPDATE jobs SET lease_expires_us = $1 WHERE id = $2 AND call_sid = $3 "
                    "AND state = 'running' AND lease_owner = $4 AND generation = $5",
                    Params(expires, job.id, job.call_sid, job.lease_owner, job.generation));
        return updated.changed() == 1;
    });
}

Result<bool> PostgresStore::save_job(const Job& job, const CallUpdate& call, TimePoint now) {
    return run<bool>(
        false, fmt::format("saving the job of {}", job.call_sid.str()), [&](Connection& db) {
            return save_held_job(db, job, JobState::queued, now, call, std::nullopt, true);
        });
}

Result<bool> PostgresStore::finish_job(const Job& job, const CallUpdate& call,
                                       const std::optional<WebhookDelivery>& webhook,
                                       TimePoint now) {
    CALLSCRIBE_ASSERT(job.state == JobState::done || job.state == JobState::failed);
    CALLSCRIBE_ASSERT(!webhook || !webhook->id.empty());
    return run<bool>(false, fmt::format("finishing the job of {}", job.call_sid.str()),
                     [&](Connection& db) {
                         return save_held_job(db, job, job.state, now, call, webhook, false);
                     });
}

Result<std::optional<TimePoint>> PostgresStore::next_job_due(Lane lane) {
    const auto what = fmt::format("finding when a job of lane {} is due", to_string(lane));
    return run<std::optional<TimePoint>>(false, what, [&](Connection& db) {
        return single_time(db.exec(
            "SELECT LEAST("
            "  (SELECT MIN(run_at_us) FROM jobs WHERE lane = $1 AND state = 'queued'), "
            "  (SELECT MIN(lease_expires_us) FROM jobs WHERE lane = $1 AND state = 'running'))",
            Params(to_string(lane))));
    });
}

Result<JobCounts> PostgresStore::count_jobs() {
    return run<JobCounts>(false, "counting jobs", [&](Connection& db) {
        const Rows rows = db.exec("SELECT state, COUNT(*) FROM jobs GROUP BY state");
        JobCounts counts;
        for (int i = 0; i < rows.size(); ++i) {
            const auto state = parse_job_state(rows[i].text_at(0));
            if (!state) throw CorruptValue("jobs", "state", rows[i].text_at(0));
            set_count(counts, *state, rows[i].int64_at(1));
        }
        return counts;
    });
}

// --- webhook outbox -------------------------------------------------------------------------

// A pending delivery is held while its lease_owner is set; it is due when it is not held and
// its next attempt has come, or when its holder's lease has expired.

Result<std::optional<WebhookDelivery>> PostgresStore::claim_webhook(std::string_view owner,
                                                                    TimePoint now, Seconds lease) {
    CALLSCRIBE_ASSERT(!owner.empty());
    const auto what = fmt::format("claiming a webhook delivery for {}", owner);
    return run<std::optional<WebhookDelivery>>(
        false, what, [&](Connection& db) -> std::optional<WebhookDelivery> {
            const Rows taken = db.exec(
                fmt::format("UPDATE webhooks SET lease_owner = $1, lease_expires_us = $2 "
                            "WHERE id = (SELECT id FROM ("
                            "  SELECT * FROM (SELECT id, next_attempt_at_us FROM webhooks "
                            "    WHERE state = 'pending' AND lease_owner = '' "
                            "    AND next_attempt_at_us <= $3 ORDER BY next_attempt_at_us, id "
                            "    LIMIT 1 FOR UPDATE SKIP LOCKED) free "
                            "  UNION ALL "
                            "  SELECT * FROM (SELECT id, next_attempt_at_us FROM webhooks "
                            "    WHERE state = 'pending' AND lease_owner <> '' "
                            "    AND lease_expires_us <= $3 ORDER BY next_attempt_at_us, id "
                            "    LIMIT 1 FOR UPDATE SKIP LOCKED) expired"
                            ") due ORDER BY next_attempt_at_us, id LIMIT 1) "
                            "RETURNING {}",
                            k_webhook_columns),
                Params(owner, plus(now, lease), now));
            if (taken.empty()) return std::nullopt;
            return read_webhook(taken[0]);
        });
}

Result<bool> PostgresStore::save_webhook(const WebhookDelivery& delivery) {
    return run<bool>(
        false, fmt::format("saving webhook delivery {}", delivery.id), [&](Connection& db) {
            // Only a pending delivery can be held, so a delivered (or failed) one never changes.
            const Rows updated = db.exec(
                "UPDATE webhooks SET state = $1, attempts = $2, next_attempt_at_us = $3, "
                "last_status = $4, last_error = $5, delivered_at_us = $6, lease_owner = '', "
                "lease_expires_us = 0 "
                "WHERE id = $7 AND state = 'pending' AND lease_owner = $8 AND lease_owner <> ''",
                Params(to_string(delivery.state), delivery.attempts, delivery.next_attempt_at,
                       delivery.last_status, delivery.last_error, delivery.delivered_at,
                       delivery.id, delivery.lease_owner));
            return updated.changed() == 1;
        });
}

Result<std::optional<TimePoint>> PostgresStore::next_webhook_due() {
    return run<std::optional<TimePoint>>(
        false, "finding when a webhook delivery is due", [&](Connection& db) {
            return single_time(db.exec("SELECT LEAST("
                                       "  (SELECT MIN(next_attempt_at_us) FROM webhooks "
                                       "    WHERE state = 'pending' AND lease_owner = ''), "
                                       "  (SELECT MIN(lease_expires_us) FROM webhooks "
                                       "    WHERE state = 'pending' AND lease_owner <> ''))"));
        });
}

Result<std::vector<WebhookDelivery>> PostgresStore::find_webhooks(const CallSid& call) {
    const auto what = fmt::format("reading the webhook deliveries of {}", call.str());
    return run<std::vector<WebhookDelivery>>(false, what, [&](Connection& db) {
        const Rows rows = db.exec(fmt::format("SELECT {} FROM webhooks WHERE call_sid = $1 "
                                              "ORDER BY created_at_us, id",
                                              k_webhook_columns),
                                  Params(call));
        std::vector<WebhookDelivery> deliveries;
        for (int i = 0; i < rows.size(); ++i) {
            deliveries.push_back(read_webhook(rows[i]));
        }
        return deliveries;
    });
}

} // namespace callscribe::store::postgres
