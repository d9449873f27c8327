// WorkerPool on PostgreSQL: idle workers hear, through LISTEN/NOTIFY, of a job another process
// made due, so it starts at once although their polling fall-back is an hour apart. The job is
// the real offline_stt job (scripted Twilio on 127.0.0.1, PocketSphinx) on a fresh database.

#include "fakes/fake_http_server.hpp"
#include "fakes/scripted_twilio.hpp"
#include "jobs/job_runner.hpp"
#include "jobs/worker_pool.hpp"
#include "net/curl/curl_http_client.hpp"
#include "store/store.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "support/postgres_server.hpp"
#include "support/temp_dir.hpp"
#include "twilio/recording_api.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace callscribe::jobs {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Polls the database (bounded) until the call's job is done at `generation`.
bool done_within(store::Store& store, int generation, std::chrono::seconds limit) {
    const auto deadline = SteadyClock::now() + limit;
    while (SteadyClock::now() < deadline) {
        const auto job = store.find_job(fakes::k_call);
        if (job && *job && (*job)->state == store::JobState::done &&
            (*job)->generation == generation)
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

TEST(WorkerPoolPostgres, AJobAnotherProcessMakesDueStartsAtOnceThoughPollingIsAnHourApart) {
    test_support::PostgresDatabase db;
    test_support::TempDir dir;
    auto engine =
        stt::make_pocketsphinx_engine(stt::pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR));
    ASSERT_TRUE(engine) << engine.error().message;
    fakes::ScriptedTwilio twilio;
    fakes::FakeHttpServer server([&](const fakes::FakeRequest& r) { return twilio.answer(r); });
    net::curl::CurlHttpClient http;
    twilio::RecordingApi api(
        fakes::twilio_settings("http://127.0.0.1:" + std::to_string(server.port())), http);
    PipelineSettings pipeline;
    pipeline.data_dir = dir.path();

    auto workers_store = store::open_store(db.url()).value();
    auto other_process = store::open_store(db.url()).value();
    SystemClock clock;
    OfflineSttJob job(*workers_store, api, **engine, clock, pipeline);
    JobRunner runner(*workers_store, job, clock, "pool", Seconds{60});
    WorkerPool pool(runner, *workers_store, **engine,
                    {.io_workers = 2,
                     .cpu_workers = 1,
                     .max_idle = Seconds{3600},
                     .max_idle_listening = Seconds{3600}});
    pool.start();

    // The first job may be found by the workers' first look; once it is done they idle.
    other_process->enqueue_offline_stt(fakes::k_call, fakes::k_recording, clock.now()).value();
    ASSERT_TRUE(done_within(*workers_store, 0, 60s)) << "the first run did not finish";

    // Only the notification can wake them for this one.
    ASSERT_TRUE(
        other_process->restart_job(fakes::k_call, store::JobStep::resolve, clock.now()).value());
    ASSERT_TRUE(done_within(*workers_store, 1, 60s)) << "the restarted job did not run";
    pool.stop();

    const auto call = workers_store->find_call(fakes::k_call).value().value();
    EXPECT_EQ(call.status, store::CallStatus::done);
    EXPECT_FALSE(call.final_transcript.empty());
}

} // namespace
} // namespace callscribe::jobs
