// What only the SQLite adapter does: the file, its folder, schema versions, several
// connections at once. The behaviour every Store shares is in store_contract_test.cpp.

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include "integration/store/store_contract.hpp"
#include "support/damaged_database.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace callscribe::store::sqlite {
namespace {

using test::at;
using test::call_sid;
using test_support::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(StoreSqlite, CreatesTheMissingFileButNotAMissingFolder) {
    TempDir dir;
    auto store = SqliteStore::open(dir / "callscribe.db");
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "callscribe.db"));

    const auto mistyped = dir / "a/b/callscribe.db";
    const auto refused = SqliteStore::open(mistyped);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "database " + mistyped.string() + ": the folder " +
                                           (dir / "a/b").string() +
                                           " does not exist while opening");
    EXPECT_FALSE(std::filesystem::exists(dir / "a"));
}

TEST(StoreSqlite, ADamagedFileIsRefusedAtOpenInOneLine) {
    TempDir dir;
    const auto file = dir / "callscribe.db";
    test_support::open_then_damage(file);
    const auto store = SqliteStore::open(file);
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message,
                AllOf(HasSubstr("database " + file.string() + ": "), HasSubstr("damaged"),
                      HasSubstr("while checking its integrity")));
    EXPECT_EQ(store.error().message.find('\n'), std::string::npos);
    EXPECT_FALSE(store.error().retryable);
}

TEST(StoreSqlite, DamageMetWhileRunningIsReportedByDamaged) {
    TempDir dir;
    const auto file = dir / "callscribe.db";
    auto db = test_support::open_then_damage(file);
    EXPECT_FALSE(db.store->damaged()) << "nothing was read yet";
    const auto counted = db.store->count_jobs();
    ASSERT_FALSE(counted) << "the jobs' pages are garbage now";
    const auto damage = db.store->damaged();
    ASSERT_TRUE(damage);
    EXPECT_THAT(*damage, AllOf(HasSubstr("database " + file.string() + ": "),
                               HasSubstr("malformed"), HasSubstr("while counting")));
}

TEST(StoreSqlite, AFileThatIsNotADatabaseIsAClearError) {
    TempDir dir;
    const auto file = dir / "callscribe.db";
    test_support::write_file(file, std::string(4096, 'x') + "not sqlite at all");
    const auto store = SqliteStore::open(file);
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message, AllOf(HasSubstr("database " + file.string() + ": "),
                                             HasSubstr("file is not a database")));
    EXPECT_EQ(store.error().message.find('\n'), std::string::npos);
    EXPECT_FALSE(store.error().retryable);
}

TEST(StoreSqlite, AFileWhereTheFolderShouldBeIsAClearError) {
    TempDir dir;
    test_support::write_file(dir / "data", "a file where the folder should be");
    const auto file = dir / "data/callscribe.db";
    const auto store = SqliteStore::open(file);
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message,
                AllOf(HasSubstr("database " + file.string() + ": "),
                      HasSubstr((dir / "data").string() + " is not a folder")));
    EXPECT_FALSE(store.error().retryable);
}

// Root writes into any folder, so the open runs in a child that gives up root first.
TEST(StoreSqlite, AFolderThatIsNotWritableIsAClearError) {
    TempDir dir;
    std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all |
                                                 std::filesystem::perms::group_exec |
                                                 std::filesystem::perms::others_exec);
    std::filesystem::create_directory(dir / "locked");
    std::filesystem::permissions(dir / "locked", std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_exec |
                                                     std::filesystem::perms::others_read |
                                                     std::filesystem::perms::others_exec);
    const auto file = dir / "locked/callscribe.db";
    int message_pipe[2];
    ASSERT_EQ(::pipe(message_pipe), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(message_pipe[0]);
        constexpr uid_t k_nobody = 65534;
        if (::geteuid() == 0 && (::setgid(k_nobody) != 0 || ::setuid(k_nobody) != 0)) ::_exit(3);
        const auto store = SqliteStore::open(file);
        const std::string message = store ? std::string("opened") : store.error().message;
        (void)!::write(message_pipe[1], message.data(), message.size());
        ::_exit(0);
    }
    ::close(message_pipe[1]);
    std::string message;
    char buffer[512];
    for (ssize_t n; (n = ::read(message_pipe[0], buffer, sizeof buffer)) > 0;)
        message.append(buffer, static_cast<std::size_t>(n));
    ::close(message_pipe[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    std::filesystem::permissions(dir / "locked", std::filesystem::perms::owner_all);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child could not drop root";
    EXPECT_THAT(message, AllOf(HasSubstr("database " + file.string() + ": "),
                               HasSubstr("unable to open database file")));
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(StoreSqlite, AFolderInPlaceOfTheFileIsAClearError) {
    TempDir dir;
    std::filesystem::create_directory(dir / "callscribe.db");
    const auto store = SqliteStore::open(dir / "callscribe.db");
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message,
                AllOf(HasSubstr("database " + (dir / "callscribe.db").string() + ": "),
                      HasSubstr("while opening")));
}

std::vector<Migration> with_extra_migration() {
    auto list = builtin_migrations();
    std::vector<Migration> migrations(list.begin(), list.end());
    migrations.push_back({static_cast<int>(migrations.size()) + 1, "a later release",
                          "CREATE TABLE later (x INTEGER)"});
    return migrations;
}

TEST(StoreSqlite, MigrationsRunOnceInOrder) {
    TempDir dir;
    const auto migrations = with_extra_migration();
    // A migration applied twice would fail: its table exists.
    for (int i = 0; i < 3; ++i) {
        auto store = SqliteStore::open(dir / "db", {.migrations = migrations});
        ASSERT_TRUE(store) << store.error().message;
    }
}

TEST(StoreSqlite, TheUpgradeGivesAWaitingJobItsRecordingPathFromTheCallLog) {
    TempDir dir;
    {
        auto v1 = SqliteStore::open(dir / "db", {.migrations = builtin_migrations().first(1)});
        ASSERT_TRUE(v1) << v1.error().message;
    }
    sqlite::Connection(dir / "db", std::chrono::milliseconds{1000})
        .exec(test::v1_call_awaiting_transcription());
    auto store = SqliteStore::open(dir / "db");
    ASSERT_TRUE(store) << store.error().message;
    const auto job = store.value()->find_job(call_sid(1)).value();
    ASSERT_TRUE(job);
    EXPECT_EQ(job->recording_path, "recordings/" + call_sid(1).str() + ".mp3");
    EXPECT_EQ(job->step, JobStep::transcribe);
}

TEST(StoreSqlite, TheUpgradeMakesTheCallsThereAreSearchable) {
    TempDir dir;
    {
        auto v4 = SqliteStore::open(dir / "db", {.migrations = builtin_migrations().first(4)});
        ASSERT_TRUE(v4) << v4.error().message;
    }
    sqlite::Connection(dir / "db", std::chrono::milliseconds{1000})
        .exec(test::v4_calls_with_transcripts());
    auto store = SqliteStore::open(dir / "db");
    ASSERT_TRUE(store) << store.error().message;
    auto hits = store.value()->search_calls({.words = "refund"}).value();
    ASSERT_EQ(hits.size(), 2u);
    // A call written after the upgrade is found beside them.
    store.value()
        ->save_realtime_transcript(call_sid(3), "no refund today", at(0), RealtimeSource::api)
        .value();
    EXPECT_EQ(store.value()->search_calls({.words = "refund"}).value().size(), 3u);
    hits = store.value()->search_calls({.words = "customer refund"}).value();
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].call.call_sid, call_sid(1));
}

TEST(StoreSqlite, TheUpgradeLetsACallKeepARealtimeTranscriptFromAMediaStream) {
    TempDir dir;
    {
        auto v5 = SqliteStore::open(dir / "db", {.migrations = builtin_migrations().first(5)});
        ASSERT_TRUE(v5) << v5.error().message;
        v5.value()
            ->save_realtime_transcript(call_sid(1), "posted", at(0), RealtimeSource::api)
            .value();
        EXPECT_FALSE(v5.value()->save_realtime_transcript(call_sid(2), "heard", at(0),
                                                          RealtimeSource::media_stream))
            << "version 5 does not know the source";
    }
    auto store = SqliteStore::open(dir / "db");
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(
        store.value()
            ->save_realtime_transcript(call_sid(2), "heard", at(1), RealtimeSource::media_stream)
            .value()
            .realtime_source,
        RealtimeSource::media_stream);
    EXPECT_EQ(store.value()->find_call(call_sid(1)).value()->realtime_transcript, "posted");
    // The constraint still holds for what is not a source.
    EXPECT_THROW(sqlite::Connection(dir / "db", std::chrono::milliseconds{1000})
                     .exec("UPDATE calls SET realtime_source = 'elsewhere'"),
                 std::exception);
}

TEST(StoreSqlite, ASchemaNewerThanThisBinaryIsRefused) {
    TempDir dir;
    {
        auto newer = SqliteStore::open(dir / "db", {.migrations = with_extra_migration()});
        ASSERT_TRUE(newer) << newer.error().message;
        newer.value()->enqueue_offline_stt(call_sid(1), std::nullopt, at(0)).value();
    }
    const auto known = static_cast<int>(builtin_migrations().size());
    const auto store = SqliteStore::open(dir / "db");
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message,
                AllOf(HasSubstr("database " + (dir / "db").string() + ": "),
                      HasSubstr(fmt::format("schema version {} is newer than this binary knows "
                                            "({})",
                                            known + 1, known))));
    EXPECT_FALSE(store.error().retryable);
}

TEST(StoreSqlite, ProcessesStartingAtOnceMigrateOnce) {
    TempDir dir;
    const auto migrations = with_extra_migration();
    std::vector<std::string> errors(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < errors.size(); ++i) {
        threads.emplace_back([&, i] {
            auto store = SqliteStore::open(dir / "db", {.migrations = migrations});
            if (!store) errors[i] = store.error().message;
        });
    }
    for (auto& thread : threads)
        thread.join();
    for (const auto& error : errors)
        EXPECT_EQ(error, "");
}

TEST(StoreSqlite, ErrorsNameTheFileAndTheOperation) {
    TempDir dir;
    auto store = SqliteStore::open(dir / "db").value();
    store->enqueue_offline_stt(call_sid(1), std::nullopt, at(0)).value();
    Job held = store->claim_job(Lane::io, "w", at(0), Seconds(60)).value().value();
    held.state = JobState::done;
    // A webhook for a call that does not exist breaks a foreign key: the whole finish is undone.
    const WebhookDelivery orphan{.id = "msg_x", .call_sid = call_sid(2), .payload = "{}"};
    const auto finished = store->finish_job(held, {.status = CallStatus::done}, orphan, at(1));
    ASSERT_FALSE(finished);
    EXPECT_THAT(finished.error().message,
                AllOf(HasSubstr("database " + (dir / "db").string() + ": "),
                      HasSubstr("FOREIGN KEY constraint failed"),
                      HasSubstr("while finishing the job of " + call_sid(1).str())));
    EXPECT_FALSE(finished.error().retryable);
    EXPECT_EQ(store->find_job(call_sid(1)).value()->state, JobState::running);
    EXPECT_EQ(store->find_call(call_sid(1)).value()->status, CallStatus::waiting_for_recording);
}

// Holds SQLite's WAL write lock on a database from a child process, as another process in the
// middle of a write transaction does. (POSIX record locks belong to a process: a thread of this
// one could not conflict with it.) The lock is byte 120 of the "-shm" file (os_unix.c:
// UNIX_SHM_BASE + WAL_WRITE_LOCK), which must exist: a connection has the database open.
class OtherProcessWriting {
  public:
    explicit OtherProcessWriting(const std::filesystem::path& database) {
        const std::string shm = database.string() + "-shm"; // no allocation after fork
        int ready[2];
        int release[2];
        CALLSCRIBE_ASSERT(pipe(ready) == 0 && pipe(release) == 0);
        m_child = fork();
        CALLSCRIBE_ASSERT(m_child >= 0);
        if (m_child == 0) {
            close(ready[0]);
            close(release[1]); // else the parent's close would not end the read below
            const int fd = ::open(shm.c_str(), O_RDWR);
            struct flock lock {};
            lock.l_type = F_WRLCK;
            lock.l_whence = SEEK_SET;
            lock.l_start = 120;
            lock.l_len = 1;
            const char locked = fd >= 0 && fcntl(fd, F_SETLK, &lock) == 0 ? 'y' : 'n';
            char ignored;
            (void)!write(ready[1], &locked, 1);
            (void)!read(release[0], &ignored, 1);
            _exit(0);
        }
        close(ready[1]);
        close(release[0]);
        m_release = release[1];
        char locked = 'n';
        (void)!read(ready[0], &locked, 1);
        close(ready[0]);
        m_locked = locked == 'y';
    }
    ~OtherProcessWriting() {
        close(m_release); // the child's read returns, it exits and its lock goes
        waitpid(m_child, nullptr, 0);
    }
    bool locked() const { return m_locked; }

  private:
    pid_t m_child = -1;
    int m_release = -1;
    bool m_locked = false;
};

TEST(StoreSqlite, ABusyDatabaseIsARetryableErrorAndReadsGoOn) {
    TempDir dir;
    auto store = SqliteStore::open(dir / "db", {.busy_timeout = std::chrono::milliseconds(50)});
    ASSERT_TRUE(store) << store.error().message;
    (*store)->enqueue_offline_stt(call_sid(1), std::nullopt, at(0)).value();
    {
        OtherProcessWriting other(dir / "db");
        ASSERT_TRUE(other.locked());
        const auto busy = (*store)->enqueue_offline_stt(call_sid(2), std::nullopt, at(1));
        ASSERT_FALSE(busy);
        EXPECT_EQ(busy.error().message, "database " + (dir / "db").string() +
                                            ": database is locked while enqueueing the job of " +
                                            call_sid(2).str());
        EXPECT_TRUE(busy.error().retryable);
        EXPECT_TRUE((*store)->find_call(call_sid(1)).value()) << "a reader does not wait";
    }
    EXPECT_TRUE((*store)->enqueue_offline_stt(call_sid(2), std::nullopt, at(2)).value().created);
}

} // namespace
} // namespace callscribe::store::sqlite
