// The offline_stt job end to end within the library: a real SQLite store, real HTTP to a
// scripted Twilio on 127.0.0.1, real audio through the real decoder and PocketSphinx. Time is a
// fake clock: every wait is a reschedule the test skips over, and the test asserts its length.
#include "integration/jobs/pipeline_fixture.hpp"
#include "webhook/outbox.hpp"
#include "webhook/webhook_signature.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <mutex>

namespace callscribe::jobs {
namespace {

using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using store::CallStatus;

using fakes::audio_bytes;
using fakes::k_account;
using fakes::k_call;
using fakes::k_recording;
using fakes::k_token;
using fakes::Meta;
using fakes::ScriptedTwilio;

// Forwards every call to another Store. `on_save` runs as a held job's progress (or its end) is
// about to be saved and may refuse it, as the store does when the job's lease was lost.
class ObservedStore final : public store::Store {
  public:
    ObservedStore(store::Store& inner, std::function<bool()> on_save)
        : m_inner(inner), m_on_save(std::move(on_save)) {}

    Result<std::optional<store::CallLog>> find_call(const CallSid& c) override {
        return m_inner.find_call(c);
    }
    Result<std::vector<store::CallLog>> list_calls(const store::CallQuery& q) override {
        return m_inner.list_calls(q);
    }
    Result<std::vector<store::SearchHit>> search_calls(const store::CallSearch& s) override {
        return m_inner.search_calls(s);
    }
    Result<store::CallLog> save_realtime_transcript(const CallSid& c, std::string_view text,
                                                    TimePoint now,
                                                    store::RealtimeSource source) override {
        return m_inner.save_realtime_transcript(c, text, now, source);
    }
    Result<store::CallLog> save_call_details(const CallSid& c, const store::CallDetails& d,
                                             TimePoint now) override {
        return m_inner.save_call_details(c, d, now);
    }
    Result<bool> save_realtime_labels(const CallSid& c, const store::RealtimeLabels& labels,
                                      TimePoint now) override {
        return m_inner.save_realtime_labels(c, labels, now);
    }
    Result<bool> add_realtime_utterance(const CallSid& c, const store::RealtimeUtterance& u,
                                        TimePoint now) override {
        return m_inner.add_realtime_utterance(c, u, now);
    }
    Result<std::vector<store::RealtimeUtterance>> realtime_utterances(const CallSid& c) override {
        return m_inner.realtime_utterances(c);
    }
    Result<std::vector<store::RealtimeLabels>> realtime_labels(const CallSid& c) override {
        return m_inner.realtime_labels(c);
    }
    Result<store::EnqueueResult> enqueue_offline_stt(const CallSid& c,
                                                     const std::optional<RecordingSid>& r,
                                                     TimePoint now) override {
        return m_inner.enqueue_offline_stt(c, r, now);
    }
    Result<std::optional<store::Job>> restart_job(const CallSid& c, store::JobStep from,
                                                  TimePoint now) override {
        return m_inner.restart_job(c, from, now);
    }
    Result<std::optional<store::Job>> find_job(const CallSid& c) override {
        return m_inner.find_job(c);
    }
    Result<std::optional<store::Job>> claim_job(store::Lane lane, std::string_view owner,
                                                TimePoint now, Seconds lease) override {
        return m_inner.claim_job(lane, owner, now, lease);
    }
    Result<std::optional<store::Job>> claim_call_job(const CallSid& c, std::string_view owner,
                                                     TimePoint now, Seconds lease) override {
        return m_inner.claim_call_job(c, owner, now, lease);
    }
    Result<bool> renew_job_lease(const store::Job& job, TimePoint expires) override {
        return m_inner.renew_job_lease(job, expires);
    }
    Result<bool> save_job(const store::Job& job, const store::CallUpdate& c,
                          TimePoint now) override {
        if (!m_on_save()) return false;
        return m_inner.save_job(job, c, now);
    }
    Result<bool> finish_job(const store::Job& job, const store::CallUpdate& c,
                            const std::optional<store::WebhookDelivery>& webhook,
                            TimePoint now) override {
        if (!m_on_save()) return false;
        return m_inner.finish_job(job, c, webhook, now);
    }
    Result<std::optional<TimePoint>> next_job_due(store::Lane lane) override {
        return m_inner.next_job_due(lane);
    }
    Result<store::JobCounts> count_jobs() override { return m_inner.count_jobs(); }
    Result<std::optional<store::WebhookDelivery>>
    claim_webhook(std::string_view owner, TimePoint now, Seconds lease) override {
        return m_inner.claim_webhook(owner, now, lease);
    }
    Result<bool> save_webhook(const store::WebhookDelivery& d) override {
        return m_inner.save_webhook(d);
    }
    Result<std::optional<TimePoint>> next_webhook_due() override {
        return m_inner.next_webhook_due();
    }
    Result<std::vector<store::WebhookDelivery>> find_webhooks(const CallSid& c) override {
        return m_inner.find_webhooks(c);
    }

  private:
    store::Store& m_inner;
    std::function<bool()> m_on_save;
};

class OfflineSttJobTest : public test::PipelineFixture {};

TEST_F(OfflineSttJobTest, WaitsOutDurationMinusOneThenTranscribesWithTheDesignLogLines) {
    m_twilio.metadata = {Meta{"completed", "\"-1\""}, Meta{"processing", "-1"}, Meta{}};
    enqueue();
    const auto delays = drive();
    EXPECT_EQ(delays, (std::vector<double>{3, 5}));
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::done);
    EXPECT_NE(c.final_transcript.find("three thirty"), std::string::npos) << c.final_transcript;
    EXPECT_EQ(c.recording_path, "recordings/" + k_call.str() + ".mp3");
    EXPECT_EQ(c.transcript_source, store::TranscriptSource::offline);
    EXPECT_EQ(recordings_folder(), std::vector<std::string>{k_call.str() + ".mp3"});

    const std::vector<std::string> expected{
        "[OFFLINE_STT] Recording fetched: " + k_recording.str() + ", duration=-1s",
        "[OFFLINE_STT] Recording not ready yet, will retry in 3s (attempt 1/5)",
        "[OFFLINE_STT] Recording fetched: " + k_recording.str() + ", duration=-1s",
        "[OFFLINE_STT] Recording not ready yet, will retry in 5s (attempt 2/5)",
        "[OFFLINE_STT] Recording fetched: " + k_recording.str() + ", duration=7s",
        "[OFFLINE_STT] Trying recording URL (format 1/3): " + m_api->api_base() +
            "/2010-04-01/Accounts/" + k_account + "/Recordings/" + k_recording.str(),
        "[OFFLINE_STT] Download status: 200, bytes=" + std::to_string(audio_bytes().size()),
        "[OFFLINE_STT] ✅ Successfully downloaded " + std::to_string(audio_bytes().size()) +
            " bytes",
        "[OFFLINE_STT] ✅ Recording saved to disk: recordings/" + k_call.str() + ".mp3 (" +
            std::to_string(audio_bytes().size()) + " bytes)",
        "[OFFLINE_STT] Starting transcription for " + k_call.str() + " (engine=pocketsphinx)",
        "[OFFLINE_STT] ✅ Transcript obtained: ",
        "[OFFLINE_STT] ✅ Saved final_transcript (",
    };
    int at = 0;
    for (const auto& line : expected) {
        const int found = m_log.find(line, at);
        ASSERT_GE(found, 0) << "missing, in order: " << line;
        at = found + 1;
    }
}

TEST_F(OfflineSttJobTest, NullDurationIsNotReadyYet) {
    m_twilio.metadata = {Meta{"completed", "null"}, Meta{}};
    enqueue();
    EXPECT_EQ(drive(), std::vector<double>{3});
    EXPECT_EQ(call().status, CallStatus::done);
}

TEST_F(OfflineSttJobTest, NeverReadyGivesUpAfterFiveRetriesAndSixFetches) {
    m_twilio.metadata = {Meta{"processing", "null"}};
    enqueue();
    EXPECT_EQ(drive(), (std::vector<double>{3, 5, 5, 10, 10}));
    EXPECT_EQ(m_twilio.fetches, 6);
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::gave_up);
    EXPECT_EQ(c.transcript_source, store::TranscriptSource::none);
    EXPECT_TRUE(m_log.contains("❌ [OFFLINE_STT] Giving up on recording " + k_call.str() +
                               " after 5 attempts"));
    EXPECT_EQ(m_twilio.media_requests, 0);
}

TEST_F(OfflineSttJobTest, GivenUpCallFallsBackToTheRealtimeTranscript) {
    m_settings.webhook_enabled = true;
    m_settings.public_url = "https://calls.example.com";
    rebuild();
    m_twilio.metadata = {Meta{"processing", "null"}};
    ASSERT_TRUE(m_store->save_realtime_transcript(k_call, "hello from the agent", m_clock.now()));
    enqueue();
    drive();
    EXPECT_EQ(call().transcript_source, store::TranscriptSource::realtime);
    EXPECT_TRUE(m_log.contains(
        "ℹ️ [WEBHOOK] Offline transcript missing → using realtime (20 chars)"));
    const auto webhooks = m_store->find_webhooks(k_call).value();
    ASSERT_EQ(webhooks.size(), 1u);
    EXPECT_EQ(webhooks[0].id, "msg_" + k_call.str() + "_0");
    const auto payload = nlohmann::json::parse(webhooks[0].payload);
    EXPECT_EQ(payload["transcript_source"], "realtime");
    EXPECT_EQ(payload["transcript"], "hello from the agent");
    EXPECT_EQ(payload["recording_sid"], k_recording.str());
}

TEST_F(OfflineSttJobTest, TheOfflineTranscriptWinsAndGoesToTheOutboxWithTheFinalSave) {
    m_settings.webhook_enabled = true;
    m_settings.public_url = "https://calls.example.com";
    rebuild();
    ASSERT_TRUE(m_store->save_realtime_transcript(k_call, "what the agent heard", m_clock.now()));
    enqueue();
    drive();
    const auto c = call();
    EXPECT_EQ(c.transcript_source, store::TranscriptSource::offline);
    EXPECT_TRUE(m_log.contains("✅ [WEBHOOK] Using OFFLINE transcript ("));
    const auto webhooks = m_store->find_webhooks(k_call).value();
    ASSERT_EQ(webhooks.size(), 1u);
    const auto payload = nlohmann::json::parse(webhooks[0].payload);
    EXPECT_EQ(payload["type"], "call.transcript");
    EXPECT_EQ(payload["transcript_source"], "offline");
    EXPECT_EQ(payload["transcript"], c.final_transcript);
    EXPECT_EQ(payload["recording_duration_s"], 7);
    EXPECT_EQ(payload["recording_url"],
              "https://calls.example.com/api/calls/" + k_call.str() + "/download");
}

TEST_F(OfflineSttJobTest, AbsentGivesUpAtOnce) {
    m_twilio.metadata = {Meta{"absent", "\"0\""}};
    enqueue();
    EXPECT_TRUE(drive().empty());
    EXPECT_EQ(m_twilio.fetches, 1);
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::gave_up);
    EXPECT_NE(c.last_error.find("absent (Twilio error 16102)"), std::string::npos) << c.last_error;
}

TEST_F(OfflineSttJobTest, BaseUrl404WaitsThenTriesMp3) {
    m_twilio.media = [](int, const std::string& form) {
        if (form.empty()) return FakeResponse::json(404, R"({"code":20404})");
        return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, audio_bytes()};
    };
    enqueue();
    EXPECT_EQ(drive(), std::vector<double>{5});
    EXPECT_EQ(m_twilio.media_requests, 2);
    EXPECT_TRUE(m_log.contains("Trying recording URL (format 2/3): "));
    EXPECT_TRUE(m_log.contains("[OFFLINE_STT] Download status: 404, bytes=0"));
    EXPECT_EQ(call().status, CallStatus::done);
}

TEST_F(OfflineSttJobTest, AllFormsMissingForAWhileSpendsReadinessAttempts) {
    m_settings.not_found_wait = Seconds{0.5};
    rebuild();
    m_twilio.media = [](int n, const std::string&) {
        if (n < 6) return FakeResponse::json(404, R"({"code":20404})");
        return FakeResponse{200,
                            {{"Content-Type", "audio/x-wav"}},
                            test_support::read_file(std::filesystem::path(CALLSCRIBE_EVAL_DIR) /
                                                    "synth/phone/flt01.wav")};
    };
    enqueue();
    // base, .mp3 (0.5 s apart), .wav → one readiness attempt (3 s); again (5 s); then base works.
    EXPECT_EQ(drive(), (std::vector<double>{0.5, 0.5, 3, 0.5, 0.5, 5}));
    EXPECT_TRUE(m_log.contains("Recording not ready yet, will retry in 3s (attempt 1/5)"));
    EXPECT_TRUE(m_log.contains("Recording not ready yet, will retry in 5s (attempt 2/5)"));
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::done);
    EXPECT_EQ(c.recording_path, "recordings/" + k_call.str() + ".wav");
}

TEST_F(OfflineSttJobTest, ServerErrorThenTooManyRequestsHonoursRetryAfter) {
    m_twilio.media = [](int n, const std::string&) {
        if (n == 0) return FakeResponse::json(500, R"({"code":20500,"message":"oops"})");
        if (n == 1) {
            FakeResponse busy = FakeResponse::json(429, R"({"code":20429})");
            busy.headers.emplace_back("Retry-After", "7");
            return busy;
        }
        return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, audio_bytes()};
    };
    enqueue();
    const auto delays = drive();
    ASSERT_EQ(delays.size(), 2u);
    EXPECT_GE(delays[0], 0);
    EXPECT_LE(delays[0], 2); // full jitter within the first backoff step
    EXPECT_EQ(delays[1], 7);
    EXPECT_EQ(m_twilio.media_requests, 3);
    EXPECT_EQ(call().status, CallStatus::done);
}

TEST_F(OfflineSttJobTest, BadCredentialsGiveUpAfterOneRequest) {
    config::TwilioSettings wrong;
    wrong.account_sid = k_account;
    wrong.auth_token = Secret("wrong");
    wrong.api_base = m_api->api_base();
    m_api = std::make_unique<twilio::RecordingApi>(wrong, m_http);
    rebuild();
    enqueue();
    EXPECT_TRUE(drive().empty());
    EXPECT_EQ(m_server.request_count(), 1u);
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::gave_up);
    EXPECT_NE(c.last_error.find("401"), std::string::npos);
    EXPECT_NE(c.last_error.find("Authenticate (code 20003)"), std::string::npos) << c.last_error;
    EXPECT_EQ(c.last_error.find("wrong"), std::string::npos);
}

TEST_F(OfflineSttJobTest, RedirectToStorageDoesNotCarryCredentials) {
    FakeHttpServer storage([](const FakeRequest&) {
        return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, audio_bytes()};
    });
    m_twilio.media = [&](int, const std::string&) {
        return FakeResponse::redirect(302, storage.url("/signed/abc?Expires=1"));
    };
    enqueue();
    drive();
    EXPECT_EQ(call().status, CallStatus::done);
    ASSERT_EQ(storage.request_count(), 1u);
    EXPECT_FALSE(storage.requests()[0].header("authorization"));
    for (const auto& r : m_server.requests())
        EXPECT_TRUE(r.header("authorization"));
}

TEST_F(OfflineSttJobTest, WithoutRecordingSidListsTheCallsRecordings) {
    m_twilio.list_empty = true;
    enqueue(std::nullopt);
    auto ran = m_runner->run_one(store::Lane::io, nullptr);
    ASSERT_TRUE(ran && *ran);
    EXPECT_EQ((*ran)->result, StepResult::rescheduled); // an empty list: not ready yet
    m_twilio.list_empty = false;
    drive();
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::done);
    EXPECT_EQ(c.recording_sid, k_recording);
}

TEST_F(OfflineSttJobTest, AnErrorPageWith200IsNotSavedAsAudio) {
    m_twilio.media = [](int n, const std::string&) {
        if (n == 0) return FakeResponse{200, {{"Content-Type", "text/html"}}, "<html>oops</html>"};
        return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, audio_bytes()};
    };
    enqueue();
    EXPECT_EQ(drive().size(), 1u);
    EXPECT_TRUE(m_log.contains("body that is not audio"));
    EXPECT_EQ(recordings_folder(), std::vector<std::string>{k_call.str() + ".mp3"});
    EXPECT_EQ(call().status, CallStatus::done);
}

TEST_F(OfflineSttJobTest, AnInterruptedDownloadLeavesNoFile) {
    m_twilio.media = [](int, const std::string&) {
        FakeResponse cut{200, {{"Content-Type", "audio/mpeg"}}, ""};
        cut.close_without_answer = true;
        return cut;
    };
    enqueue();
    auto ran = m_runner->run_one(store::Lane::io, nullptr); // resolve
    ASSERT_TRUE(ran && *ran);
    ran = m_runner->run_one(store::Lane::io, nullptr); // download
    ASSERT_TRUE(ran && *ran);
    EXPECT_EQ((*ran)->result, StepResult::rescheduled);
    EXPECT_TRUE(recordings_folder().empty());
}

TEST_F(OfflineSttJobTest, AWorkerThatDiedAfterTheDownloadIsTakenOverWithoutFetchingAgain) {
    enqueue();
    // The first worker resolves and downloads, then claims the transcription and dies.
    ASSERT_TRUE(m_runner->run_one(store::Lane::io, nullptr));
    ASSERT_TRUE(m_runner->run_one(store::Lane::io, nullptr));
    auto claimed = m_store->claim_job(store::Lane::cpu, "dead-worker", m_clock.now(), Seconds{60});
    ASSERT_TRUE(claimed && *claimed);
    EXPECT_EQ(m_twilio.media_requests, 1);

    rebuild("second-worker");
    auto transcriber = s_engine->make_transcriber();
    auto early = m_runner->run_one(store::Lane::cpu, transcriber.get());
    ASSERT_TRUE(early);
    EXPECT_FALSE(*early) << "the lease has not expired yet";
    m_clock.advance(Seconds{61});
    drive();
    EXPECT_EQ(call().status, CallStatus::done);
    EXPECT_EQ(m_twilio.media_requests, 1);
    // The dead worker's late save is refused.
    auto late = m_store->save_job(**claimed, {}, m_clock.now());
    ASSERT_TRUE(late);
    EXPECT_FALSE(*late);
}

TEST_F(OfflineSttJobTest, ATranscriptionOnAMachineWithoutTheFileFetchesItThereInTheSameStep) {
    enqueue();
    ASSERT_TRUE(m_runner->run_one(store::Lane::io, nullptr)); // resolve
    ASSERT_TRUE(m_runner->run_one(store::Lane::io, nullptr)); // download, to this machine's disk
    EXPECT_EQ(m_twilio.media_requests, 1);

    // A worker on another machine, with a recordings folder of its own, claims the transcription.
    test_support::TempDir other_machine;
    m_settings.data_dir = other_machine.path();
    rebuild("other-machine");
    auto transcriber = s_engine->make_transcriber();
    auto ran = m_runner->run_one(store::Lane::cpu, transcriber.get());
    ASSERT_TRUE(ran && *ran) << (ran ? "nothing ran" : ran.error().message);
    EXPECT_EQ((*ran)->result, StepResult::done) << "the job went back to the download step";
    EXPECT_EQ(m_twilio.media_requests, 2);
    EXPECT_TRUE(std::filesystem::is_regular_file(other_machine / "recordings" /
                                                 (fakes::k_call.str() + ".mp3")));
    EXPECT_TRUE(m_log.contains("is not on this machine (recordings/" + fakes::k_call.str()));
    EXPECT_EQ(call().status, CallStatus::done);
    EXPECT_FALSE(call().final_transcript.empty());
}

TEST_F(OfflineSttJobTest, AWebhookReceiverThatFailsTwiceGetsTheSameWebhookUntilItAccepts) {
    int answered = 0;
    FakeHttpServer receiver([&](const FakeRequest&) {
        return ++answered <= 2 ? FakeResponse::text(503, "busy") : FakeResponse::text(204, "");
    });
    m_settings.webhook_enabled = true;
    rebuild();
    enqueue();
    drive();
    config::WebhookSettings hooks;
    hooks.url = receiver.url("/hook");
    hooks.secret = Secret("key");
    hooks.backoff = {Seconds{5}, Seconds{300}, Seconds{1800}};
    auto pump = [&] {
        return webhook::deliver_due(*m_store, m_http, hooks, m_clock, "pump", Seconds{60}).value();
    };
    EXPECT_EQ(pump(), 1);
    EXPECT_EQ(pump(), 0) << "not due again before its backoff";
    m_clock.advance(Seconds{5});
    EXPECT_EQ(pump(), 1);
    m_clock.advance(Seconds{300});
    EXPECT_EQ(pump(), 1);
    m_clock.advance(Seconds{36000});
    EXPECT_EQ(pump(), 0) << "delivered: never again";

    const auto requests = receiver.requests();
    ASSERT_EQ(requests.size(), 3u);
    for (const auto& r : requests) {
        EXPECT_EQ(r.header("webhook-id"), "msg_" + k_call.str() + "_0");
        EXPECT_EQ(r.body, requests[0].body);
        EXPECT_TRUE(webhook::verify(r.header("webhook-id").value_or(""),
                                    r.header("webhook-timestamp").value_or(""),
                                    r.header("webhook-signature").value_or(""), r.body,
                                    Secret("key"), m_clock.now(), Seconds{1e6}));
    }
    const auto stored = m_store->find_webhooks(k_call).value();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].state, store::DeliveryState::delivered);
    EXPECT_EQ(stored[0].attempts, 3);
}

// The retry lines are written once the attempt is saved, never before: `callscribe process`
// killed right after "(attempt 1/5)" resumes at attempt 2 (e2e: ProcessCommand.KilledWhile...).
TEST_F(OfflineSttJobTest, RetryLinesComeOnlyAfterTheAttemptIsSaved) {
    m_twilio.metadata = {Meta{"processing", "null"}, Meta{}};
    m_twilio.media = [](int, const std::string&) {
        return FakeResponse::json(500, R"({"code":20500,"message":"oops"})");
    };
    enqueue();
    std::vector<std::string> lines_at_save;
    ObservedStore observed(*m_store, [&] {
        lines_at_save.push_back(m_log.text());
        return true;
    });
    OfflineSttJob job(observed, *m_api, *s_engine, m_clock, m_settings);
    JobRunner runner(observed, job, m_clock, "test-worker", Seconds{60});
    for (int step = 0; step < 3; ++step) { // not ready, then download → 500
        auto ran = runner.run_one(store::Lane::io, nullptr);
        ASSERT_TRUE(ran && *ran) << (ran ? "nothing due" : ran.error().message);
        m_clock.set((*ran)->job.run_at);
    }
    ASSERT_GE(lines_at_save.size(), 3u);
    EXPECT_EQ(lines_at_save[0].find("(attempt 1/5)"), std::string::npos);
    EXPECT_TRUE(m_log.contains("Recording not ready yet, will retry in 3s (attempt 1/5)"));
    const std::string& before_retry_save = lines_at_save.back();
    EXPECT_EQ(before_retry_save.find("(transient failure 1)"), std::string::npos)
        << before_retry_save;
    EXPECT_TRUE(m_log.contains("will retry in")) << m_log.text();
    EXPECT_TRUE(m_log.contains("(transient failure 1)")) << m_log.text();
}

// A step whose lease was lost wrote nothing, so it says nothing about retrying.
TEST_F(OfflineSttJobTest, ALostLeaseLogsNoRetry) {
    m_twilio.metadata = {Meta{"processing", "null"}};
    enqueue();
    ObservedStore observed(*m_store, [] { return false; });
    OfflineSttJob job(observed, *m_api, *s_engine, m_clock, m_settings);
    JobRunner runner(observed, job, m_clock, "test-worker", Seconds{60});
    auto ran = runner.run_one(store::Lane::io, nullptr);
    ASSERT_TRUE(ran && *ran);
    EXPECT_EQ((*ran)->result, StepResult::lease_lost);
    EXPECT_FALSE(m_log.contains("will retry")) << m_log.text();
}

// The webhook's choice is logged once the transcript and its webhook are saved, after "Saved
// final_transcript"; a finish that could not be saved (the lease was lost) says neither.
TEST_F(OfflineSttJobTest, TheWebhookChoiceIsLoggedOnlyOnceTheFinalSaveHappened) {
    m_twilio.metadata = {Meta{}};
    enqueue();
    const auto transcriber = s_engine->make_transcriber();
    const auto run_to_the_end = [&](store::Store& through) {
        OfflineSttJob job(through, *m_api, *s_engine, m_clock, m_settings);
        JobRunner runner(through, job, m_clock, "test-worker", Seconds{60});
        for (int step = 0; step < 10; ++step) {
            for (const auto lane : {store::Lane::io, store::Lane::cpu}) {
                auto ran =
                    runner.run_one(lane, lane == store::Lane::cpu ? transcriber.get() : nullptr);
                EXPECT_TRUE(ran) << ran.error().message;
                if (!ran || !*ran) continue;
                if ((*ran)->result != StepResult::next_step) return (*ran)->result;
            }
        }
        return StepResult::next_step;
    };
    ObservedStore refusing(*m_store, [&] { return !m_log.contains("Transcript obtained"); });
    EXPECT_EQ(run_to_the_end(refusing), StepResult::lease_lost);
    EXPECT_FALSE(m_log.contains("Saved final_transcript")) << m_log.text();
    EXPECT_FALSE(m_log.contains("[WEBHOOK]")) << m_log.text();

    // The lease expires; the job runs again from its saved step.
    m_clock.advance(Seconds{120});
    std::string at_final_save;
    ObservedStore observed(*m_store, [&] {
        at_final_save = m_log.text();
        return true;
    });
    EXPECT_EQ(run_to_the_end(observed), StepResult::done);
    EXPECT_EQ(at_final_save.find("[WEBHOOK]"), std::string::npos) << at_final_save;
    const int saved = m_log.find("✅ Saved final_transcript");
    ASSERT_GE(saved, 0) << m_log.text();
    EXPECT_GT(m_log.find("✅ [WEBHOOK] Using OFFLINE transcript (", saved), saved) << m_log.text();
}

} // namespace
} // namespace callscribe::jobs
