// Scale-out as an operator runs it: one `callscribe serve` and three `callscribe worker`
// processes (the built binary) on one PostgreSQL database (a private server this test starts),
// 100 calls through the Twilio sandbox (in this process, on 127.0.0.1:0), one recordings folder
// shared by all (the shared-volume layout of docs/deploy.md). Midway one worker is killed with
// SIGKILL while it holds a job, and PostgreSQL is restarted. At the end every call was
// transcribed once and its webhook arrived once, and every worker did some of the work.
#include "core/base64.hpp"
#include "fakes/fake_http_server.hpp"
#include "net/curl/curl_http_client.hpp"
#include "sandbox/sandbox_server.hpp"
#include "store/postgres/connection.hpp"
#include "support/command.hpp"
#include "support/postgres_server.hpp"
#include "support/recording_callback.hpp"
#include "support/temp_dir.hpp"
#include "support/verified_webhooks.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace callscribe {
namespace {

using namespace std::chrono_literals;
using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using store::postgres::Connection;
using store::postgres::Params;
using test_support::BackgroundCommand;
using SteadyClock = std::chrono::steady_clock;

constexpr int k_calls = 100;
const std::string k_webhook_key = "callscribe-scale-out-webhook-key";
const std::filesystem::path k_audio =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt01.mp3";
constexpr std::string_view k_saved_line = "[OFFLINE_STT] ✅ Saved final_transcript";

// A running `callscribe` process; its log (stderr) goes to a file, read when needed.
struct Process {
    std::string name;
    std::unique_ptr<BackgroundCommand> command;
    std::string owner; // a worker's lease owner, from its start line
    std::string log;   // once it ended

    std::string log_so_far() const { return command ? command->err_so_far() : log; }
    int transcripts_saved() const {
        const std::string text = log_so_far();
        int count = 0;
        for (auto at = text.find(k_saved_line); at != std::string::npos;
             at = text.find(k_saved_line, at + 1))
            ++count;
        return count;
    }
    // Waits for a log line containing `text`; returns it.
    std::optional<std::string> wait_for_log(std::string_view text, std::chrono::seconds limit) {
        const auto deadline = SteadyClock::now() + limit;
        while (SteadyClock::now() < deadline) {
            const std::string text_now = log_so_far();
            if (const auto at = text_now.find(text); at != std::string::npos) {
                const auto end = text_now.find('\n', at);
                if (end != std::string::npos) return text_now.substr(at, end - at);
            }
            std::this_thread::sleep_for(50ms);
        }
        return std::nullopt;
    }
    // SIGTERM (or SIGKILL), keeping the log.
    int end(bool kill) {
        const auto ended = kill ? command->kill() : command->stop();
        log = ended.err;
        command.reset();
        return ended.exit_code;
    }
};

class ScaleOutPostgres : public ::testing::Test {
  protected:
    ScaleOutPostgres() : m_database(m_server.url()) {
        sandbox::SandboxSettings settings;
        settings.port = 0;
        m_sandbox = std::make_unique<sandbox::SandboxServer>(settings, m_clock, m_callbacks);
        auto started = m_sandbox->start();
        if (!started) throw std::runtime_error(started.error().message);
        m_port = fakes::closed_port();
        m_url = fmt::format("http://127.0.0.1:{}", m_port);
    }

    std::map<std::string, std::string> env() const {
        return {
            {"TWILIO_ACCOUNT_SID", m_sandbox->account_sid()},
            {"TWILIO_AUTH_TOKEN", m_sandbox->auth_token().reveal()},
            {"TWILIO_API_BASE", m_sandbox->base_url()},
            {"CALLSCRIBE_DATABASE_URL", m_database.url()},
            {"CALLSCRIBE_DATABASE_POOL", "4"},
            {"CALLSCRIBE_LISTEN", fmt::format("127.0.0.1:{}", m_port)},
            {"CALLSCRIBE_PUBLIC_URL", m_url},
            {"CALLSCRIBE_DATA_DIR", m_dir.path().string()},
            {"CALLSCRIBE_READY_BACKOFF", "0.3,0.5,0.5,1,1,1,1,1,1,1,1,1,1,1,1"},
            {"CALLSCRIBE_NOT_FOUND_WAIT", "0.2"},
            {"CALLSCRIBE_WORKERS", "1"},
            {"CALLSCRIBE_JOB_LEASE", "3"},
            {"CALLSCRIBE_WEBHOOK_URL", m_receiver.url("/hooks/transcript")},
            {"CALLSCRIBE_WEBHOOK_SECRET", "whsec_" + encode_base64(k_webhook_key)},
            {"CALLSCRIBE_WEBHOOK_BACKOFF", "0.3,0.5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"},
        };
    }

    void start_serve() {
        m_serve.name = "serve";
        m_serve.command =
            std::make_unique<BackgroundCommand>(std::vector<std::string>{"serve"}, env());
        const auto ready = m_serve.command->read_line(60s);
        ASSERT_TRUE(ready && ready->starts_with("callscribe serving on "))
            << m_serve.end(false) << m_serve.log;
    }

    void start_worker(int n) {
        Process& worker = m_workers[static_cast<std::size_t>(n)];
        worker.name = fmt::format("worker {}", n);
        worker.command =
            std::make_unique<BackgroundCommand>(std::vector<std::string>{"worker"}, env());
        const auto started = worker.wait_for_log("callscribe worker ", 60s);
        ASSERT_TRUE(started) << worker.end(false) << worker.log;
        // "callscribe worker OWNER started: …"
        const auto from = started->find("callscribe worker ") + 18;
        worker.owner = started->substr(from, started->find(" started") - from);
    }

    void place_call() {
        sandbox::CallRequest request;
        request.audio = k_audio;
        request.scenario.processing_seconds =
            Seconds{std::uniform_real_distribution(0.2, 2.0)(m_random)};
        auto created = m_sandbox->create_call(request);
        ASSERT_TRUE(created) << created.error().message;
        m_calls.push_back(created->call_sid);
        m_unannounced.push_back(*created);
    }

    // Twilio's signed recording callback for each placed call, sent again while the service does
    // not answer 204 (PostgreSQL is down), as Twilio's retries would.
    void announce_calls() {
        while (!m_unannounced.empty() && test_support::send_recording_completed(
                                             m_client, *m_sandbox, m_unannounced.front(), m_url))
            m_unannounced.pop_front();
    }

    // Runs a query on the test's own connection; nothing while the database is down.
    std::optional<store::postgres::Rows> query(std::string_view sql,
                                               const Params& params = Params()) {
        try {
            if (!m_db) m_db = std::make_unique<Connection>(m_database.url());
            return m_db->exec(sql, params);
        } catch (const store::postgres::DbError&) {
            m_db.reset();
            return std::nullopt;
        }
    }

    int calls_finished() {
        const auto rows = query("SELECT count(*) FROM calls WHERE status IN ('done', 'gave_up')");
        return rows ? (*rows)[0].int_at(0) : -1;
    }

    bool all_settled() {
        const auto rows =
            query("SELECT (SELECT count(*) FROM calls WHERE status IN ('done', 'gave_up')), "
                  "(SELECT count(*) FROM webhooks WHERE state = 'pending')");
        return m_unannounced.empty() && rows && (*rows)[0].int_at(0) == k_calls &&
               (*rows)[0].int_at(1) == 0;
    }

    // Keeps the calls coming and the logs read until `done` or `limit`.
    template <class Done> bool run_until(Done done, std::chrono::seconds limit) {
        const auto deadline = SteadyClock::now() + limit;
        while (SteadyClock::now() < deadline) {
            if (m_calls.size() < k_calls && SteadyClock::now() >= m_next_call) {
                place_call();
                m_next_call = SteadyClock::now() + 150ms;
            }
            announce_calls();
            if (done()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    test_support::PrivatePostgresServer m_server;
    test_support::PostgresDatabase m_database;
    std::unique_ptr<Connection> m_db;
    test_support::TempDir m_dir;
    SystemClock m_clock;
    std::mt19937 m_random{20261129};
    net::curl::CurlHttpClient m_callbacks;
    net::curl::CurlHttpClient m_client;
    std::unique_ptr<sandbox::SandboxServer> m_sandbox;
    FakeHttpServer m_receiver{[](const FakeRequest&) { return FakeResponse::text(204, ""); }};
    std::uint16_t m_port = 0;
    std::string m_url;
    Process m_serve;
    std::vector<Process> m_workers{3};
    std::vector<std::string> m_calls;
    std::deque<sandbox::CreatedCall> m_unannounced;
    SteadyClock::time_point m_next_call{};
};

TEST_F(ScaleOutPostgres, ThreeWorkersShareTheCallsSurviveAKilledWorkerAndADatabaseRestart) {
    start_serve();
    for (int n = 0; n < 3; ++n) {
        start_worker(n);
        if (HasFatalFailure()) return;
    }

    // Worker 0 dies with a job in hand, once it has done some work.
    std::string orphaned;
    ASSERT_TRUE(run_until(
        [&] {
            if (m_workers[0].transcripts_saved() == 0) return false;
            const auto held = query(
                "SELECT call_sid FROM jobs WHERE state = 'running' AND lease_owner = $1 LIMIT 1",
                Params(m_workers[0].owner));
            if (!held || held->empty()) return false;
            orphaned = (*held)[0].text_at(0);
            return true;
        },
        180s))
        << "worker 0 never held a job after its first transcript";
    EXPECT_EQ(m_workers[0].end(true), 137);

    // PostgreSQL restarts while calls are arriving and jobs run.
    ASSERT_TRUE(run_until([&] { return calls_finished() >= 50; }, 240s));
    m_server.halt();
    run_until([] { return false; }, 2s);
    m_server.start();

    ASSERT_TRUE(run_until([&] { return all_settled(); }, 300s))
        << calls_finished() << " of " << k_calls << " calls finished after 300 s";
    for (Process* process : {&m_serve, &m_workers[1], &m_workers[2]}) {
        EXPECT_EQ(process->end(false), 0) << process->name << ": " << process->log;
        // The restart was noticed and weathered.
        const auto lost = process->log.find("listening for due jobs failed");
        EXPECT_NE(lost, std::string::npos) << process->name;
        EXPECT_NE(process->log.find("listening for due jobs again", lost), std::string::npos)
            << process->name;
    }

    // Every call transcribed once, offline, and never started over.
    for (const auto& call : m_calls) {
        const auto row =
            query("SELECT c.status, length(c.final_transcript), c.transcript_source, j.generation, "
                  "(SELECT count(*) FROM webhooks w WHERE w.call_sid = c.call_sid AND "
                  "w.state = 'delivered') FROM calls c JOIN jobs j ON j.call_sid = c.call_sid "
                  "WHERE c.call_sid = $1",
                  Params(call));
        ASSERT_TRUE(row && !row->empty()) << "no call row for " << call;
        EXPECT_EQ((*row)[0].text_at(0), "done") << call;
        EXPECT_GT((*row)[0].int_at(1), 0) << call;
        EXPECT_EQ((*row)[0].text_at(2), "offline") << call;
        EXPECT_EQ((*row)[0].int_at(3), 0) << call << " was started over";
        EXPECT_EQ((*row)[0].int_at(4), 1) << call << ": one delivered webhook";
    }
    const auto orphan = query("SELECT status FROM calls WHERE call_sid = $1", Params(orphaned));
    ASSERT_TRUE(orphan && !orphan->empty());
    EXPECT_EQ((*orphan)[0].text_at(0), "done") << "the killed worker's job was not taken over";

    // One webhook per call, under one webhook-id however often it was sent.
    std::map<std::string, std::set<std::string>> ids_by_call;
    for (const auto& hook : test_support::verified_webhooks(m_receiver, Secret(k_webhook_key)))
        ids_by_call[hook["call_sid"].get<std::string>()].insert(hook["_id"].get<std::string>());
    EXPECT_EQ(ids_by_call.size(), std::size_t{k_calls});
    for (const auto& [call, ids] : ids_by_call)
        EXPECT_EQ(ids.size(), 1u) << call;

    // The work was shared: each process saved transcripts, and no call was saved twice.
    const int by_serve = m_serve.transcripts_saved(), by_killed = m_workers[0].transcripts_saved(),
              by_worker_1 = m_workers[1].transcripts_saved(),
              by_worker_2 = m_workers[2].transcripts_saved();
    const int saved = by_serve + by_killed + by_worker_1 + by_worker_2;
    // (A kill between a commit and its log line may cost one line.)
    EXPECT_LE(saved, k_calls) << "a transcript was saved twice";
    EXPECT_GE(saved, k_calls - 1);
    EXPECT_GT(by_killed, 0);
    EXPECT_GT(by_worker_1, 0);
    EXPECT_GT(by_worker_2, 0);
    std::printf("scale-out: transcripts saved by serve %d, worker 0 (killed) %d, worker 1 %d, "
                "worker 2 %d; %zu webhook requests\n",
                by_serve, by_killed, by_worker_1, by_worker_2, m_receiver.request_count());
}

} // namespace
} // namespace callscribe
