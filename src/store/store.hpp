#pragma once
// Port: durable state — the call log, the offline_stt jobs and the webhook outbox.
//
// Contract
// - Every mutating call is one transaction: it happens entirely or not at all. A crash leaves
//   the state of the last call that returned.
// - Time is always passed in (`now`); a Store never reads a clock, so tests control it.
// - Claims are atomic across threads AND processes: two workers never hold the same job or
//   delivery at once. A claim takes a lease (owner + expiry); a lease that expired may be taken
//   over by anyone (the holder died). Saves by a holder whose lease was taken over are refused
//   (`false`), so a slow zombie cannot overwrite newer progress. SQLite implements a claim with
//   BEGIN IMMEDIATE; PostgreSQL with SELECT … FOR UPDATE SKIP LOCKED.
// - One offline_stt job per call (unique by call): enqueueing again is a no-op that returns the
//   existing job. restart_job() is the only way to run it again (retranscribe).
// - Thread safety: a Store may be shared by all threads of a process.
// - Failure: a Result error naming the database; retryable when the database was busy or the
//   connection dropped, not retryable for a full disk, a corrupt file or a schema newer than
//   this binary.
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/sid.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::store {

// Where a call is, as an operator sees it.
enum class CallStatus { waiting_for_recording, downloading, transcribing, done, gave_up };
std::string_view to_string(CallStatus status);
std::optional<CallStatus> parse_call_status(std::string_view text);

// Which transcript the webhook carried (docs/webhook.md: offline first, realtime as a fallback).
enum class TranscriptSource { none, offline, realtime };
std::string_view to_string(TranscriptSource source);
std::optional<TranscriptSource> parse_transcript_source(std::string_view text);

// Where a call's realtime transcript came from: posted to /api/calls/{sid}/end (`api`, which
// wins), or assembled from Twilio's Real-Time Transcription callbacks (`twilio_rtt`).
enum class RealtimeSource { none, api, twilio_rtt, media_stream };
// "", "api", "twilio_rtt", "media_stream"
std::string_view to_string(RealtimeSource source);
std::optional<RealtimeSource> parse_realtime_source(std::string_view text);

// Where the audio of a call's recording on disk came from: Twilio's recording, downloaded
// ("recordings/CA….mp3"), or the call's own recording made from its media stream
// ("recordings/CA….stream.wav", live/stream_recording.hpp); none when no recording is on disk.
enum class AudioSource { none, twilio, media_stream };
std::string_view to_string(AudioSource source); // "", "twilio", "media_stream"

// What Twilio's callbacks say about the call itself; empty (or nullopt) when none said it.
struct CallDetails {
    std::string from{}; // From: "+15005550001", "client:alice", "sip:…"
    std::string to{};
    std::string direction{};   // "inbound", "outbound-api", "outbound-dial"
    std::string call_status{}; // CallStatus: the final one once heard ("completed", "busy", …)
    std::optional<std::int64_t> duration_s{}; // CallDuration, sent when the call ends
};

struct CallLog {
    CallSid call_sid;
    CallStatus status = CallStatus::waiting_for_recording;
    std::optional<RecordingSid> recording_sid{};
    std::string
        recording_path{}; // relative to the data folder: "recordings/CA….mp3"; empty = not on disk
    std::int64_t recording_bytes = 0;
    std::optional<double> recording_duration_s{};
    int recording_channels = 0; // 0 = not known yet
    std::string realtime_transcript{};
    RealtimeSource realtime_source = RealtimeSource::none; // where realtime_transcript came from
    std::string final_transcript{};                        // plain text (txt format); empty = none
    std::string final_transcript_json{}; // stt json format (segments, words); empty = none
    std::optional<TranscriptSource> transcript_source{}; // set when the webhook is decided
    std::string last_error{};
    TimePoint created_at{};
    TimePoint updated_at{};
    CallDetails details{};

    AudioSource audio_source() const;
};

// A partial update of a call: only the members that hold a value are written.
struct CallUpdate {
    std::optional<CallStatus> status{};
    std::optional<RecordingSid> recording_sid{};
    std::optional<std::string> recording_path{};
    std::optional<std::int64_t> recording_bytes{};
    std::optional<double> recording_duration_s{};
    std::optional<int> recording_channels{};
    std::optional<std::string> final_transcript{};
    std::optional<std::string> final_transcript_json{};
    std::optional<TranscriptSource> transcript_source{};
    std::optional<std::string> last_error{}; // "" clears it
};

// The one list of what a CallUpdate can change: `visit(column, update_member, log_member)` for
// each field, with its column in the calls table. apply() and the SQL adapters both walk it, so a
// new field is one line here.
template <class Visit> void for_each_call_field(Visit&& visit) {
    visit("status", &CallUpdate::status, &CallLog::status);
    visit("recording_sid", &CallUpdate::recording_sid, &CallLog::recording_sid);
    visit("recording_path", &CallUpdate::recording_path, &CallLog::recording_path);
    visit("recording_bytes", &CallUpdate::recording_bytes, &CallLog::recording_bytes);
    visit("recording_duration_s", &CallUpdate::recording_duration_s,
          &CallLog::recording_duration_s);
    visit("recording_channels", &CallUpdate::recording_channels, &CallLog::recording_channels);
    visit("final_transcript", &CallUpdate::final_transcript, &CallLog::final_transcript);
    visit("final_transcript_json", &CallUpdate::final_transcript_json,
          &CallLog::final_transcript_json);
    visit("transcript_source", &CallUpdate::transcript_source, &CallLog::transcript_source);
    visit("last_error", &CallUpdate::last_error, &CallLog::last_error);
}

// `call` as it is once `update` is saved.
void apply(CallLog& call, const CallUpdate& update);

struct CallQuery {
    std::optional<CallStatus> status{};       // only calls in this status
    std::optional<TranscriptSource> source{}; // only calls whose webhook carried this transcript
    std::optional<TimePoint> created_since{}; // only calls created at or after this time
    std::optional<TimePoint> created_until{}; // only calls created strictly before this time
    std::string number{}; // only calls whose from or to holds this text ("" = any); digits, '+'
    std::size_t limit = 50;
    // Pagination: only calls created strictly before this one (newest first order is
    // created_at DESC, call_sid DESC).
    std::optional<CallSid> before{};
};

// A full-text search over every transcript of every call: the final (offline) transcript and
// the realtime one. The words are what a user typed, in any script; a call matches when it
// holds every word (in either transcript), after the database's stemming and folding (English
// stems, diacritics ignored on SQLite). No character is an operator: quotes, `*`, `-`, `OR` or
// SQL are words like any other (or nothing, when they hold no letter or digit). Text without a
// word finds nothing. PostgreSQL indexes the first 100,000 characters of each transcript and
// leaves out English stop words ("the", "is").
struct CallSearch {
    std::string words{};
    CallQuery filter{};     // status, source, dates, number and limit; `before` is not used
    std::size_t offset = 0; // hits to skip: pages follow the rank, not the time
};

// A piece of a hit's excerpt: `match` when it is one of the words searched for.
struct SnippetPiece {
    std::string text{};
    bool match = false;
};

struct SearchHit {
    CallLog call;
    // One short excerpt (about 16 words) around the best match, from the transcript that
    // matched, in pieces; "…" marks text left out before or after it. Control characters of
    // the transcript are left out.
    std::vector<SnippetPiece> snippet{};
};

// The steps of the offline_stt job, in order. Each step's progress is saved before the next
// starts, so a restarted job resumes where it stopped (a finished download is not refetched).
enum class JobStep { resolve, download, transcribe, finished };
std::string_view to_string(JobStep step);
std::optional<JobStep> parse_job_step(std::string_view text);

// Which pool runs a job: downloads wait on the network (many at once), transcriptions use a
// core each (CALLSCRIBE_WORKERS).
enum class Lane { io, cpu };
std::string_view to_string(Lane lane);
std::optional<Lane> parse_lane(std::string_view text);

enum class JobState { queued, running, done, failed };
std::string_view to_string(JobState state);
std::optional<JobState> parse_job_state(std::string_view text);

struct Job {
    std::int64_t id = 0;
    CallSid call_sid;
    JobState state = JobState::queued;
    JobStep step = JobStep::resolve;
    Lane lane = Lane::io;
    std::optional<RecordingSid> recording_sid{}; // given by the trigger or found by resolve
    std::string media_url{};                     // extension-less media URL once resolved
    int ready_attempts = 0;       // readiness delays spent (not-ready fetches, all-404 passes)
    int transient_attempts = 0;   // consecutive transient failures (429, 5xx, network)
    int format_index = 0;         // next media URL form to try: 0 base, 1 .mp3, 2 .wav
    int generation = 0;           // bumped by restart_job (retranscribe)
    std::string recording_path{}; // where the download step saved it, relative to the data folder
    TimePoint run_at{};
    std::string lease_owner{}; // empty when not running
    TimePoint lease_expires{};
    TimePoint created_at{};
    TimePoint updated_at{};
};

struct EnqueueResult {
    Job job;
    bool created = false; // false: the call already had its job
    bool hurried = false; // the existing job waited for the recording and is due now instead
};

enum class DeliveryState { pending, delivered, failed };
std::string_view to_string(DeliveryState state);
std::optional<DeliveryState> parse_delivery_state(std::string_view text);

// One webhook in the outbox. The payload and id are fixed when it is enqueued, so every retry
// sends the same bytes under the same `webhook-id`.
struct WebhookDelivery {
    std::string id; // webhook-id, unique; e.g. "msg_CA…_0" (call and generation)
    CallSid call_sid;
    std::string payload; // JSON body
    DeliveryState state = DeliveryState::pending;
    int attempts = 0; // deliveries tried so far
    TimePoint next_attempt_at{};
    int last_status = 0; // HTTP status of the last attempt; 0 = transport error or none yet
    std::string last_error{};
    std::string lease_owner{};
    TimePoint lease_expires{};
    TimePoint created_at{};
    TimePoint delivered_at{};
};

struct JobCounts {
    std::int64_t queued = 0, running = 0, done = 0, failed = 0;
};

// While it lives, someone is told when jobs may have become due (see Store::listen_for_due_jobs).
class DueJobListener {
  public:
    virtual ~DueJobListener() = default;
};

// One final utterance of a Real-Time Transcription session ("GT…"), as Twilio numbered it.
struct RealtimeUtterance {
    std::string session{};
    std::int64_t sequence = 0;
    std::string track{}; // "inbound_track" | "outbound_track"
    std::string text{};
};

struct RealtimeLabels {
    std::string session{};
    std::string inbound{}; // empty: not given
    std::string outbound{};
};

class Store {
  public:
    virtual ~Store() = default;

    // --- call log ---------------------------------------------------------------------------
    virtual Result<std::optional<CallLog>> find_call(const CallSid& call) = 0;
    virtual Result<std::vector<CallLog>> list_calls(const CallQuery& query) = 0;
    // The calls that match `search` and its filters, best match first (SQLite's bm25, PostgreSQL's
    // ts_rank; ties newest first), from the database's full-text index, which every write of a
    // transcript keeps in step in the same transaction.
    virtual Result<std::vector<SearchHit>> search_calls(const CallSearch& search) = 0;
    // Creates the call if it is new; stores the text the live agent heard, from `source`. A
    // transcript from Twilio's Real-Time Transcription does not replace one posted to the API.
    virtual Result<CallLog>
    save_realtime_transcript(const CallSid& call, std::string_view text, TimePoint now,
                             RealtimeSource source = RealtimeSource::api) = 0;

    // Records what a Twilio callback said about the call and returns the call as saved; creates
    // the call if new. A member the callback did not carry keeps its value, and a final call
    // status is never replaced.
    virtual Result<CallLog> save_call_details(const CallSid& call, const CallDetails& details,
                                              TimePoint now) = 0;

    // --- Twilio's Real-Time Transcription, utterance by utterance ---------------------------
    // Records a session's track labels (its transcription-started); creates the call if new.
    // False when the session's labels were recorded before (they are kept).
    virtual Result<bool> save_realtime_labels(const CallSid& call, const RealtimeLabels& labels,
                                              TimePoint now) = 0;
    // Adds one final utterance; creates the call if new. False when the session already has an
    // utterance with that sequence number (a retried callback): nothing changes.
    virtual Result<bool> add_realtime_utterance(const CallSid& call,
                                                const RealtimeUtterance& utterance,
                                                TimePoint now) = 0;
    // A call's utterances by session, the sessions in the order their first utterance arrived
    // (a session's SequenceIds start again from 1), each by sequence; and its sessions' labels,
    // in the order they were recorded.
    virtual Result<std::vector<RealtimeUtterance>> realtime_utterances(const CallSid& call) = 0;
    virtual Result<std::vector<RealtimeLabels>> realtime_labels(const CallSid& call) = 0;

    // --- jobs -------------------------------------------------------------------------------
    // Creates the call (if new) and its offline_stt job (if none), due now. When the job
    // exists and has no recording sid yet, `recording` is recorded on it (and on the call).
    // When `recording` is given (Twilio says it is completed) and the existing job is queued
    // in its resolve or download step for later, it is made due now (`hurried`): no use
    // sleeping out a readiness delay once Twilio has said the recording is there.
    virtual Result<EnqueueResult> enqueue_offline_stt(const CallSid& call,
                                                      const std::optional<RecordingSid>& recording,
                                                      TimePoint now) = 0;
    // Runs the call's job again from `from` (counters reset, generation + 1, due now), whatever
    // its state; a running holder loses its lease. Empty when the call has no job.
    virtual Result<std::optional<Job>> restart_job(const CallSid& call, JobStep from,
                                                   TimePoint now) = 0;
    virtual Result<std::optional<Job>> find_job(const CallSid& call) = 0;
    // Takes the due job of `lane` with the earliest run_at (queued and run_at <= now, or
    // running with an expired lease) and leases it to `owner` until now + lease.
    virtual Result<std::optional<Job>> claim_job(Lane lane, std::string_view owner, TimePoint now,
                                                 Seconds lease) = 0;
    // Like claim_job, for one call's job only (`callscribe process`): empty when that job is
    // not due or is held by a live lease.
    virtual Result<std::optional<Job>> claim_call_job(const CallSid& call, std::string_view owner,
                                                      TimePoint now, Seconds lease) = 0;
    // Extends the lease of a job `job.lease_owner` holds; false when it no longer holds it.
    virtual Result<bool> renew_job_lease(const Job& job, TimePoint expires) = 0;
    // Saves a held job's progress (step, lane, recording sid, media url, counters, run_at) and
    // `call` in one transaction, and releases the lease: the job is queued again, due at
    // job.run_at. False (nothing written) when the lease was lost.
    virtual Result<bool> save_job(const Job& job, const CallUpdate& call, TimePoint now) = 0;
    // Ends a held job (state done or failed, from job.state), writes `call` and adds
    // `webhook` to the outbox (when given), in one transaction. False when the lease was lost.
    virtual Result<bool> finish_job(const Job& job, const CallUpdate& call,
                                    const std::optional<WebhookDelivery>& webhook,
                                    TimePoint now) = 0;
    // The earliest run_at of a queued job of `lane` (or lease expiry of a running one): when a
    // worker should look again. Empty when there is nothing to do.
    virtual Result<std::optional<TimePoint>> next_job_due(Lane lane) = 0;
    virtual Result<JobCounts> count_jobs() = 0;
    // Calls `on_due` (from a thread of its own) whenever any process may have made a job due,
    // until the listener is destroyed; also after a lost connection comes back, since news may
    // have been missed meanwhile. Nothing when the database cannot tell other processes (SQLite):
    // workers then look at next_job_due() now and then.
    virtual std::unique_ptr<DueJobListener> listen_for_due_jobs(std::function<void()> on_due) {
        (void)on_due;
        return nullptr;
    }

    // --- webhook outbox ---------------------------------------------------------------------
    // Takes the pending delivery with the earliest next_attempt_at <= now (or one whose lease
    // expired) and leases it to `owner`.
    virtual Result<std::optional<WebhookDelivery>> claim_webhook(std::string_view owner,
                                                                 TimePoint now, Seconds lease) = 0;
    // Saves a held delivery's outcome (state, attempts, next_attempt_at, last status/error,
    // delivered_at) and releases the lease. False when the lease was lost. A delivery that is
    // `delivered` never changes again.
    virtual Result<bool> save_webhook(const WebhookDelivery& delivery) = 0;
    virtual Result<std::optional<TimePoint>> next_webhook_due() = 0;
    virtual Result<std::vector<WebhookDelivery>> find_webhooks(const CallSid& call) = 0;

    // Set once the database reported its own file damaged (SQLite: "database disk image is
    // malformed"): what failed, naming the database. Every later call may fail the same way, so
    // the service reports itself not ready. Thread-safe.
    virtual std::optional<std::string> damaged() const { return std::nullopt; }
};

struct StoreOptions {
    // Connections a PostgreSQL store keeps at most (CALLSCRIBE_DATABASE_POOL); SQLite has one.
    int pool_size = 8;
};

// Opens the store a database URL names: "sqlite://PATH" (PATH relative to the working folder,
// or absolute as sqlite:///abs/path), or "postgresql://…" / "postgres://…" (any libpq URI:
// user, password, host, port, database, options). Creates the SQLite file (not its folder) and
// checks its pages, or connects to the PostgreSQL server; runs pending migrations. Errors name
// the URL (without its password).
Result<std::unique_ptr<Store>> open_store(std::string_view database_url,
                                          const StoreOptions& options = {});

} // namespace callscribe::store
