// The fault matrix: one test per fault of Twilio, the webhook receiver, the disk, the database
// and the engine, each asserting what the pipeline does about it and that nothing is lost (the
// call row, its transcript or its fallback webhook, no partial file). With
// CALLSCRIBE_FAULT_MATRIX_OUT set, each test also appends its observed row (JSON, one per line)
// to that file; scripts/reliability.sh turns the rows into docs/reliability.md.
#include "fakes/fake_stt_server.hpp"
#include "integration/jobs/pipeline_fixture.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "stt/engines.hpp"
#include "support/command.hpp"
#include "support/fault_row.hpp"
#include "webhook/outbox.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include <sys/mount.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace callscribe::jobs {
namespace {

using fakes::audio_bytes;
using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using fakes::k_call;
using nlohmann::json;
using store::CallStatus;
using namespace std::chrono_literals;

constexpr std::string_view k_realtime = "the agent heard this live";

FakeResponse twilio_error(int status, std::string_view message) {
    return FakeResponse::json(status, fmt::format(R"({{"code":{},"message":"{}","status":{}}})",
                                                  20000 + status, message, status));
}

FakeResponse mp3(std::string body = audio_bytes()) {
    return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, std::move(body)};
}

class FaultMatrix : public test::PipelineFixture {
  protected:
    void SetUp() override {
        PipelineFixture::SetUp();
        m_settings.webhook_enabled = true;
        m_settings.public_url = "http://callscribe.test";
        m_settings.download_limits.stall = Seconds{1};
        rebuild();
        // The live agent's transcript came first: a call that gives up still has one to send.
        auto saved = m_store->save_realtime_transcript(k_call, k_realtime, m_clock.now());
        ASSERT_TRUE(saved) << saved.error().message;
    }

    std::vector<store::WebhookDelivery> deliveries() {
        auto found = m_store->find_webhooks(k_call);
        EXPECT_TRUE(found) << found.error().message;
        return found ? *found : std::vector<store::WebhookDelivery>{};
    }

    static TimePoint later(TimePoint from, Seconds by) {
        return from + std::chrono::duration_cast<TimePoint::duration>(by);
    }

    // Everything that should exist after the fault but does not, or "nothing".
    std::string lost() {
        std::vector<std::string> missing;
        const auto found = m_store->find_call(k_call);
        if (!found || !*found) return "the call row";
        const store::CallLog& c = **found;
        const auto webhooks = deliveries();
        if (webhooks.empty()) missing.push_back("the webhook");
        if (c.status == CallStatus::done && c.final_transcript.empty())
            missing.push_back("the transcript");
        if (c.status == CallStatus::gave_up && c.realtime_transcript != k_realtime)
            missing.push_back("the realtime transcript");
        if (c.status == CallStatus::gave_up && !webhooks.empty() &&
            json::parse(webhooks.back().payload)["transcript"] != k_realtime)
            missing.push_back("the fallback in the webhook");
        for (const auto& name : recordings_folder())
            if (name.ends_with(".part")) missing.push_back("a partial file " + name);
        return missing.empty() ? "nothing" : fmt::format("{}", fmt::join(missing, ", "));
    }

    // The last log line holding `marker`: what an operator reads about the fault.
    std::string line_with(std::string_view marker) const {
        const auto lines = m_log.lines();
        for (auto it = lines.rbegin(); it != lines.rend(); ++it)
            if (it->find(marker) != std::string::npos) return *it;
        ADD_FAILURE() << "no log line holds \"" << marker << "\":\n" << m_log.text();
        return {};
    }

    std::string call_summary() {
        const store::CallLog c = call();
        std::string text = std::string(store::to_string(c.status));
        if (c.transcript_source)
            text += fmt::format(", webhook with the {} transcript",
                                store::to_string(*c.transcript_source));
        if (!c.last_error.empty()) text += fmt::format("; last_error: {}", c.last_error);
        return text;
    }

    // Asserts nothing was lost and writes the row.
    // `log_marker` picks the log line to show; a marker starting with "error: " is shown as it
    // is (an error returned to the worker, which logs it).
    void record(std::string_view group, std::string_view fault, std::string_view outcome,
                std::string_view log_marker, std::string call_log = {}) {
        const std::string lost_now = lost();
        EXPECT_EQ(lost_now, "nothing");
        if (call_log.empty()) call_log = call_summary();
        test_support::write_fault_row({.group = group,
                                       .fault = fault,
                                       .outcome = outcome,
                                       .log = log_marker.starts_with("error: ")
                                                  ? std::string(log_marker)
                                                  : strip_time(line_with(log_marker)),
                                       .call_log = call_log,
                                       .lost = lost_now});
    }

    static std::string strip_time(const std::string& line) {
        // "2026-11-25T17:28:00.844 info [OFFLINE_STT] …" → "[OFFLINE_STT] …"
        const auto bracket = line.find('[');
        return bracket == std::string::npos ? line : line.substr(bracket);
    }

    // Delivers the outbox, jumping the clock to each next attempt, for at most `span`.
    int pump(const config::WebhookSettings& hooks, Seconds span) {
        const TimePoint end = later(m_clock.now(), span);
        int attempts = 0;
        while (m_clock.now() <= end) {
            auto handled =
                webhook::deliver_due(*m_store, m_http, hooks, m_clock, "pump", Seconds{60});
            EXPECT_TRUE(handled) << handled.error().message;
            if (!handled) break;
            attempts += *handled;
            auto next = m_store->next_webhook_due();
            if (!next || !*next) break;
            m_clock.set(std::max(**next, m_clock.now()));
        }
        return attempts;
    }

    config::WebhookSettings hooks_for(const FakeHttpServer& receiver) const {
        config::WebhookSettings hooks;
        hooks.url = receiver.url("/hook");
        hooks.secret = Secret("key");
        hooks.backoff = {Seconds{5}, Seconds{300}, Seconds{1800}, Seconds{7200}};
        hooks.timeout = Seconds{1};
        return hooks;
    }
};

// --- Twilio -----------------------------------------------------------------------------------

TEST_F(FaultMatrix, TwilioMedia404Forever) {
    m_twilio.media = [](int, const std::string&) { return twilio_error(404, "not found"); };
    enqueue();
    drive();
    EXPECT_EQ(call().status, CallStatus::gave_up);
    EXPECT_EQ(m_twilio.media_requests, 3 * 6) << "three URL forms on each of the 6 passes";
    record("Twilio", "media URLs answer 404 forever",
           "each pass tries the base URL, .mp3 and .wav, then waits the readiness backoff; "
           "gives up after the last one and sends the realtime transcript",
           "Giving up");
}

TEST_F(FaultMatrix, Twilio401BadCredentials) {
    config::TwilioSettings wrong;
    wrong.account_sid = fakes::k_account;
    wrong.auth_token = Secret("wrong");
    wrong.api_base = m_api->api_base();
    m_api = std::make_unique<twilio::RecordingApi>(wrong, m_http);
    rebuild();
    enqueue();
    drive();
    EXPECT_EQ(m_server.request_count(), 1u);
    EXPECT_EQ(call().status, CallStatus::gave_up);
    record("Twilio", "401 (wrong credentials)",
           "gives up after one request: retrying cannot fix credentials", "Giving up");
}

TEST_F(FaultMatrix, Twilio403OnTheMedia) {
    m_twilio.media = [](int, const std::string&) { return twilio_error(403, "Forbidden"); };
    enqueue();
    drive();
    EXPECT_EQ(m_twilio.media_requests, 1);
    EXPECT_EQ(call().status, CallStatus::gave_up);
    record("Twilio", "403 on the media", "gives up after one request", "Giving up");
}

TEST_F(FaultMatrix, Twilio429WithRetryAfter) {
    m_twilio.media = [](int n, const std::string&) {
        if (n > 0) return mp3();
        FakeResponse busy = twilio_error(429, "Too Many Requests");
        busy.headers.emplace_back("Retry-After", "7");
        return busy;
    };
    enqueue();
    EXPECT_EQ(drive(), (std::vector<double>{7}));
    EXPECT_EQ(call().status, CallStatus::done);
    record("Twilio", "429 with Retry-After: 7", "waits exactly the 7 s asked for, then downloads",
           "will retry in");
}

TEST_F(FaultMatrix, Twilio429WithoutRetryAfter) {
    m_twilio.media = [](int n, const std::string&) {
        return n > 0 ? mp3() : twilio_error(429, "Too Many Requests");
    };
    enqueue();
    const auto delays = drive();
    ASSERT_EQ(delays.size(), 1u);
    EXPECT_LE(delays[0], 2.0) << "the first backoff step, with jitter";
    EXPECT_EQ(call().status, CallStatus::done);
    record("Twilio", "429 without Retry-After",
           "exponential backoff with full jitter (first step ≤ 2 s), then downloads",
           "will retry in");
}

TEST_F(FaultMatrix, Twilio500And503) {
    m_twilio.media = [](int n, const std::string&) {
        if (n == 0) return twilio_error(500, "Internal Server Error");
        if (n == 1) return twilio_error(503, "Service Unavailable");
        return mp3();
    };
    enqueue();
    EXPECT_EQ(drive().size(), 2u);
    EXPECT_EQ(call().status, CallStatus::done);
    record("Twilio", "500, then 503", "two backoff steps, then downloads", "transient failure 2");
}

TEST_F(FaultMatrix, TwilioServerErrorsForever) {
    m_twilio.media = [](int, const std::string&) { return twilio_error(503, "Unavailable"); };
    enqueue();
    const auto delays = drive();
    ASSERT_EQ(m_settings.max_transient_attempts, 10);
    EXPECT_EQ(m_twilio.media_requests, 11) << "the first try and 10 retries";
    EXPECT_EQ(delays.size(), 10u);
    EXPECT_LE(*std::max_element(delays.begin(), delays.end()), 300.0) << "the backoff's cap";
    EXPECT_EQ(call().status, CallStatus::gave_up);
    record("Twilio", "503 forever",
           "backs off up to 300 s between tries; after 10 retries in a row gives up and sends "
           "the realtime transcript",
           "Giving up");
}

TEST_F(FaultMatrix, TwilioStalledBody) {
    m_twilio.media = [](int n, const std::string&) {
        if (n > 0) return mp3();
        FakeResponse stalled = mp3();
        stalled.cut_body_at = 1000;
        stalled.cut_pause = std::chrono::seconds(60);
        return stalled;
    };
    enqueue();
    EXPECT_EQ(drive().size(), 1u);
    EXPECT_EQ(call().status, CallStatus::done);
    EXPECT_TRUE(m_log.contains("no data for 1s")) << m_log.text();
    record("Twilio", "a body that stalls (no byte for 60 s)",
           "the download ends after the stall limit (30 s; 1 s in this test), the partial file "
           "is removed, the retry downloads",
           "no data for");
}

TEST_F(FaultMatrix, TwilioTruncatedBody) {
    m_twilio.media = [](int n, const std::string&) {
        FakeResponse cut = mp3();
        if (n == 0) cut.cut_body_at = cut.body.size() / 2;
        return cut;
    };
    enqueue();
    EXPECT_EQ(drive().size(), 1u);
    EXPECT_EQ(call().status, CallStatus::done);
    record("Twilio", "a truncated body (connection closed before Content-Length)",
           "the partial file is removed, the retry downloads", "will retry in");
}

TEST_F(FaultMatrix, TwilioWrongContentType) {
    m_twilio.media = [](int, const std::string&) {
        return FakeResponse{200, {{"Content-Type", "text/plain"}}, audio_bytes()};
    };
    enqueue();
    EXPECT_TRUE(drive().empty());
    EXPECT_EQ(call().status, CallStatus::done);
    EXPECT_EQ(call().recording_path, "recordings/" + k_call.str() + ".mp3");
    record("Twilio", "audio served with a wrong Content-Type (text/plain)",
           "accepted: the bytes decode as MP3, which names the file", "Recording saved to disk");
}

TEST_F(FaultMatrix, TwilioHtmlErrorPageWith200) {
    m_twilio.media = [](int n, const std::string&) {
        return n > 0 ? mp3()
                     : FakeResponse{200,
                                    {{"Content-Type", "text/html"}},
                                    "<html><body>Service temporarily unavailable</body></html>"};
    };
    enqueue();
    EXPECT_EQ(drive().size(), 1u);
    EXPECT_EQ(call().status, CallStatus::done);
    record("Twilio", "an HTML error page with 200",
           "refused (it does not decode as audio), not saved; the retry downloads",
           "will retry in");
}

TEST_F(FaultMatrix, TwilioRedirectLoop) {
    FakeHttpServer loop(
        [&](const FakeRequest& r) { return FakeResponse::redirect(302, loop.url(r.path())); });
    m_twilio.media = [&](int, const std::string&) {
        return FakeResponse::redirect(302, loop.url("/loop"));
    };
    enqueue();
    const auto delays = drive();
    EXPECT_EQ(m_twilio.media_requests, 11) << "the first try and 10 retries";
    EXPECT_EQ(delays.size(), 10u);
    EXPECT_EQ(loop.request_count(), 11u * net::curl::CurlHttpClient::k_max_redirects)
        << "each try stopped after the redirect limit";
    EXPECT_EQ(call().status, CallStatus::gave_up);
    record("Twilio", "a redirect loop",
           "each try stops after a bounded number of redirects; after 10 retries the job gives "
           "up and sends the realtime transcript",
           "Giving up");
}

TEST_F(FaultMatrix, TwilioEmptyBody) {
    m_twilio.media = [](int n, const std::string&) { return n > 0 ? mp3() : mp3(""); };
    enqueue();
    EXPECT_EQ(drive().size(), 1u);
    EXPECT_EQ(call().status, CallStatus::done);
    record("Twilio", "200 with an empty body", "not saved; the retry downloads", "empty body");
}

// --- The recording itself ---------------------------------------------------------------------

TEST_F(FaultMatrix, CorruptAudio) {
    std::string garbage(20000, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i)
        garbage[i] = static_cast<char>((i * 7919 + 13) % 251);
    m_twilio.media = [&](int, const std::string&) {
        return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, garbage};
    };
    enqueue();
    const auto delays = drive();
    EXPECT_EQ(m_twilio.media_requests, 11) << "the first try and 10 retries";
    EXPECT_EQ(delays.size(), 10u);
    EXPECT_EQ(call().status, CallStatus::gave_up);
    record("Recording", "corrupt audio (bytes that decode as nothing)",
           "refused at every try, never saved; after 10 retries gives up and sends the realtime "
           "transcript",
           "Giving up");
}

// --- The engine -------------------------------------------------------------------------------

class FaultMatrixEngine : public FaultMatrix {
  protected:
    // Built as `serve` builds it: failures come back at once, the job does the waiting.
    void use_openai() {
        config::SttSettings settings;
        settings.engine = "openai";
        settings.url = m_stt.base_url();
        m_openai = stt::make_engine(settings, std::make_shared<net::curl::CurlHttpClient>(), 1,
                                    stt::ServiceWaits::returned)
                       .value();
        m_engine = m_openai.get();
        rebuild();
    }
    fakes::FakeSttServer m_stt;
    std::unique_ptr<stt::Engine> m_openai;
};

TEST_F(FaultMatrixEngine, EngineRejectsOneFile) {
    use_openai();
    m_stt.queue_response(FakeResponse::json(
        400, fakes::FakeSttServer::error_json("Invalid file format.", "invalid_request_error")));
    enqueue();
    drive();
    EXPECT_EQ(call().status, CallStatus::gave_up);
    EXPECT_EQ(m_stt.request_count(), 1u);
    record("Engine", "the engine rejects one file (400)",
           "that call gives up at once with the engine's message and sends the realtime "
           "transcript; other calls go on",
           "Giving up");
}

TEST_F(FaultMatrixEngine, EngineDownForAWhile) {
    use_openai();
    m_stt.queue_failures(4, 503);
    enqueue();
    drive();
    EXPECT_EQ(call().status, CallStatus::done);
    EXPECT_EQ(m_stt.request_count(), 5u);
    record("Engine", "the engine answers 503 for a while",
           "no worker waits: each try returns at once, the job backs off and transcribes later",
           "will retry in");
}

TEST_F(FaultMatrixEngine, EngineRateLimitedWithRetryAfter) {
    use_openai();
    m_stt.queue_failures(1, 429, {{"Retry-After", "120"}});
    enqueue();
    const auto delays = drive();
    EXPECT_EQ(call().status, CallStatus::done);
    EXPECT_EQ(m_stt.request_count(), 2u);
    EXPECT_EQ(delays, std::vector<double>{120}) << "the job, not the engine, waited";
    record("Engine", "the engine answers 429 with Retry-After: 120",
           "no worker waits: the step returns at once and the job runs again 120 s later",
           "will retry in 120s");
}

// --- The disk and the database ----------------------------------------------------------------

TEST_F(FaultMatrix, DiskFullWhileWritingTheRecording) {
    const auto folder = m_dir / "recordings";
    std::filesystem::create_directories(folder);
    if (::mount("tmpfs", folder.c_str(), "tmpfs", 0, "size=8k") != 0)
        GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): " << std::strerror(errno);
    enqueue();
    auto first = m_runner->run_one(store::Lane::io, nullptr); // resolve
    ASSERT_TRUE(first && *first);
    auto full = m_runner->run_one(store::Lane::io, nullptr); // download: ENOSPC
    ASSERT_TRUE(full && *full);
    EXPECT_EQ((*full)->result, StepResult::rescheduled);
    EXPECT_TRUE(recordings_folder().empty()) << "the partial file is removed";
    ASSERT_EQ(::umount(folder.c_str()), 0) << std::strerror(errno);
    drive(); // space is back
    EXPECT_EQ(call().status, CallStatus::done);
    record("Disk", "the disk fills up while the recording is written",
           "the partial file is removed and the step backs off as a transient failure; once "
           "there is space again the retry downloads",
           "No space left on device");
}

TEST_F(FaultMatrix, DatabaseLockedByAnotherProcess) {
    // Another process takes the write lock while the recording downloads, so saving the
    // step's progress finds the database locked.
    auto locked =
        store::sqlite::SqliteStore::open(m_dir / "callscribe.db", {.busy_timeout = 200ms});
    ASSERT_TRUE(locked) << locked.error().message;
    m_store = std::move(*locked);
    rebuild();
    std::unique_ptr<test_support::BackgroundCommand> holder;
    m_twilio.media = [&](int n, const std::string&) {
        if (n == 0) {
            holder = test_support::BackgroundCommand::program(
                {"/usr/bin/python3", "-c",
                 "import sqlite3, sys, time\n"
                 "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                 "db.execute('BEGIN EXCLUSIVE')\n"
                 "print('locked', flush=True)\n"
                 "time.sleep(600)\n",
                 (m_dir / "callscribe.db").string()});
            EXPECT_EQ(holder->read_line(10s), "locked");
        }
        return mp3();
    };
    enqueue();
    ASSERT_TRUE(m_runner->run_one(store::Lane::io, nullptr).value()); // resolve
    auto blocked = m_runner->run_one(store::Lane::io, nullptr);       // download, then save
    ASSERT_FALSE(blocked);
    EXPECT_TRUE(blocked.error().retryable) << blocked.error().message;
    EXPECT_NE(blocked.error().message.find("locked"), std::string::npos) << blocked.error().message;
    const std::string step_error = "error: " + blocked.error().message;
    holder->kill();               // the other process ends; its lock goes with it
    m_clock.advance(Seconds{61}); // this worker's lease on the job runs out
    drive();
    EXPECT_EQ(call().status, CallStatus::done);
    EXPECT_EQ(m_twilio.media_requests, 2) << "the download is made again";
    record("Database", "another process holds the SQLite write lock mid-step",
           "the save fails after the busy timeout (5 s; 0.2 s in this test) with a retryable "
           "error; the job stays leased, then runs again from its last saved step",
           step_error,
           fmt::format("{}; the step that could not be saved ran again", call_summary()));
}

// --- The webhook receiver ---------------------------------------------------------------------

class FaultMatrixWebhook : public FaultMatrix {
  protected:
    // A call transcribed, its webhook in the outbox.
    void transcribe() {
        enqueue();
        drive();
        ASSERT_EQ(call().status, CallStatus::done);
    }
    store::WebhookDelivery delivery() {
        auto all = deliveries();
        EXPECT_EQ(all.size(), 1u);
        if (all.empty()) throw std::runtime_error("no webhook in the outbox");
        return all[0];
    }
    std::string delivery_summary() {
        const auto d = delivery();
        return fmt::format("{}; webhook {} after {} attempt{}{}", call_summary(),
                           store::to_string(d.state), d.attempts, d.attempts == 1 ? "" : "s",
                           d.last_error.empty() ? "" : "; " + d.last_error);
    }
};

TEST_F(FaultMatrixWebhook, ReceiverDownForAnHour) {
    transcribe();
    const TimePoint back_at = later(m_clock.now(), Seconds{3600});
    FakeHttpServer receiver([&](const FakeRequest&) {
        if (m_clock.now() < back_at) {
            FakeResponse gone;
            gone.close_without_answer = true;
            return gone;
        }
        return FakeResponse::text(204, "");
    });
    pump(hooks_for(receiver), Seconds{4 * 3600});
    const auto d = delivery();
    EXPECT_EQ(d.state, store::DeliveryState::delivered);
    EXPECT_EQ(d.attempts, 5) << "at 0, 5 s, 5 min, 35 min, then 2 h 35 min";
    const auto requests = receiver.requests();
    ASSERT_EQ(requests.size(), 5u);
    for (const auto& r : requests)
        EXPECT_EQ(r.header("webhook-id"), d.id);
    record("Webhook", "the receiver is down for an hour",
           "retried on the backoff list under one webhook-id; delivered once it is back",
           "Delivered", delivery_summary());
}

TEST_F(FaultMatrixWebhook, ReceiverAnswers410) {
    transcribe();
    FakeHttpServer receiver([](const FakeRequest&) { return FakeResponse::text(410, "gone"); });
    pump(hooks_for(receiver), Seconds{24 * 3600});
    EXPECT_EQ(delivery().state, store::DeliveryState::failed);
    EXPECT_EQ(receiver.request_count(), 1u);
    EXPECT_FALSE(call().final_transcript.empty());
    record("Webhook", "the receiver answers 410 Gone",
           "no more attempts (the receiver said so); the transcript stays in the call log and "
           "the API",
           "410 Gone", delivery_summary());
}

TEST_F(FaultMatrixWebhook, SlowReceiver) {
    transcribe();
    int answered = 0;
    FakeHttpServer receiver([&](const FakeRequest&) {
        FakeResponse ok = FakeResponse::text(204, "");
        if (answered++ == 0) ok.delay = 3s; // longer than the 1 s attempt limit
        return ok;
    });
    pump(hooks_for(receiver), Seconds{3600});
    const auto d = delivery();
    EXPECT_EQ(d.state, store::DeliveryState::delivered);
    EXPECT_EQ(d.attempts, 2);
    const auto requests = receiver.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].header("webhook-id"), requests[1].header("webhook-id"));
    record("Webhook", "the receiver is slower than the attempt limit (15 s; 1 s in this test)",
           "the attempt times out and is retried under the same webhook-id (the receiver "
           "deduplicates on it)",
           "timed out", delivery_summary());
}

} // namespace
} // namespace callscribe::jobs
