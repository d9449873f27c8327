#include "store/sqlite/migrations.hpp"

#include "core/result.hpp"

#include <fmt/format.h>

namespace callscribe::store::sqlite {

namespace {

// Times are integer microseconds since the Unix epoch (columns ending in _us); 0 = not set.
constexpr std::string_view k_initial_schema = R"sql(
CREATE TABLE calls (
    call_sid              TEXT PRIMARY KEY NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('waiting_for_recording', 'downloading',
                              'transcribing', 'done', 'gave_up')),
    recording_sid         TEXT,
    recording_path        TEXT NOT NULL DEFAULT '',
    recording_bytes       INTEGER NOT NULL DEFAULT 0,
    recording_duration_s  REAL,
    recording_channels    INTEGER NOT NULL DEFAULT 0,
    realtime_transcript   TEXT NOT NULL DEFAULT '',
    final_transcript      TEXT NOT NULL DEFAULT '',
    final_transcript_json TEXT NOT NULL DEFAULT '',
    transcript_source     TEXT CHECK (transcript_source IN ('none', 'offline', 'realtime')),
    last_error            TEXT NOT NULL DEFAULT '',
    created_at_us         INTEGER NOT NULL,
    updated_at_us         INTEGER NOT NULL
);
CREATE INDEX calls_newest ON calls (created_at_us DESC, call_sid DESC);
CREATE INDEX calls_by_status_newest ON calls (status, created_at_us DESC, call_sid DESC);

CREATE TABLE jobs (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('offline_stt')),
    call_sid           TEXT NOT NULL REFERENCES calls (call_sid),
    state              TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    step               TEXT NOT NULL CHECK (step IN ('resolve', 'download', 'transcribe',
                           'finished')),
    lane               TEXT NOT NULL CHECK (lane IN ('io', 'cpu')),
    recording_sid      TEXT,
    media_url          TEXT NOT NULL DEFAULT '',
    ready_attempts     INTEGER NOT NULL DEFAULT 0,
    transient_attempts INTEGER NOT NULL DEFAULT 0,
    format_index       INTEGER NOT NULL DEFAULT 0,
    generation         INTEGER NOT NULL DEFAULT 0,
    run_at_us          INTEGER NOT NULL,
    lease_owner        TEXT NOT NULL DEFAULT '',
    lease_expires_us   INTEGER NOT NULL DEFAULT 0,
    created_at_us      INTEGER NOT NULL,
    updated_at_us      INTEGER NOT NULL,
    UNIQUE (kind, call_sid)
);
CREATE INDEX jobs_claim ON jobs (lane, state, run_at_us);

CREATE TABLE webhooks (
    id                 TEXT PRIMARY KEY NOT NULL,
    call_sid           TEXT NOT NULL REFERENCES calls (call_sid),
    payload            TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_us INTEGER NOT NULL,
    last_status        INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT NOT NULL DEFAULT '',
    lease_owner        TEXT NOT NULL DEFAULT '',
    lease_expires_us   INTEGER NOT NULL DEFAULT 0,
    created_at_us      INTEGER NOT NULL,
    delivered_at_us    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_due ON webhooks (state, next_attempt_at_us);
CREATE INDEX webhooks_by_call ON webhooks (call_sid, created_at_us);
)sql";

// The transcribe step reads the recording's path from its job rather than from the call log.
constexpr std::string_view k_job_recording_path = R"sql(
ALTER TABLE jobs ADD COLUMN recording_path TEXT NOT NULL DEFAULT '';
UPDATE jobs SET recording_path = calls.recording_path FROM calls
    WHERE calls.call_sid = jobs.call_sid;
)sql";

// Twilio's Real-Time Transcription: each final utterance as it arrives (a retried callback is
// the same key), the sessions' track labels, and where the call's realtime transcript came from.
constexpr std::string_view k_realtime_utterances = R"sql(
ALTER TABLE calls ADD COLUMN realtime_source TEXT NOT NULL DEFAULT ''
    CHECK (realtime_source IN ('', 'api', 'twilio_rtt'));
UPDATE calls SET realtime_source = 'api' WHERE realtime_transcript <> '';
CREATE TABLE realtime_utterances (
    call_sid      TEXT NOT NULL REFERENCES calls (call_sid),
    session       TEXT NOT NULL,
    sequence      BIGINT NOT NULL,
    track         TEXT NOT NULL CHECK (track IN ('inbound_track', 'outbound_track')),
    text          TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (call_sid, session, sequence)
);
CREATE TABLE realtime_sessions (
    call_sid       TEXT NOT NULL REFERENCES calls (call_sid),
    session        TEXT NOT NULL,
    inbound_label  TEXT NOT NULL DEFAULT '',
    outbound_label TEXT NOT NULL DEFAULT '',
    created_at_us  BIGINT NOT NULL,
    PRIMARY KEY (call_sid, session)
);
)sql";

// What Twilio's callbacks say about the call itself: its numbers, direction, last call status
// and length.
constexpr std::string_view k_call_details = R"sql(
ALTER TABLE calls ADD COLUMN from_number TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN to_number TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN direction TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN call_status TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN call_duration_s BIGINT;
)sql";

// Full-text search over both transcripts: an FTS5 index whose text is read from the calls table
// (no second copy), through a view that turns the snippet markers (control characters 2 and 3,
// store/snippet.hpp) into spaces so that no transcript can forge one. The index keys are
// search_id, a number of the call's own that VACUUM does not renumber, as it may the rowid of a
// table without an INTEGER PRIMARY KEY. The index on search_id holds what the search filters and
// sorts by, so that ranking the hits never reads a row (whose transcripts, before those columns,
// span overflow pages). Triggers keep the full-text index in step with every write of either
// transcript, in the writer's transaction; the last statement indexes the calls there are.
constexpr std::string_view k_transcript_search = R"sql(
ALTER TABLE calls ADD COLUMN search_id INTEGER;
UPDATE calls SET search_id = rowid;
CREATE INDEX calls_by_search_id ON calls (search_id, status, transcript_source, created_at_us,
    call_sid, from_number, to_number);
CREATE VIEW calls_search_text AS SELECT search_id,
    replace(replace(final_transcript, char(2), ' '), char(3), ' ') AS final_transcript,
    replace(replace(realtime_transcript, char(2), ' '), char(3), ' ') AS realtime_transcript
    FROM calls;
CREATE VIRTUAL TABLE calls_search USING fts5(final_transcript, realtime_transcript,
    content = 'calls_search_text', content_rowid = 'search_id',
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TRIGGER calls_search_insert AFTER INSERT ON calls BEGIN
    UPDATE calls SET search_id = (SELECT COALESCE(MAX(search_id), 0) + 1 FROM calls)
        WHERE rowid = new.rowid;
    INSERT INTO calls_search (rowid, final_transcript, realtime_transcript)
        SELECT search_id, final_transcript, realtime_transcript FROM calls_search_text
        WHERE search_id = (SELECT search_id FROM calls WHERE rowid = new.rowid);
END;
CREATE TRIGGER calls_search_update AFTER UPDATE OF final_transcript, realtime_transcript ON calls
    WHEN old.final_transcript IS NOT new.final_transcript
        OR old.realtime_transcript IS NOT new.realtime_transcript BEGIN
    INSERT INTO calls_search (calls_search, rowid, final_transcript, realtime_transcript)
        VALUES ('delete', old.search_id,
            replace(replace(old.final_transcript, char(2), ' '), char(3), ' '),
            replace(replace(old.realtime_transcript, char(2), ' '), char(3), ' '));
    INSERT INTO calls_search (rowid, final_transcript, realtime_transcript)
        SELECT search_id, final_transcript, realtime_transcript FROM calls_search_text
        WHERE search_id = new.search_id;
END;
CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
    INSERT INTO calls_search (calls_search, rowid, final_transcript, realtime_transcript)
        VALUES ('delete', old.search_id,
            replace(replace(old.final_transcript, char(2), ' '), char(3), ' '),
            replace(replace(old.realtime_transcript, char(2), ' '), char(3), ' '));
END;
INSERT INTO calls_search (calls_search) VALUES ('rebuild');
)sql";

// A realtime transcript may come from a media stream. SQLite cannot alter a CHECK constraint;
// widening one changes nothing on disk, so the table's definition is edited in place, the way
// SQLite's documentation on ALTER TABLE describes for loosening a constraint.
constexpr std::string_view k_media_stream_source = R"sql(
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
    SET sql = replace(sql, 'realtime_source IN ('''', ''api'', ''twilio_rtt'')',
                      'realtime_source IN ('''', ''api'', ''twilio_rtt'', ''media_stream'')')
    WHERE type = 'table' AND name = 'calls';
PRAGMA writable_schema = RESET;
)sql";

constexpr Migration k_migrations[] = {
    {1, "calls, offline_stt jobs, webhook outbox", k_initial_schema},
    {2, "the recording's path on its job", k_job_recording_path},
    {3, "Twilio's Real-Time Transcription utterances", k_realtime_utterances},
    {4, "the call's details from Twilio's callbacks", k_call_details},
    {5, "full-text search over the transcripts", k_transcript_search},
    {6, "realtime transcripts from media streams", k_media_stream_source},
};

int user_version(Connection& connection) {
    Statement read(connection, "PRAGMA user_version");
    return read.step() ? read.int_at(0) : 0;
}

} // namespace

std::span<const Migration> builtin_migrations() {
    return k_migrations;
}

void migrate(Connection& connection, std::span<const Migration> migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        CALLSCRIBE_ASSERT(migrations[i].version == static_cast<int>(i) + 1);
    }
    const int known = static_cast<int>(migrations.size());
    for (;;) {
        Transaction transaction(connection);
        const int current = user_version(connection);
        if (current > known) {
            throw DbError(fmt::format("schema version {} is newer than this binary knows ({}); "
                                      "run a newer callscribe",
                                      current, known),
                          false);
        }
        if (current == known) {
            transaction.commit();
            return;
        }
        const Migration& next = migrations[static_cast<std::size_t>(current)];
        try {
            connection.exec(next.sql);
            // PRAGMA takes no parameters; the version is a number this binary chose.
            connection.exec(fmt::format("PRAGMA user_version = {}", next.version));
        } catch (const DbError& e) {
            throw DbError(
                fmt::format("migration {} ({}): {}", next.version, next.description, e.what()),
                e.retryable());
        }
        transaction.commit();
    }
}

} // namespace callscribe::store::sqlite
