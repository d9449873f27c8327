// Crash safety: `callscribe serve` (the built binary) against the Twilio sandbox with many calls
// in flight, killed with SIGKILL at random moments and restarted each time. At the end every call
// has one final transcript, its webhook arrived under a single webhook-id, no temporary file is
// left and the database is intact.
//
// Environment: CALLSCRIBE_CHAOS_SEED (replays a run; printed), CALLSCRIBE_CHAOS_CALLS (50),
// CALLSCRIBE_CHAOS_KILLS (30), CALLSCRIBE_CHAOS_REPORT (a file for the figures, as JSON; used by
// scripts/reliability.sh).
#include "core/base64.hpp"
#include "fakes/fake_http_server.hpp"
#include "net/curl/curl_http_client.hpp"
#include "sandbox/sandbox_server.hpp"
#include "store/sqlite/connection.hpp"
#include "support/command.hpp"
#include "support/recording_callback.hpp"
#include "support/temp_dir.hpp"
#include "support/verified_webhooks.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace callscribe {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using test_support::BackgroundCommand;
using SteadyClock = std::chrono::steady_clock;

const std::string k_webhook_key = "callscribe-chaos-webhook-key";
const std::filesystem::path k_audio =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt01.mp3";
constexpr std::string_view k_ready_line = "callscribe serving on ";

int env_int(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// What the service was doing at the moment of a kill, read from its database and the receiver.
struct Moment {
    bool waiting = false;         // a call waits for Twilio (a reschedule after not ready)
    bool downloading = false;     // a job is in its download step
    bool transcribing = false;    // a job is in its transcribe step
    bool webhook_pending = false; // a transcript is saved, its webhook not delivered yet
    bool mid_webhook = false;     // a webhook request is being answered right now
};

// The webhook receiver: answers after a random pause (so kills land mid-request) and sometimes
// with 503 (so deliveries are retried).
class Receiver {
  public:
    explicit Receiver(std::uint32_t seed) : m_random(seed) {}

    FakeResponse answer(const FakeRequest&) {
        std::lock_guard lock(m_mutex);
        FakeResponse response = std::uniform_int_distribution(0, 4)(m_random) == 0
                                    ? FakeResponse::text(503, "busy")
                                    : FakeResponse::text(204, "");
        response.delay = std::chrono::milliseconds(std::uniform_int_distribution(0, 800)(m_random));
        m_busy_until = std::max(m_busy_until, SteadyClock::now() + response.delay);
        return response;
    }
    bool answering() const {
        std::lock_guard lock(m_mutex);
        return SteadyClock::now() < m_busy_until;
    }

  private:
    mutable std::mutex m_mutex;
    std::mt19937 m_random;
    SteadyClock::time_point m_busy_until{};
};

class Chaos : public ::testing::Test {
  protected:
    Chaos()
        : m_seed(static_cast<std::uint32_t>(
              env_int("CALLSCRIBE_CHAOS_SEED", static_cast<int>(std::random_device{}() >> 1)))),
          m_random(m_seed), m_receiver_logic(m_seed + 1) {
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
            {"CALLSCRIBE_LISTEN", fmt::format("127.0.0.1:{}", m_port)},
            {"CALLSCRIBE_DATA_DIR", m_dir.path().string()},
            {"CALLSCRIBE_READY_BACKOFF", "0.3,0.5,0.5,1,1,1,1,1,1,1,1,1,1,1,1"},
            {"CALLSCRIBE_NOT_FOUND_WAIT", "0.2"},
            {"CALLSCRIBE_WORKERS", "2"},
            {"CALLSCRIBE_JOB_LEASE", "2"},
            {"CALLSCRIBE_WEBHOOK_URL", m_receiver.url("/hooks/transcript")},
            {"CALLSCRIBE_WEBHOOK_SECRET", "whsec_" + encode_base64(k_webhook_key)},
            {"CALLSCRIBE_WEBHOOK_BACKOFF", "0.3,0.5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"},
        };
    }

    void start_service() {
        m_service = std::make_unique<BackgroundCommand>(std::vector<std::string>{"serve"}, env());
        ASSERT_TRUE(m_service->running());
        const auto line = m_service->read_line(60s);
        ASSERT_TRUE(line) << m_service->stop().err;
        ASSERT_TRUE(line->starts_with(k_ready_line)) << *line;
    }

    // A call whose recording is processing for a random while, with a random hiccup or two.
    void place_call() {
        sandbox::CallRequest request;
        request.audio = k_audio;
        auto& scenario = request.scenario;
        scenario.processing_seconds = Seconds{std::uniform_real_distribution(0.0, 4.0)(m_random)};
        scenario.media_not_found_first = std::uniform_int_distribution(0, 1)(m_random);
        auto created = m_sandbox->create_call(request);
        ASSERT_TRUE(created) << created.error().message;
        m_calls.push_back(created->call_sid);
        m_unannounced.push_back(*created);
    }

    // Twilio's recording callback for each placed call, signed; one that the service did not
    // answer with 204 (it was down) is sent again later, as Twilio's retries would.
    void announce_calls() {
        while (!m_unannounced.empty() && test_support::send_recording_completed(
                                             m_client, *m_sandbox, m_unannounced.front(), m_url))
            m_unannounced.pop_front();
    }

    Moment moment() {
        Moment m;
        m.mid_webhook = m_receiver_logic.answering();
        try {
            store::sqlite::Connection db(m_dir / "callscribe.db", 100ms);
            store::sqlite::Statement jobs(
                db, "SELECT state, step, ready_attempts FROM jobs WHERE state IN "
                    "('queued', 'running')");
            while (jobs.step()) {
                const std::string state = jobs.text_at(0), step = jobs.text_at(1);
                if (state == "queued" && jobs.int_at(2) > 0) m.waiting = true;
                if (state == "running" && step == "download") m.downloading = true;
                if (state == "running" && step == "transcribe") m.transcribing = true;
            }
            store::sqlite::Statement hooks(db,
                                           "SELECT count(*) FROM webhooks WHERE state = 'pending'");
            m.webhook_pending = hooks.step() && hooks.int_at(0) > 0;
        } catch (const std::exception&) {
            // The database is busy or not created yet: the moment stays unknown.
        }
        return m;
    }

    // Waits a random while (sending callbacks meanwhile), then until the service is doing the
    // kind of work `target` names (for at most a few seconds), and kills it.
    Moment kill_at_random(int target) {
        const auto pause =
            std::chrono::milliseconds(std::uniform_int_distribution(200, 1500)(m_random));
        const auto until = SteadyClock::now() + pause;
        while (SteadyClock::now() < until) {
            announce_calls();
            std::this_thread::sleep_for(20ms);
        }
        // Webhooks come in bursts as calls finish: worth waiting longer for.
        const auto give_up = SteadyClock::now() + (target >= 3 ? 5s : 2s);
        Moment m = moment();
        const auto wanted = [&] {
            switch (target) {
            case 0:
                return m.waiting;
            case 1:
                return m.downloading;
            case 2:
                return m.transcribing;
            case 3:
                return m.webhook_pending;
            default:
                return m.mid_webhook;
            }
        };
        while (!wanted() && SteadyClock::now() < give_up) {
            std::this_thread::sleep_for(5ms);
            m = moment();
        }
        EXPECT_EQ(m_service->kill().exit_code, 137);
        return m;
    }

    bool all_settled() {
        try {
            store::sqlite::Connection db(m_dir / "callscribe.db", 100ms);
            store::sqlite::Statement open(
                db, "SELECT (SELECT count(*) FROM calls WHERE status IN ('done', 'gave_up')), "
                    "(SELECT count(*) FROM webhooks WHERE state = 'pending')");
            return open.step() && open.int_at(0) == static_cast<int>(m_calls.size()) &&
                   open.int_at(1) == 0;
        } catch (const std::exception&) {
            return false;
        }
    }

    const std::uint32_t m_seed;
    std::mt19937 m_random;
    test_support::TempDir m_dir;
    SystemClock m_clock;
    net::curl::CurlHttpClient m_callbacks;
    net::curl::CurlHttpClient m_client;
    std::unique_ptr<sandbox::SandboxServer> m_sandbox;
    Receiver m_receiver_logic;
    FakeHttpServer m_receiver{[this](const FakeRequest& r) { return m_receiver_logic.answer(r); }};
    std::unique_ptr<BackgroundCommand> m_service;
    std::uint16_t m_port = 0;
    std::string m_url;
    std::vector<std::string> m_calls;
    std::deque<sandbox::CreatedCall> m_unannounced;
};

TEST_F(Chaos, KilledAtRandomMomentsItLosesAndDuplicatesNothing) {
    const int calls = env_int("CALLSCRIBE_CHAOS_CALLS", 50);
    const int kills = env_int("CALLSCRIBE_CHAOS_KILLS", 30);
    std::printf("chaos: seed %u (replay: CALLSCRIBE_CHAOS_SEED=%u), %d calls, %d kills\n", m_seed,
                m_seed, calls, kills);
    std::fflush(stdout);
    const auto began = SteadyClock::now();

    start_service();
    std::map<std::string, int> moments;
    for (int kill = 0; kill < kills; ++kill) {
        // The calls arrive over the first half of the run, so every kill finds some waiting.
        const int placed_by_now = std::min(calls, (kill + 1) * calls * 2 / kills);
        while (static_cast<int>(m_calls.size()) < placed_by_now)
            place_call();
        const Moment m = kill_at_random(kill % 5);
        moments["waiting"] += m.waiting;
        moments["downloading"] += m.downloading;
        moments["transcribing"] += m.transcribing;
        moments["webhook_pending"] += m.webhook_pending;
        moments["mid_webhook"] += m.mid_webhook;
        start_service();
        if (HasFatalFailure()) return;
    }
    while (static_cast<int>(m_calls.size()) < calls)
        place_call();

    // Left alone, the service finishes everything.
    const auto deadline = SteadyClock::now() + 300s;
    while (!(m_unannounced.empty() && all_settled()) && SteadyClock::now() < deadline) {
        announce_calls();
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(m_unannounced.empty());
    ASSERT_TRUE(all_settled()) << "not finished after 300 s; seed " << m_seed;
    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;

    // Every call: one final transcript from the offline engine.
    store::sqlite::Connection db(m_dir / "callscribe.db", 1000ms);
    int transcribed_once = 0;
    for (const auto& call : m_calls) {
        store::sqlite::Statement row(
            db, "SELECT c.status, c.final_transcript, c.transcript_source, j.generation, "
                "(SELECT count(*) FROM webhooks w WHERE w.call_sid = c.call_sid) "
                "FROM calls c JOIN jobs j ON j.call_sid = c.call_sid WHERE c.call_sid = ?1");
        row.bind(call);
        ASSERT_TRUE(row.step()) << "no call row for " << call << "; seed " << m_seed;
        EXPECT_EQ(row.text_at(0), "done") << call;
        EXPECT_FALSE(row.text_at(1).empty()) << call;
        EXPECT_EQ(row.text_at(2), "offline") << call;
        EXPECT_EQ(row.int_at(3), 0) << call << ": the job was started over";
        EXPECT_EQ(row.int_at(4), 1) << call << ": one outbox entry";
        if (row.text_at(0) == "done" && !row.text_at(1).empty() && row.int_at(4) == 1)
            ++transcribed_once;
    }

    // Every call's webhook arrived (a 2xx answer), always under one webhook-id.
    std::map<std::string, std::set<std::string>> ids_by_call;
    for (const auto& hook : test_support::verified_webhooks(m_receiver, Secret(k_webhook_key)))
        ids_by_call[hook["call_sid"].get<std::string>()].insert(hook["_id"].get<std::string>());
    store::sqlite::Statement delivered(db,
                                       "SELECT count(*) FROM webhooks WHERE state = 'delivered'");
    ASSERT_TRUE(delivered.step());
    EXPECT_EQ(delivered.int_at(0), calls);
    int lost = 0, duplicated = 0;
    for (const auto& call : m_calls) {
        const auto found = ids_by_call.find(call);
        if (found == ids_by_call.end()) {
            ++lost;
            ADD_FAILURE() << "no webhook for " << call;
        } else if (found->second.size() != 1) {
            ++duplicated;
            ADD_FAILURE() << call << " came under " << found->second.size() << " webhook-ids";
        }
    }

    // No temporary or partial files; one recording per call.
    int partial = 0, recordings = 0;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir / "recordings")) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(".") || name.ends_with(".part")) {
            ++partial;
            ADD_FAILURE() << "left behind: " << name;
        } else {
            ++recordings;
        }
    }
    EXPECT_EQ(recordings, calls);

    store::sqlite::Statement integrity(db, "PRAGMA integrity_check");
    ASSERT_TRUE(integrity.step());
    const std::string intact = integrity.text_at(0);
    EXPECT_EQ(intact, "ok");

    const double seconds = std::chrono::duration<double>(SteadyClock::now() - began).count();
    const json report{{"seed", m_seed},
                      {"calls", calls},
                      {"kills", kills},
                      {"kills_waiting", moments["waiting"]},
                      {"kills_downloading", moments["downloading"]},
                      {"kills_transcribing", moments["transcribing"]},
                      {"kills_webhook_pending", moments["webhook_pending"]},
                      {"kills_mid_webhook", moments["mid_webhook"]},
                      {"webhook_requests", m_receiver.request_count()},
                      {"transcribed_once", transcribed_once},
                      {"lost", lost},
                      {"duplicated", duplicated},
                      {"partial_files", partial},
                      {"integrity", intact},
                      {"seconds", static_cast<int>(seconds)}};
    std::printf("chaos: %s\n", report.dump().c_str());
    if (const char* out = std::getenv("CALLSCRIBE_CHAOS_REPORT"); out != nullptr && *out != '\0')
        std::ofstream(out) << report.dump(2) << '\n';
}

} // namespace
} // namespace callscribe
