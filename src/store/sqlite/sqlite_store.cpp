#include "store/sqlite/sqlite_store.hpp"

#include "store/records.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <limits>
#include <system_error>
#include <utility>
#include <variant>

namespace callscribe::store::sqlite {

namespace {

// UPDATE calls with the members of `update` that hold a value, and updated_at.
void update_call(Connection& db, const CallSid& call, const CallUpdate& update, TimePoint now) {
    const auto columns = call_update_columns(update, now);
    std::string sql = "UPDATE calls SET ";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        sql += fmt::format("{}{} = ?{}", i == 0 ? "" : ", ", columns[i].first, i + 1);
    }
    sql += fmt::format(" WHERE call_sid = ?{}", columns.size() + 1);
    Statement statement(db, sql);
    int index = 0;
    for (const auto& [column, value] : columns) {
        ++index;
        std::visit([&](const auto& v) { statement.bind_at(index, v); }, value);
    }
    statement.bind_at(index + 1, call);
    statement.run();
}

std::optional<Job> job_of(Connection& db, const CallSid& call) {
    Statement select(db, fmt::format("SELECT {} FROM jobs WHERE kind = 'offline_stt' AND "
                                     "call_sid = ?1",
                                     k_job_columns));
    select.bind(call);
    if (!select.step()) return std::nullopt;
    return read_job(select);
}

// Saves a held job's progress in `state`, releasing the lease. False when `job.lease_owner`
// no longer holds it: the job is not running, another owner took it over, or it was restarted
// (a new generation) since it was claimed.
bool save_held_job(Connection& db, const Job& job, JobState state, TimePoint now) {
    Statement update(db, "UPDATE jobs SET state = ?1, step = ?2, lane = ?3, recording_sid = ?4, "
                         "media_url = ?5, ready_attempts = ?6, transient_attempts = ?7, "
                         "format_index = ?8, run_at_us = ?9, lease_owner = '', "
                         "lease_expires_us = 0, updated_at_us = ?10, recording_path = ?15 "
                         "WHERE id = ?11 AND call_sid = ?12 AND state = 'running' "
                         "AND lease_owner = ?13 AND generation = ?14");
    update.bind(to_string(state), to_string(job.step), to_string(job.lane), job.recording_sid,
                job.media_url, job.ready_attempts, job.transient_attempts, job.format_index,
                job.run_at, now, job.id, job.call_sid, job.lease_owner, job.generation,
                job.recording_path);
    update.run();
    return db.changes() == 1;
}

std::optional<TimePoint> single_time(Statement& select) {
    if (!select.step() || select.is_null(0)) return std::nullopt;
    return select.time_at(0);
}

TimePoint plus(TimePoint now, Seconds lease) {
    return now + std::chrono::duration_cast<TimePoint::duration>(lease);
}

// PRAGMA quick_check: every page of every table and index read once (not the slower
// cross-checks of integrity_check), so a damaged file stops the start instead of failing
// every later request. Throws DbError naming the first problem.
void check_integrity(Connection& db) {
    Statement check(db, "PRAGMA quick_check(1)");
    std::string result = check.step() ? check.text_at(0) : std::string("no answer");
    if (result == "ok") return;
    // "*** in database main ***\nTree 3 page 3 cell 0: …": one line for the log.
    constexpr std::string_view k_banner = "*** in database main ***\n";
    if (result.starts_with(k_banner)) result.erase(0, k_banner.size());
    std::replace(result.begin(), result.end(), '\n', ' ');
    if (result.size() > 200) result = result.substr(0, 200) + "…";
    throw DbError(fmt::format("the file is damaged ({}); restore it from a backup", result), false,
                  true);
}

} // namespace

SqliteStore::SqliteStore(std::filesystem::path file, std::unique_ptr<Connection> connection)
    : m_file(std::move(file)), m_connection(std::move(connection)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& file,
                                                       const SqliteOptions& options) {
    auto failure = [&](std::string_view message, std::string_view what, bool retryable) {
        return Error{fmt::format("database {}: {} while {}", file.string(), message, what),
                     retryable};
    };
    const auto folder = file.parent_path();
    std::string what = "opening";
    try {
        // A missing folder is a mistyped path far more often than a wish for a new folder.
        // (One that cannot be looked into is left to SQLite, which says so.)
        std::error_code ec;
        const auto type = folder.empty() ? std::filesystem::file_type::directory
                                         : std::filesystem::status(folder, ec).type();
        if (type == std::filesystem::file_type::not_found)
            return failure(fmt::format("the folder {} does not exist", folder.string()), "opening",
                           false);
        if (!ec && type != std::filesystem::file_type::directory)
            return failure(fmt::format("{} is not a folder", folder.string()), "opening", false);
        auto connection = std::make_unique<Connection>(file, options.busy_timeout);
        what = "checking its integrity";
        check_integrity(*connection);
        what = "applying schema migrations";
        migrate(*connection, options.migrations);
        return std::unique_ptr<SqliteStore>(new SqliteStore(file, std::move(connection)));
    } catch (const DbError& e) {
        return failure(e.what(), what, e.retryable());
    } catch (const std::exception& e) {
        return failure(e.what(), what, false);
    }
}

Error SqliteStore::error(std::string_view what, std::string_view message, bool retryable) const {
    return Error{fmt::format("database {}: {} while {}", m_file.string(), message, what),
                 retryable};
}

std::optional<std::string> SqliteStore::damaged() const {
    std::lock_guard lock(m_damage_mutex);
    if (m_damage.empty()) return std::nullopt;
    return fmt::format("database {}: {}", m_file.string(), m_damage);
}

// --- call log -------------------------------------------------------------------------------

namespace {

// A realtime transcript that callscribe heard (Twilio's Real-Time Transcription, or its own from
// a media stream) never replaces one posted to the API (?4 is the new source).
constexpr std::string_view k_save_realtime_transcript =
    "INSERT INTO calls (call_sid, status, realtime_transcript, realtime_source, created_at_us, "
    "updated_at_us) VALUES (?1, 'waiting_for_recording', ?2, ?4, ?3, ?3) "
    "ON CONFLICT (call_sid) DO UPDATE SET realtime_transcript = excluded.realtime_transcript, "
    "realtime_source = excluded.realtime_source, updated_at_us = excluded.updated_at_us "
    "WHERE NOT (calls.realtime_source = 'api' AND excluded.realtime_source <> 'api')";
} // namespace

Result<std::optional<CallLog>> SqliteStore::find_call(const CallSid& call) {
    return run<std::optional<CallLog>>(
        false, fmt::format("reading call {}", call.str()), [&]() -> std::optional<CallLog> {
            Statement select(*m_connection, fmt::format("SELECT {} FROM calls WHERE call_sid = ?1",
                                                        k_call_columns));
            select.bind(call);
            if (!select.step()) return std::nullopt;
            return read_call(select);
        });
}

Result<CallLog> SqliteStore::save_realtime_transcript(const CallSid& call, std::string_view text,
                                                      TimePoint now, RealtimeSource source) {
    return run<CallLog>(true, fmt::format("saving the realtime transcript of {}", call.str()), [&] {
        Statement upsert(*m_connection, std::string(k_save_realtime_transcript));
        upsert.bind(call, text, now, to_string(source));
        upsert.run();
        return written_call(*m_connection, call);
    });
}

// --- jobs -----------------------------------------------------------------------------------

Result<EnqueueResult> SqliteStore::enqueue_offline_stt(const CallSid& call,
                                                       const std::optional<RecordingSid>& recording,
                                                       TimePoint now) {
    return run<EnqueueResult>(true, fmt::format("enqueueing the job of {}", call.str()), [&] {
        Connection& db = *m_connection;
        Statement insert_call(db, "INSERT INTO calls (call_sid, status, recording_sid, "
                                  "created_at_us, updated_at_us) "
                                  "VALUES (?1, 'waiting_for_recording', ?2, ?3, ?3) "
                                  "ON CONFLICT (call_sid) DO NOTHING");
        insert_call.bind(call, recording, now);
        insert_call.run();
        if (recording) {
            // A call that existed before (a realtime transcript, say) learns its recording.
            Statement fill(db, "UPDATE calls SET recording_sid = ?1, updated_at_us = ?2 "
                               "WHERE call_sid = ?3 AND recording_sid IS NULL");
            fill.bind(*recording, now, call);
            fill.run();
        }

        if (auto existing = job_of(db, call)) {
            if (recording && !existing->recording_sid) {
                Statement fill(db, "UPDATE jobs SET recording_sid = ?1, updated_at_us = ?2 "
                                   "WHERE id = ?3");
                fill.bind(*recording, now, existing->id);
                fill.run();
                existing = job_of(db, call);
            }
            bool hurried = false;
            if (recording) {
                Statement hurry(db, "UPDATE jobs SET run_at_us = ?1, updated_at_us = ?1 "
                                    "WHERE id = ?2 AND state = 'queued' AND "
                                    "step IN ('resolve', 'download') AND run_at_us > ?1");
                hurry.bind(now, existing->id);
                hurry.run();
                hurried = db.changes() == 1;
                if (hurried) existing = job_of(db, call);
            }
            return EnqueueResult{.job = std::move(*existing), .created = false, .hurried = hurried};
        }

        Statement insert_job(
            db, fmt::format("INSERT INTO jobs (kind, call_sid, state, step, lane, recording_sid, "
                            "run_at_us, created_at_us, updated_at_us) "
                            "VALUES ('offline_stt', ?1, 'queued', 'resolve', 'io', ?2, ?3, ?3, ?3) "
                            "RETURNING {}",
                            k_job_columns));
        insert_job.bind(call, recording, now);
        const bool returned = insert_job.step();
        CALLSCRIBE_ASSERT(returned); // RETURNING gives the row just written
        Job job = read_job(insert_job);
        insert_job.run();
        return EnqueueResult{.job = std::move(job), .created = true};
    });
}

Result<std::optional<Job>> SqliteStore::restart_job(const CallSid& call, JobStep from,
                                                    TimePoint now) {
    return run<std::optional<Job>>(
        true, fmt::format("restarting the job of {}", call.str()), [&]() -> std::optional<Job> {
            Connection& db = *m_connection;
            const bool transcribe = from == JobStep::transcribe;
            Statement update(
                db, fmt::format("UPDATE jobs SET state = 'queued', step = ?1, lane = ?2, "
                                "ready_attempts = 0, transient_attempts = 0, format_index = 0, "
                                "generation = generation + 1, run_at_us = ?3, lease_owner = '', "
                                "lease_expires_us = 0, updated_at_us = ?3 "
                                "WHERE kind = 'offline_stt' AND call_sid = ?4 RETURNING {}",
                                k_job_columns));
            update.bind(to_string(from), to_string(transcribe ? Lane::cpu : Lane::io), now, call);
            if (!update.step()) return std::nullopt;
            Job job = read_job(update);
            update.run();

            Statement reset_call(db, "UPDATE calls SET status = ?1, last_error = '', "
                                     "transcript_source = NULL, updated_at_us = ?2 "
                                     "WHERE call_sid = ?3");
            const auto status =
                transcribe ? CallStatus::transcribing : CallStatus::waiting_for_recording;
            reset_call.bind(to_string(status), now, call);
            reset_call.run();
            return job;
        });
}

Result<std::optional<Job>> SqliteStore::find_job(const CallSid& call) {
    return run<std::optional<Job>>(false, fmt::format("reading the job of {}", call.str()),
                                   [&] { return job_of(*m_connection, call); });
}

Result<std::optional<Job>> SqliteStore::claim_job(Lane lane, std::string_view owner, TimePoint now,
                                                  Seconds lease) {
    CALLSCRIBE_ASSERT(!owner.empty()); // an empty owner is how a released job reads
    const auto what = fmt::format("claiming a job of lane {} for {}", to_string(lane), owner);
    return run<std::optional<Job>>(true, what, [&]() -> std::optional<Job> {
        Connection& db = *m_connection;
        // Both halves walk the (lane, state, run_at_us) index; running jobs are few.
        Statement pick(db, "SELECT id FROM ("
                           "  SELECT * FROM (SELECT id, run_at_us FROM jobs WHERE lane = ?1 "
                           "    AND state = 'queued' AND run_at_us <= ?2 "
                           "    ORDER BY run_at_us, id LIMIT 1) "
                           "  UNION ALL "
                           "  SELECT * FROM (SELECT id, run_at_us FROM jobs WHERE lane = ?1 "
                           "    AND state = 'running' AND lease_expires_us <= ?2 "
                           "    ORDER BY run_at_us, id LIMIT 1)) "
                           "ORDER BY run_at_us, id LIMIT 1");
        pick.bind(to_string(lane), now);
        if (!pick.step()) return std::nullopt;
        return take_job(db, pick.int64_at(0), owner, now, lease);
    });
}

Result<std::optional<Job>> SqliteStore::claim_call_job(const CallSid& call, std::string_view owner,
                                                       TimePoint now, Seconds lease) {
    CALLSCRIBE_ASSERT(!owner.empty());
    const auto what = fmt::format("claiming the job of {} for {}", call.str(), owner);
    return run<std::optional<Job>>(true, what, [&]() -> std::optional<Job> {
        Connection& db = *m_connection;
        Statement pick(db, "SELECT id FROM jobs WHERE kind = 'offline_stt' AND call_sid = ?1 AND "
                           "((state = 'queued' AND run_at_us <= ?2) OR "
                           " (state = 'running' AND lease_expires_us <= ?2))");
        pick.bind(call.str(), now);
        if (!pick.step()) return std::nullopt;
        return take_job(db, pick.int64_at(0), owner, now, lease);
    });
}

Job SqliteStore::take_job(Connection& db, std::int64_t id, std::string_view owner, TimePoint now,
                          Seconds lease) {
    Statement take(db, fmt::format("UPDATE jobs SET state = 'running', lease_owner = ?1, "
                                   "lease_expires_us = ?2, updated_at_us = ?3 WHERE id = ?4 "
                                   "RETURNING {}",
                                   k_job_columns));
    take.bind(owner, plus(now, lease), now, id);
    const bool returned = take.step();
    CALLSCRIBE_ASSERT(returned); // RETURNING gives the row just written
    Job job = read_job(take);
    take.run();
    return job;
}

Result<bool> SqliteStore::renew_job_lease(const Job& job, TimePoint expires) {
    const auto what = fmt::format("renewing the lease on the job of {}", job.call_sid.str());
    return run<bool>(true, what, [&] {
        Statement update(*m_connection,
                         "UPDATE jobs SET lease_expires_us = ?1 WHERE id = ?2 AND call_sid = ?3 "
                         "AND state = 'running' AND lease_owner = ?4 AND generation = ?5");
        update.bind(expires, job.id, job.call_sid, job.lease_owner, job.generation);
        update.run();
        return m_connection->changes() == 1;
    });
}

Result<bool> SqliteStore::save_job(const Job& job, const CallUpdate& call, TimePoint now) {
    return run<bool>(true, fmt::format("saving the job of {}", job.call_sid.str()), [&] {
        if (!save_held_job(*m_connection, job, JobState::queued, now)) return false;
        update_call(*m_connection, job.call_sid, call, now);
        return true;
    });
}

Result<bool> SqliteStore::finish_job(const Job& job, const CallUpdate& call,
                                     const std::optional<WebhookDelivery>& webhook, TimePoint now) {
    CALLSCRIBE_ASSERT(job.state == JobState::done || job.state == JobState::failed);
    CALLSCRIBE_ASSERT(!webhook || !webhook->id.empty());
    return run<bool>(true, fmt::format("finishing the job of {}", job.call_sid.str()), [&] {
        Connection& db = *m_connection;
        if (!save_held_job(db, job, job.state, now)) return false;
        update_call(db, job.call_sid, call, now);
        if (webhook) {
            // The id is the delivery's identity: a second insert under it keeps the first.
            Statement insert(db,
                             "INSERT INTO webhooks (id, call_sid, payload, state, attempts, "
                             "next_attempt_at_us, last_status, last_error, created_at_us, "
                             "delivered_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                             "ON CONFLICT (id) DO NOTHING");
            insert.bind(webhook->id, webhook->call_sid, webhook->payload, to_string(webhook->state),
                        webhook->attempts, webhook->next_attempt_at, webhook->last_status,
                        webhook->last_error, webhook->created_at, webhook->delivered_at);
            insert.run();
        }
        return true;
    });
}

Result<std::optional<TimePoint>> SqliteStore::next_job_due(Lane lane) {
    const auto what = fmt::format("finding when a job of lane {} is due", to_string(lane));
    return run<std::optional<TimePoint>>(false, what, [&] {
        Statement select(*m_connection, "SELECT MIN(due) FROM ("
                                        "  SELECT MIN(run_at_us) AS due FROM jobs "
                                        "    WHERE lane = ?1 AND state = 'queued' "
                                        "  UNION ALL "
                                        "  SELECT MIN(lease_expires_us) FROM jobs "
                                        "    WHERE lane = ?1 AND state = 'running')");
        select.bind(to_string(lane));
        return single_time(select);
    });
}

Result<JobCounts> SqliteStore::count_jobs() {
    return run<JobCounts>(false, "counting jobs", [&] {
        Statement select(*m_connection, "SELECT state, COUNT(*) FROM jobs GROUP BY state");
        JobCounts counts;
        while (select.step()) {
            const auto state = parse_job_state(select.text_at(0));
            if (!state) throw CorruptValue("jobs", "state", select.text_at(0));
            set_count(counts, *state, select.int64_at(1));
        }
        return counts;
    });
}

// --- webhook outbox -------------------------------------------------------------------------

// A pending delivery is held while its lease_owner is set; it is due when it is not held and
// its next attempt has come, or when its holder's lease has expired.

Result<std::optional<WebhookDelivery>> SqliteStore::claim_webhook(std::string_view owner,
                                                                  TimePoint now, Seconds lease) {
    CALLSCRIBE_ASSERT(!owner.empty());
    const auto what = fmt::format("claiming a webhook delivery for {}", owner);
    return run<std::optional<WebhookDelivery>>(true, what, [&]() -> std::optional<WebhookDelivery> {
        Connection& db = *m_connection;
        Statement pick(db, "SELECT id FROM ("
                           "  SELECT * FROM (SELECT id, next_attempt_at_us FROM webhooks "
                           "    WHERE state = 'pending' AND next_attempt_at_us <= ?1 "
                           "    AND lease_owner = '' ORDER BY next_attempt_at_us, id LIMIT 1) "
                           "  UNION ALL "
                           "  SELECT * FROM (SELECT id, next_attempt_at_us FROM webhooks "
                           "    WHERE state = 'pending' AND lease_owner <> '' "
                           "    AND lease_expires_us <= ?1 "
                           "    ORDER BY next_attempt_at_us, id LIMIT 1)) "
                           "ORDER BY next_attempt_at_us, id LIMIT 1");
        pick.bind(now);
        if (!pick.step()) return std::nullopt;
        const std::string id = pick.text_at(0);

        Statement take(db, fmt::format("UPDATE webhooks SET lease_owner = ?1, "
                                       "lease_expires_us = ?2 WHERE id = ?3 RETURNING {}",
                                       k_webhook_columns));
        take.bind(owner, plus(now, lease), id);
        const bool returned = take.step();
        CALLSCRIBE_ASSERT(returned); // RETURNING gives the row just written
        WebhookDelivery delivery = read_webhook(take);
        take.run();
        return delivery;
    });
}

Result<bool> SqliteStore::save_webhook(const WebhookDelivery& delivery) {
    return run<bool>(true, fmt::format("saving webhook delivery {}", delivery.id), [&] {
        // Only a pending delivery can be held, so a delivered (or failed) one never changes.
        Statement update(*m_connection,
                         "UPDATE webhooks SET state = ?1, attempts = ?2, next_attempt_at_us = ?3, "
                         "last_status = ?4, last_error = ?5, delivered_at_us = ?6, "
                         "lease_owner = '', lease_expires_us = 0 "
                         "WHERE id = ?7 AND state = 'pending' AND lease_owner = ?8 "
                         "AND lease_owner <> ''");
        update.bind(to_string(delivery.state), delivery.attempts, delivery.next_attempt_at,
                    delivery.last_status, delivery.last_error, delivery.delivered_at, delivery.id,
                    delivery.lease_owner);
        update.run();
        return m_connection->changes() == 1;
    });
}

Result<std::optional<TimePoint>> SqliteStore::next_webhook_due() {
    return run<std::optional<TimePoint>>(false, "finding when a webhook delivery is due", [&] {
        Statement select(*m_connection, "SELECT MIN(due) FROM ("
                                        "  SELECT MIN(next_attempt_at_us) AS due FROM webhooks "
                                        "    WHERE state = 'pending' AND lease_owner = '' "
                                        "  UNION ALL "
                                        "  SELECT MIN(lease_expires_us) FROM webhooks "
                                        "    WHERE state = 'pending' AND lease_owner <> '')");
        return single_time(select);
    });
}

Result<std::vector<WebhookDelivery>> SqliteStore::find_webhooks(const CallSid& call) {
    const auto what = fmt::format("reading the webhook deliveries of {}", call.str());
    return run<std::vector<WebhookDelivery>>(false, what, [&] {
        Statement select(*m_connection, fmt::format("SELECT {} FROM webhooks WHERE call_sid = ?1 "
                                                    "ORDER BY created_at_us, id",
                                                    k_webhook_columns));
        select.bind(call);
        std::vector<WebhookDelivery> deliveries;
        while (select.step()) {
            deliveries.push_back(read_webhook(select));
        }
        return deliveries;
    });
}

} // namespace callscribe::store::sqlite
