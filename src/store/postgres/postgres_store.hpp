#pragma once
// Store over one PostgreSQL database, through libpq: the only code (with its folder) that
// includes libpq-fe.h.
//
// Ownership: a PostgresStore owns a pool of up to `pool_size` connections (ConnectionPool).
//
// Thread safety: all calls may come from any thread. Each call borrows a connection for one
// short transaction (a read is a single statement) and returns it; calls wait only when all
// connections of the pool are lent. Any number of processes (or PostgresStore objects) may share
// the database: claims pick rows with SELECT … FOR UPDATE SKIP LOCKED, so racing claimers take
// different jobs without waiting for each other, and every save checks the lease (owner and
// generation) in its UPDATE.
//
// Wake-ups: the transactions that make a job due (enqueue, restart, a save that queues a job
// again) send NOTIFY on the channel `callscribe_jobs` with the job's lane as payload, for
// workers that LISTEN (listen_for_due_jobs).
//
// Times: stored as integer microseconds since the Unix epoch, as in SQLite (store/records.hpp).
// Text is UTF-8 without NUL bytes (PostgreSQL stores no others).
//
// Failure: a Result error in one line naming the database by its URL without password or query
// ("database postgresql://db.example/calls: server closed the connection unexpectedly while
// saving the job of CA…"); retryable when the connection was lost or could not be made, the
// server is shutting down or out of connections, or a transaction hit a serialization failure or
// deadlock. A lost connection is closed and the next call connects afresh: a database restart
// fails only the calls in flight. A mutating call that fails has written nothing (or, when the
// connection broke during COMMIT, possibly everything: the outcome is then unknown, as with any
// database client). No call throws. The same caller bugs as for SqliteStore abort.

#include "store/postgres/migrations.hpp"
#include "store/store.hpp"

#include <chrono>
#include <memory>
#include <span>
#include <string>

namespace callscribe::store::postgres {

class ConnectionPool;

struct PostgresOptions {
    int pool_size = 8; // connections at most (CALLSCRIBE_DATABASE_POOL)
    // How long a call waits for a connection when all are lent before failing retryably.
    std::chrono::milliseconds pool_wait{30'000};
    // The schema: the built-in migrations (tests of upgrades pass others).
    std::span<const Migration> migrations = builtin_migrations();
};

class PostgresStore final : public Store {
  public:
    // Connects to `url` (a libpq URI: postgresql://user:password@host:port/db?options) and
    // applies pending migrations. Fails when the URL does not parse, the server cannot be
    // reached or refuses the credentials, or the schema is newer than this binary's.
    static Result<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                       const PostgresOptions& options = {});
    ~PostgresStore() override;

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
    // LISTEN on its own connection (PostgresDueJobListener).
    std::unique_ptr<DueJobListener> listen_for_due_jobs(std::function<void()> on_due) override;

    Result<std::optional<WebhookDelivery>> claim_webhook(std::string_view owner, TimePoint now,
                                                         Seconds lease) override;
    Result<bool> save_webhook(const WebhookDelivery& delivery) override;
    Result<std::optional<TimePoint>> next_webhook_due() override;
    Result<std::vector<WebhookDelivery>> find_webhooks(const CallSid& call) override;

  private:
    PostgresStore(std::string url, std::unique_ptr<ConnectionPool> pool);

    // Runs `body` on a borrowed connection, inside BEGIN … COMMIT when `transaction` (a body of
    // one statement needs none: the statement is its own transaction, one round trip instead of
    // three); turns any exception into an error naming the database and `what`, and drops a
    // lost connection.
    template <class T, class Body>
    Result<T> run(bool transaction, std::string_view what, Body&& body);
    Error error(std::string_view what, std::string_view message, bool retryable) const;

    std::string m_url;       // may hold a password: never printed
    std::string m_shown_url; // without password or query: safe to print
    std::unique_ptr<ConnectionPool> m_pool;
};

} // namespace callscribe::store::postgres
