#pragma once
// Store over one SQLite database file: the only code (with its folder) that includes sqlite3.h.
//
// Ownership: a SqliteStore owns one connection to its file.
//
// Thread safety: all calls may come from any thread; they are serialised on the one connection
// by a mutex, so a call waits while another thread's call runs. Separate processes (or separate
// SqliteStore objects, which behave alike) may share the file: each mutating call is one
// BEGIN IMMEDIATE transaction, so writers take turns, and a writer that finds the file locked
// waits up to the busy timeout (5 s by default) before failing retryably. Readers never wait for
// writers (WAL journal).
//
// Durability: WAL journal with synchronous=FULL: a call that returned is on disk.
//
// Times: stored as integer microseconds since the Unix epoch; a TimePoint is read back as it was
// written, rounded toward the past to a whole microsecond.
//
// Failure: a Result error in one line naming the database file, what SQLite said and what was
// being done ("database data/callscribe.db: disk I/O error while saving the job of CA…");
// retryable when the file was busy or locked (SQLITE_BUSY, SQLITE_LOCKED), not otherwise. A
// mutating call that fails has written nothing. No call throws. Claiming with an empty owner,
// finishing a job whose state is not done or failed, or adding a webhook without an id is a bug
// in the caller and aborts.

#include "store/sqlite/migrations.hpp"
#include "store/store.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace callscribe::store::sqlite {

class Connection;

struct SqliteOptions {
    // How long a call waits for another connection's write transaction before failing
    // retryably.
    std::chrono::milliseconds busy_timeout{5000};
    // The schema: the built-in migrations (tests of upgrades pass others).
    std::span<const Migration> migrations = builtin_migrations();
};

class SqliteStore final : public Store {
  public:
    // Opens `file` (creating it when missing, not its folder), checks that its pages are sound
    // (PRAGMA quick_check) and applies pending migrations. Fails when the folder is missing or
    // not writable, the file is not an SQLite database or is damaged, or its schema is newer
    // than this binary's.
    static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& file,
                                                     const SqliteOptions& options = {});
    ~SqliteStore() override;

    Result<std::optional<CallLog>> find_call(const CallSid& call) override;
    Result<std::vector<CallLog>> list_calls(const CallQuery& query) override;
    Result<std::vector<SearchHit>> search_calls(const CallSearch& search) override;
    Result<CallLog> save_realtime_transcript(const CallSid& call, std::string_view text,
                                             TimePoint now, RealtimeSource source) override;
    Result<CallLog> save_call_details(const CallSid& call, const CallDetails& details,
                                      TimePoint now) override;
    Result<bool> save_realtime_labels(const CallSid& call, const RealtimeLabels& labels,
                                      TimePoint now) override;
    Result<bool> add_realtime_utterance(const CallSid& call, const RealtimeUtterance& utterance,
                                        TimePoint now) override;
    Result<std::vector<RealtimeUtterance>> realtime_utterances(const CallSid& call) override;
    Result<std::vector<RealtimeLabels>> realtime_labels(const CallSid& call) override;

    Result<EnqueueResult> enqueue_offline_stt(const CallSid& call,
                                              const std::optional<RecordingSid>& recording,
                                              TimePoint now) override;
    Result<std::optional<Job>> restart_job(const CallSid& call, JobStep from,
                                           TimePoint now) override;
    Result<std::optional<Job>> find_job(const CallSid& call) override;
    Result<std::optional<Job>> claim_job(Lane lane, std::string_view owner, TimePoint now,
                                         Seconds lease) override;
    Result<std::optional<Job>> claim_call_job(const CallSid& call, std::string_view owner,
                                              TimePoint now, Seconds lease) override;
    Result<bool> renew_job_lease(const Job& job, TimePoint expires) override;
    Result<bool> save_job(const Job& job, const CallUpdate& call, TimePoint now) override;
    Result<bool> finish_job(const Job& job, const CallUpdate& call,
                            const std::optional<WebhookDelivery>& webhook, TimePoint now) override;
    Result<std::optional<TimePoint>> next_job_due(Lane lane) override;
    Result<JobCounts> count_jobs() override;

    Result<std::optional<WebhookDelivery>> claim_webhook(std::string_view owner, TimePoint now,
                                                         Seconds lease) override;
    Result<bool> save_webhook(const WebhookDelivery& delivery) override;
    Result<std::optional<TimePoint>> next_webhook_due() override;
    Result<std::vector<WebhookDelivery>> find_webhooks(const CallSid& call) override;

    std::optional<std::string> damaged() const override;

  private:
    SqliteStore(std::filesystem::path file, std::unique_ptr<Connection> connection);

    // Runs `body` under the mutex, inside one BEGIN IMMEDIATE transaction when `write`; turns
    // any exception into an error naming the file and `what`.
    template <class T, class Body> Result<T> run(bool write, std::string_view what, Body&& body);
    Error error(std::string_view what, std::string_view message, bool retryable) const;
    // Leases job `id` to `owner` (inside a claim's transaction) and returns it as written.
    static Job take_job(Connection& db, std::int64_t id, std::string_view owner, TimePoint now,
                        Seconds lease);

    std::filesystem::path m_file;
    std::mutex m_mutex;
    std::unique_ptr<Connection> m_connection;
    mutable std::mutex m_damage_mutex;
    std::string m_damage; // the first "damaged file" error seen, if any
};

} // namespace callscribe::store::sqlite
