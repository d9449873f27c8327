#pragma once
// A fixture for the offline_stt job within the library: a real SQLite store in a temp folder,
// real HTTP to a scripted Twilio on 127.0.0.1, real audio through the real decoder and
// PocketSphinx (one engine per test suite), and a fake clock: every wait is a reschedule that
// drive() skips over, returning its length.
#include "fakes/fake_http_server.hpp"
#include "fakes/scripted_twilio.hpp"
#include "jobs/job_runner.hpp"
#include "jobs/offline_stt_job.hpp"
#include "net/curl/curl_http_client.hpp"
#include "store/store.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "support/captured_log.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "twilio/recording_api.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::jobs::test {

class PipelineFixture : public ::testing::Test {
  public:
    static void SetUpTestSuite() {
        auto engine =
            stt::make_pocketsphinx_engine(stt::pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR));
        ASSERT_TRUE(engine) << engine.error().message;
        s_engine = std::move(*engine).release();
    }
    static void TearDownTestSuite() { delete s_engine; }

  protected:
    void SetUp() override {
        auto opened = store::open_store("sqlite://" + (m_dir / "callscribe.db").string());
        ASSERT_TRUE(opened) << opened.error().message;
        m_store = std::move(*opened);
        m_api = std::make_unique<twilio::RecordingApi>(
            fakes::twilio_settings("http://127.0.0.1:" + std::to_string(m_server.port())), m_http);
        m_settings.data_dir = m_dir.path();
        rebuild();
    }

    void rebuild(std::string owner = "test-worker") {
        m_job = std::make_unique<OfflineSttJob>(*m_store, *m_api, *m_engine, m_clock, m_settings);
        m_runner = std::make_unique<JobRunner>(*m_store, *m_job, m_clock, owner, Seconds{60});
    }

    // Runs due steps, jumping the clock to the next due time, until the job ends. Returns the
    // delays the job asked for, in order.
    std::vector<double> drive(int max_steps = 60) {
        std::vector<double> delays;
        auto transcriber = m_engine->make_transcriber();
        for (int i = 0; i < max_steps; ++i) {
            auto ran = m_runner->run_one(store::Lane::io, nullptr);
            EXPECT_TRUE(ran) << ran.error().message;
            if (ran && !*ran) ran = m_runner->run_one(store::Lane::cpu, transcriber.get());
            EXPECT_TRUE(ran) << ran.error().message;
            if (!ran) break;
            if (*ran) {
                const auto& outcome = **ran;
                if (outcome.result == StepResult::rescheduled) {
                    delays.push_back(Seconds(outcome.job.run_at - m_clock.now()).count());
                }
                if (outcome.result == StepResult::done || outcome.result == StepResult::gave_up)
                    break;
                continue;
            }
            auto job = m_store->find_job(fakes::k_call);
            if (!job || !*job || (*job)->state == store::JobState::done ||
                (*job)->state == store::JobState::failed)
                break;
            m_clock.set((*job)->run_at);
        }
        return delays;
    }

    store::CallLog call() {
        auto found = m_store->find_call(fakes::k_call);
        EXPECT_TRUE(found && *found);
        return **found;
    }

    void enqueue(std::optional<RecordingSid> recording = fakes::k_recording) {
        auto enqueued = m_store->enqueue_offline_stt(fakes::k_call, recording, m_clock.now());
        ASSERT_TRUE(enqueued) << enqueued.error().message;
    }

    std::vector<std::string> recordings_folder() {
        std::vector<std::string> names;
        std::error_code ec;
        for (auto& e : std::filesystem::directory_iterator(m_dir / "recordings", ec))
            names.push_back(e.path().filename().string());
        return names;
    }

    static inline stt::Engine* s_engine = nullptr;
    stt::Engine* m_engine = s_engine; // rebuild() after pointing it at another engine
    test_support::CapturedLog m_log;
    test_support::TempDir m_dir;
    test_support::FakeClock m_clock;
    fakes::ScriptedTwilio m_twilio;
    fakes::FakeHttpServer m_server{
        [this](const fakes::FakeRequest& r) { return m_twilio.answer(r); }};
    net::curl::CurlHttpClient m_http;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<twilio::RecordingApi> m_api;
    PipelineSettings m_settings;
    std::unique_ptr<OfflineSttJob> m_job;
    std::unique_ptr<JobRunner> m_runner;
};

} // namespace callscribe::jobs::test
