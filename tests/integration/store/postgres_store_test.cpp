// PostgresStore beyond the shared contract (store_contract_test.cpp runs that on it too): opening
// by URL, one-line errors without passwords, connections the server ends, a server restart,
// migrations and claims racing across Store objects as across processes. Each test has a fresh
// database on the tests' server (support/postgres_server.hpp).

#include "integration/store/store_contract.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/postgres_store.hpp"
#include "support/captured_log.hpp"
#include "support/postgres_server.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace callscribe::store::test {
namespace {

using test_support::PostgresDatabase;
using test_support::PrivatePostgresServer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// `url` with a password, which trust authentication ignores: it must never be shown.
std::string with_password(const std::string& url) {
    const auto at = url.find('@');
    EXPECT_NE(at, std::string::npos) << url;
    return url.substr(0, at) + ":s3cret-pw" + url.substr(at);
}

void expect_one_clean_line(const Error& error) {
    EXPECT_THAT(error.message, StartsWith("database postgres"));
    EXPECT_THAT(error.message, Not(HasSubstr("s3cret")));
    EXPECT_THAT(error.message, Not(HasSubstr("\n")));
}

// --- opening --------------------------------------------------------------------------------

TEST(PostgresStoreOpen, APostgresqlOrPostgresUrlOpensAPostgresStore) {
    PostgresDatabase db;
    auto store = open_store(db.url(), {.pool_size = 2});
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_NE(dynamic_cast<postgres::PostgresStore*>(store->get()), nullptr);
    (*store)->enqueue_offline_stt(call_sid(1), recording_sid(1), at(0)).value();

    ASSERT_EQ(db.url().rfind("postgresql://", 0), 0u);
    auto alias = open_store("postgres://" + db.url().substr(std::string("postgresql://").size()));
    ASSERT_TRUE(alias) << alias.error().message;
    EXPECT_EQ((*alias)->find_job(call_sid(1)).value().value().recording_sid, recording_sid(1));
}

TEST(PostgresStoreOpen, AnUnreachableServerIsOneRetryableLineWithoutThePassword) {
    const auto store =
        open_store("postgresql://callscribe:s3cret-pw@127.0.0.1:1/calls?connect_timeout=5");
    ASSERT_FALSE(store);
    expect_one_clean_line(store.error());
    EXPECT_THAT(store.error().message, StartsWith("database postgresql://127.0.0.1:1/calls: "));
    EXPECT_THAT(store.error().message, HasSubstr("while connecting"));
    EXPECT_TRUE(store.error().retryable);
}

TEST(PostgresStoreOpen, AMalformedUrlIsNotRetryable) {
    // libpq quotes the whole URL in some of its complaints (the second one here).
    for (const char* url : {"postgresql://callscribe:s3cret-pw@db.example/calls?no_such=1",
                            "postgresql://callscribe:s3cret-pw@[::1/calls",
                            "postgresql://db.example/calls?password=s3cret-pw&no_such=1"}) {
        const auto store = open_store(url);
        ASSERT_FALSE(store) << url;
        expect_one_clean_line(store.error());
        EXPECT_THAT(store.error().message, HasSubstr("invalid connection URL")) << url;
        EXPECT_FALSE(store.error().retryable) << url;
    }
}

TEST(PostgresStoreOpen, AMissingDatabaseIsNamed) {
    PostgresDatabase db;
    const auto url = with_password(test_support::with_database(db.url(), "no_such_database"));
    const auto store = open_store(url);
    ASSERT_FALSE(store);
    expect_one_clean_line(store.error());
    EXPECT_THAT(store.error().message, HasSubstr("\"no_such_database\" does not exist"));
}

// --- migrations -----------------------------------------------------------------------------

std::vector<std::string> schema_versions(const std::string& url) {
    postgres::Connection db(url);
    const auto rows = db.exec("SELECT version FROM schema_version ORDER BY version");
    std::vector<std::string> versions;
    for (int i = 0; i < rows.size(); ++i)
        versions.push_back(rows[i].text_at(0));
    return versions;
}

// "1", "2", … up to the newest migration this binary has.
std::vector<std::string> every_version() {
    std::vector<std::string> versions;
    for (std::size_t v = 1; v <= postgres::builtin_migrations().size(); ++v)
        versions.push_back(std::to_string(v));
    return versions;
}

TEST(PostgresStoreMigrations, StoresOpeningAtOnceApplyEachMigrationOnce) {
    PostgresDatabase db;
    constexpr int k_openers = 6;
    std::vector<std::string> errors(k_openers);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_openers; ++i) {
        threads.emplace_back([&, i] {
            auto store = open_store(db.url(), {.pool_size = 1});
            if (!store) errors[static_cast<std::size_t>(i)] = store.error().message;
        });
    }
    for (auto& thread : threads)
        thread.join();
    for (const auto& error : errors)
        EXPECT_EQ(error, "");
    EXPECT_EQ(schema_versions(db.url()), every_version());
}

TEST(PostgresStoreMigrations, TheUpgradeGivesAWaitingJobItsRecordingPathFromTheCallLog) {
    PostgresDatabase db;
    {
        auto v1 = postgres::PostgresStore::open(
            db.url(), {.migrations = postgres::builtin_migrations().first(1)});
        ASSERT_TRUE(v1) << v1.error().message;
    }
    postgres::Connection(db.url()).exec_script(test::v1_call_awaiting_transcription());
    auto store = open_store(db.url());
    ASSERT_TRUE(store) << store.error().message;
    const auto job = store.value()->find_job(test::call_sid(1)).value();
    ASSERT_TRUE(job);
    EXPECT_EQ(job->recording_path, "recordings/" + test::call_sid(1).str() + ".mp3");
    EXPECT_EQ(schema_versions(db.url()), every_version());
}

TEST(PostgresStoreMigrations, TheUpgradeMakesTheCallsThereAreSearchable) {
    PostgresDatabase db;
    {
        auto v4 = postgres::PostgresStore::open(
            db.url(), {.migrations = postgres::builtin_migrations().first(4)});
        ASSERT_TRUE(v4) << v4.error().message;
    }
    postgres::Connection(db.url()).exec_script(test::v4_calls_with_transcripts());
    auto store = open_store(db.url());
    ASSERT_TRUE(store) << store.error().message;
    auto hits = store.value()->search_calls({.words = "refund"}).value();
    ASSERT_EQ(hits.size(), 2u);
    // A call written after the upgrade is found beside them.
    store.value()
        ->save_realtime_transcript(test::call_sid(3), "no refund today", test::at(0))
        .value();
    EXPECT_EQ(store.value()->search_calls({.words = "refund"}).value().size(), 3u);
    hits = store.value()->search_calls({.words = "customer refund"}).value();
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].call.call_sid, test::call_sid(1));
    EXPECT_EQ(schema_versions(db.url()), every_version());
}

TEST(PostgresStoreMigrations, ASchemaNewerThanThisBinaryIsRefused) {
    PostgresDatabase db;
    open_store(db.url()).value();
    const auto known = postgres::builtin_migrations().size();
    postgres::Connection(db.url()).exec(
        fmt::format("INSERT INTO schema_version (version, description) VALUES ({}, 'from the "
                    "future')",
                    known + 1));
    const auto store = open_store(db.url());
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message,
                HasSubstr(fmt::format("schema version {} is newer than this binary knows ({})",
                                      known + 1, known)));
    EXPECT_FALSE(store.error().retryable);
}

// --- lost connections -----------------------------------------------------------------------

TEST(PostgresStoreConnections, ConnectionsTheServerEndedAreReplacedOnTheNextCall) {
    PostgresDatabase db;
    auto store = open_store(db.url(), {.pool_size = 3}).value();
    store->enqueue_offline_stt(call_sid(1), std::nullopt, at(0)).value();

    const char* k_backends = "SELECT pid FROM pg_stat_activity WHERE datname = $1";
    ASSERT_FALSE(db.on_server(k_backends).empty()) << "the pool keeps its connection";
    db.on_server("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1");
    for (int i = 0; i < 500 && !db.on_server(k_backends).empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(db.on_server(k_backends).empty()) << "the backends did not end";

    // The pool notices the closed connection when it lends it, and connects afresh.
    const auto job = store->find_job(call_sid(1));
    ASSERT_TRUE(job) << job.error().message;
    EXPECT_TRUE(job->has_value());
    EXPECT_TRUE(store->claim_job(Lane::io, "w", at(1), k_lease).value());
}

TEST(PostgresStoreConnections, ARestartFailsTheCallsMeanwhileRetryablyThenTheyWorkAgain) {
    PrivatePostgresServer server;
    PostgresDatabase db(server.url());
    auto store = open_store(with_password(db.url()), {.pool_size = 2}).value();
    store->enqueue_offline_stt(call_sid(1), std::nullopt, at(0)).value();

    server.halt();
    const auto down = store->find_job(call_sid(1));
    ASSERT_FALSE(down);
    expect_one_clean_line(down.error());
    EXPECT_THAT(down.error().message, HasSubstr("while reading the job of " + call_sid(1).str()));
    EXPECT_TRUE(down.error().retryable);
    const auto claim = store->claim_job(Lane::io, "w", at(1), k_lease);
    ASSERT_FALSE(claim);
    EXPECT_TRUE(claim.error().retryable);

    server.start();
    const auto up = store->find_job(call_sid(1));
    ASSERT_TRUE(up) << up.error().message;
    EXPECT_EQ(up->value().state, JobState::queued) << "nothing was lost";
    EXPECT_TRUE(store->claim_job(Lane::io, "w", at(2), k_lease).value());
}

// --- LISTEN/NOTIFY -------------------------------------------------------------------------

// Counts the listener's calls; lets a test wait (bounded) for the next one.
class DueCounter {
  public:
    std::function<void()> callback() {
        return [this] {
            std::lock_guard lock(m_mutex);
            ++m_count;
            m_changed.notify_all();
        };
    }
    // True when the count reached `count` within `limit`.
    bool reaches(int count, std::chrono::seconds limit) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, limit, [&] { return m_count >= count; });
    }
    int count() {
        std::lock_guard lock(m_mutex);
        return m_count;
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    int m_count = 0;
};

TEST(PostgresStoreListen, AJobAnotherStoreMakesDueWakesTheListener) {
    PostgresDatabase db;
    auto listening = open_store(db.url()).value();
    auto other = open_store(db.url()).value();
    DueCounter due;
    auto listener = listening->listen_for_due_jobs(due.callback());
    ASSERT_NE(listener, nullptr);
    ASSERT_TRUE(due.reaches(1, std::chrono::seconds(10))) << "listening starts with a look";

    other->enqueue_offline_stt(call_sid(1), std::nullopt, at(0)).value();
    ASSERT_TRUE(due.reaches(2, std::chrono::seconds(10))) << "the enqueue was not heard";

    // A claim makes nothing due; saving the job queued again does.
    Job held = other->claim_job(Lane::io, "w", at(1), k_lease).value().value();
    held.run_at = at(30);
    const int before_save = due.count();
    ASSERT_TRUE(other->save_job(held, {}, at(2)).value());
    EXPECT_TRUE(due.reaches(before_save + 1, std::chrono::seconds(10)));

    listener.reset();
    const int after_reset = due.count();
    // A second listener hears the next NOTIFY: by then the first one would have heard it too.
    DueCounter witness;
    auto second = listening->listen_for_due_jobs(witness.callback());
    ASSERT_TRUE(witness.reaches(1, std::chrono::seconds(10)));
    other->enqueue_offline_stt(call_sid(2), std::nullopt, at(3)).value();
    ASSERT_TRUE(witness.reaches(2, std::chrono::seconds(10))) << "the enqueue was not heard";
    EXPECT_EQ(other->count_jobs().value().queued, 2);
    EXPECT_EQ(due.count(), after_reset) << "a destroyed listener calls nothing";
}

TEST(PostgresStoreListen, AfterADatabaseRestartTheListenerSaysSoAndListensAgain) {
    test_support::CapturedLog log;
    PrivatePostgresServer server;
    PostgresDatabase db(server.url());
    auto store = open_store(with_password(db.url()), {.pool_size = 2}).value();
    DueCounter due;
    auto listener = store->listen_for_due_jobs(due.callback());
    ASSERT_TRUE(due.reaches(1, std::chrono::seconds(10)));

    server.halt();
    server.start();
    // Back, it looks once more (news sent meanwhile is lost), then hears NOTIFY again.
    ASSERT_TRUE(due.reaches(2, std::chrono::seconds(30))) << log.text();
    const int back = due.count();
    store->enqueue_offline_stt(call_sid(1), std::nullopt, at(0)).value();
    EXPECT_TRUE(due.reaches(back + 1, std::chrono::seconds(10)));

    const int failed = log.find("listening for due jobs failed");
    ASSERT_GE(failed, 0) << log.text();
    EXPECT_GE(log.find("listening for due jobs again", failed), 0) << log.text();
    EXPECT_THAT(log.text(), Not(HasSubstr("s3cret")));
}

// --- concurrency ----------------------------------------------------------------------------

TEST(PostgresStoreConcurrency, RacingEnqueuesMakeOneJobPerCall) {
    PostgresDatabase db;
    constexpr int k_calls = 30;
    constexpr int k_stores = 4;
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < k_stores; ++i)
        stores.push_back(open_store(db.url(), {.pool_size = 2}).value());
    std::vector<int> created(k_stores, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_stores; ++i) {
        threads.emplace_back([&, i] {
            for (int n = 1; n <= k_calls; ++n) {
                const int call = i % 2 == 0 ? n : k_calls + 1 - n; // meet in the middle
                const auto result = stores[static_cast<std::size_t>(i)]->enqueue_offline_stt(
                    call_sid(call), recording_sid(call), at(0));
                ASSERT_TRUE(result) << result.error().message;
                created[static_cast<std::size_t>(i)] += result->created ? 1 : 0;
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    int total = 0;
    for (int c : created)
        total += c;
    EXPECT_EQ(total, k_calls);
    EXPECT_EQ(stores[0]->count_jobs().value().queued, k_calls);
}

TEST(PostgresStoreConcurrency, WorkersOnThreeStoresRunEachJobOnceAndDeliverEachWebhookOnce) {
    PostgresDatabase db;
    constexpr int k_jobs = 90;
    constexpr int k_stores = 3;
    constexpr int k_threads_per_store = 3;
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < k_stores; ++i)
        stores.push_back(open_store(db.url(), {.pool_size = 2}).value());
    for (int n = 1; n <= k_jobs; ++n)
        stores[0]->enqueue_offline_stt(call_sid(n), std::nullopt, at(n % 5)).value();

    std::mutex mutex;
    std::multiset<std::string> finished, delivered;
    std::vector<std::string> errors;
    auto worker = [&](Store& store, const std::string& owner) {
        auto failed = [&](const Error& e) {
            std::lock_guard lock(mutex);
            errors.push_back(owner + ": " + e.message);
        };
        for (;;) {
            auto job = store.claim_job(Lane::io, owner, at(10), k_lease);
            if (!job) return failed(job.error());
            if (!*job) break;
            Job held = **job;
            held.state = JobState::done;
            held.step = JobStep::finished;
            const WebhookDelivery webhook{.id = "msg_" + held.call_sid.str(),
                                          .call_sid = held.call_sid,
                                          .payload = "{}",
                                          .next_attempt_at = at(11),
                                          .created_at = at(11)};
            auto saved = store.finish_job(held, {.status = CallStatus::done}, webhook, at(11));
            if (!saved) return failed(saved.error());
            std::lock_guard lock(mutex);
            if (*saved) finished.insert(held.call_sid.str());
        }
        for (;;) {
            auto claimed = store.claim_webhook(owner, at(12), k_lease);
            if (!claimed) return failed(claimed.error());
            if (!*claimed) break;
            WebhookDelivery held = **claimed;
            held.state = DeliveryState::delivered;
            held.attempts = 1;
            held.last_status = 200;
            held.delivered_at = at(12);
            auto saved = store.save_webhook(held);
            if (!saved) return failed(saved.error());
            std::lock_guard lock(mutex);
            if (*saved) delivered.insert(held.id);
        }
    };
    std::vector<std::thread> threads;
    for (int s = 0; s < k_stores; ++s) {
        for (int t = 0; t < k_threads_per_store; ++t) {
            threads.emplace_back(worker, std::ref(*stores[static_cast<std::size_t>(s)]),
                                 fmt::format("worker-{}-{}", s, t));
        }
    }
    for (auto& thread : threads)
        thread.join();

    EXPECT_TRUE(errors.empty()) << errors.front();
    EXPECT_EQ(finished.size(), std::size_t{k_jobs});
    EXPECT_EQ(std::set<std::string>(finished.begin(), finished.end()).size(), std::size_t{k_jobs})
        << "a job ran twice";
    EXPECT_EQ(delivered.size(), std::size_t{k_jobs});
    EXPECT_EQ(std::set<std::string>(delivered.begin(), delivered.end()).size(), std::size_t{k_jobs})
        << "a webhook was delivered twice";
    EXPECT_EQ(stores[1]->count_jobs().value().done, k_jobs);
    EXPECT_FALSE(stores[2]->next_webhook_due().value());
}

} // namespace
} // namespace callscribe::store::test
