// The offline_stt job's state machine, step by step, in milliseconds: every transition and every
// give-up with a scripted Twilio behind an in-process HttpClient (no socket), a scripted engine
// (no model), a fake clock and a pinned jitter. The store is a real SQLite file. The same paths
// with real HTTP, curl and PocketSphinx are in tests/integration/jobs/.
#include "fakes/in_process_http_client.hpp"
#include "fakes/scripted_twilio.hpp"
#include "jobs/job_runner.hpp"
#include "jobs/offline_stt_job.hpp"
#include "store/store.hpp"
#include "support/captured_log.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace callscribe::jobs {
namespace {

namespace fs = std::filesystem;
using fakes::audio_bytes;
using fakes::FakeRequest;
using fakes::FakeResponse;
using fakes::k_call;
using fakes::k_recording;
using fakes::Meta;
using store::CallStatus;
using store::JobStep;

// An engine whose transcriptions the test scripts: each answer in turn, the last one repeating.
// It records the file it was given and whether that file was there.
class ScriptedEngine final : public stt::Engine {
  public:
    std::vector<Result<stt::Transcript>> answers{transcript("hello from the scripted engine")};
    std::vector<fs::path> files;
    std::vector<bool> file_was_there;

    static stt::Transcript transcript(std::string text) {
        stt::Segment segment;
        segment.start_s = 0.4;
        segment.end_s = 2.1;
        segment.text = std::move(text);
        stt::Transcript scripted;
        scripted.engine = "scripted";
        scripted.audio_s = 6.7;
        scripted.segments = {std::move(segment)};
        return scripted;
    }
    std::string_view name() const override { return "scripted"; }
    std::unique_ptr<stt::Transcriber> make_transcriber() const override;
};

class ScriptedTranscriber final : public stt::Transcriber {
  public:
    explicit ScriptedTranscriber(ScriptedEngine& engine) : m_engine(engine) {}
    Result<stt::Transcript> transcribe(const fs::path& recording) override {
        const std::size_t n = m_engine.files.size();
        m_engine.files.push_back(recording);
        std::error_code ec;
        m_engine.file_was_there.push_back(fs::is_regular_file(recording, ec));
        return m_engine.answers[std::min(n, m_engine.answers.size() - 1)];
    }

  private:
    ScriptedEngine& m_engine;
};

std::unique_ptr<stt::Transcriber> ScriptedEngine::make_transcriber() const {
    return std::make_unique<ScriptedTranscriber>(const_cast<ScriptedEngine&>(*this));
}

FakeResponse audio() {
    return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, audio_bytes()};
}

struct StepsRun {
    std::vector<JobStep> steps; // the step each run executed, in order
    std::vector<double> delays; // the waits asked for, in seconds
    StepResult last = StepResult::next_step;
};

class JobSteps : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = store::open_store("sqlite://" + (m_dir / "callscribe.db").string());
        ASSERT_TRUE(opened) << opened.error().message;
        m_store = std::move(*opened);
        // Never resolved: the client is in-process.
        m_api = std::make_unique<twilio::RecordingApi>(
            fakes::twilio_settings("http://twilio.invalid"), m_http);
        m_settings.data_dir = m_dir.path();
        rebuild();
    }

    void rebuild() {
        m_job = std::make_unique<OfflineSttJob>(*m_store, *m_api, m_engine, m_clock, m_settings,
                                                [this] { return m_jitter; });
        m_runner = std::make_unique<JobRunner>(*m_store, *m_job, m_clock, "unit", Seconds{60});
    }

    void enqueue(std::optional<RecordingSid> recording = k_recording) {
        ASSERT_TRUE(m_store->enqueue_offline_stt(k_call, recording, m_clock.now()));
    }

    // Runs due steps, moving the clock to each due time, until the job ends or `max_steps` ran.
    StepsRun drive(int max_steps = 40) {
        StepsRun run;
        for (int i = 0; i < max_steps; ++i) {
            auto job = m_store->find_job(k_call);
            EXPECT_TRUE(job && *job);
            if (!job || !*job || (*job)->step == JobStep::finished) break;
            m_clock.set(std::max(m_clock.now(), (*job)->run_at));
            const JobStep step = (*job)->step;
            auto ran = m_runner->run_one((*job)->lane, m_transcriber.get());
            EXPECT_TRUE(ran && *ran) << (ran ? "nothing was due" : ran.error().message);
            if (!ran || !*ran) break;
            run.steps.push_back(step);
            run.last = (*ran)->result;
            if (run.last == StepResult::rescheduled) {
                run.delays.push_back(Seconds((*ran)->job.run_at - m_clock.now()).count());
            }
        }
        return run;
    }

    store::CallLog call() {
        auto found = m_store->find_call(k_call);
        EXPECT_TRUE(found && *found);
        return **found;
    }

    std::vector<std::string> recordings_folder() {
        std::vector<std::string> names;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(m_dir / "recordings", ec))
            names.push_back(e.path().filename().string());
        return names;
    }

    fs::path saved_mp3() const { return m_dir / "recordings" / (k_call.str() + ".mp3"); }

    test_support::CapturedLog m_log;
    test_support::TempDir m_dir;
    test_support::FakeClock m_clock;
    fakes::ScriptedTwilio m_twilio;
    fakes::InProcessHttpClient m_http{[this](const FakeRequest& r) { return m_twilio.answer(r); }};
    ScriptedEngine m_engine;
    std::unique_ptr<stt::Transcriber> m_transcriber = m_engine.make_transcriber();
    double m_jitter = 1.0; // the backoff's full ceiling: delays are exact
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<twilio::RecordingApi> m_api;
    PipelineSettings m_settings;
    std::unique_ptr<OfflineSttJob> m_job;
    std::unique_ptr<JobRunner> m_runner;
};

const std::vector<JobStep> k_straight{JobStep::resolve, JobStep::download, JobStep::transcribe};

TEST_F(JobSteps, AReadyRecordingGoesResolveDownloadTranscribeWithoutWaiting) {
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.steps, k_straight);
    EXPECT_TRUE(run.delays.empty());
    EXPECT_EQ(run.last, StepResult::done);
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::done);
    EXPECT_EQ(c.final_transcript, "hello from the scripted engine");
    EXPECT_EQ(c.transcript_source, store::TranscriptSource::offline);
    EXPECT_EQ(c.recording_path, "recordings/" + k_call.str() + ".mp3");
    EXPECT_EQ(c.recording_bytes, static_cast<std::int64_t>(audio_bytes().size()));
    EXPECT_EQ(m_engine.files, std::vector<fs::path>{saved_mp3()});
    EXPECT_EQ(m_engine.file_was_there, std::vector<bool>{true});
    EXPECT_EQ(m_http.urls(), (std::vector<std::string>{
                                 m_api->api_base() + "/2010-04-01/Accounts/" + fakes::k_account +
                                     "/Recordings/" + k_recording.str() + ".json",
                                 m_api->api_base() + "/2010-04-01/Accounts/" + fakes::k_account +
                                     "/Recordings/" + k_recording.str()}));
}

TEST_F(JobSteps, ANotReadyRecordingWaitsTheReadinessBackoffThenGivesUp) {
    m_twilio.metadata = {Meta{"processing", "null"}};
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, (std::vector<double>{3, 5, 5, 10, 10}));
    EXPECT_EQ(run.steps, std::vector<JobStep>(6, JobStep::resolve));
    EXPECT_EQ(run.last, StepResult::gave_up);
    EXPECT_EQ(call().status, CallStatus::gave_up);
    EXPECT_EQ(call().last_error, "the recording was not ready after 5 attempts");
    EXPECT_EQ(m_twilio.media_requests, 0);
}

TEST_F(JobSteps, DurationMinusOneIsNotReadyEvenWhenCompleted) {
    m_twilio.metadata = {Meta{"completed", "\"-1\""}, Meta{}};
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, std::vector<double>{3});
    EXPECT_EQ(run.last, StepResult::done);
}

TEST_F(JobSteps, AGoneRecordingGivesUpAtOnce) {
    m_twilio.metadata = {Meta{"deleted", "\"7\""}};
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.steps, std::vector<JobStep>{JobStep::resolve});
    EXPECT_EQ(run.last, StepResult::gave_up);
    EXPECT_EQ(call().last_error, "recording " + k_recording.str() + " is deleted");
}

TEST_F(JobSteps, WhenTwiliosRecordingIsAbsentTheCallsOwnStreamRecordingIsTranscribed) {
    m_twilio.metadata = {Meta{"absent", "null"}};
    const fs::path stream = m_dir / "recordings" / (k_call.str() + ".stream.wav");
    fs::create_directories(stream.parent_path());
    test_support::write_file(stream, "the media stream's recording");
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.steps, (std::vector<JobStep>{JobStep::resolve, JobStep::transcribe}));
    EXPECT_EQ(run.last, StepResult::done);
    const auto c = call();
    EXPECT_EQ(c.status, CallStatus::done);
    EXPECT_EQ(c.recording_path, "recordings/" + k_call.str() + ".stream.wav");
    EXPECT_EQ(c.audio_source(), store::AudioSource::media_stream);
    EXPECT_EQ(c.transcript_source, store::TranscriptSource::offline);
    EXPECT_EQ(m_engine.files, std::vector<fs::path>{stream});
    EXPECT_EQ(m_twilio.media_requests, 0);
    EXPECT_TRUE(m_log.contains(fmt::format(
        "[OFFLINE_STT] No recording from Twilio for {} (recording {} is absent (Twilio error "
        "16102)): transcribing "
        "the call's own recording from its media stream, recordings/{}.stream.wav",
        k_call.str(), k_recording.str(), k_call.str())))
        << m_log.text();
}

TEST_F(JobSteps, ARecordingThatNeverBecomesReadyFallsBackToTheStreamRecordingAfterTheBackoff) {
    m_twilio.metadata = {Meta{"processing", "null"}};
    const fs::path stream = m_dir / "recordings" / (k_call.str() + ".stream.wav");
    fs::create_directories(stream.parent_path());
    test_support::write_file(stream, "the media stream's recording");
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, (std::vector<double>{3, 5, 5, 10, 10}));
    EXPECT_EQ(run.steps.back(), JobStep::transcribe);
    EXPECT_EQ(run.last, StepResult::done);
    EXPECT_EQ(call().audio_source(), store::AudioSource::media_stream);
    EXPECT_EQ(call().last_error, "");
}

TEST_F(JobSteps, WithoutARecordingSidAnEmptyListIsNotReadyYet) {
    m_twilio.list_empty = true;
    enqueue(std::nullopt);
    StepsRun first = drive(1);
    EXPECT_EQ(first.delays, std::vector<double>{3});
    m_twilio.list_empty = false;
    const StepsRun rest = drive();
    EXPECT_EQ(rest.steps, k_straight);
    EXPECT_EQ(call().recording_sid, k_recording);
}

TEST_F(JobSteps, A404OnOneFormWaitsThenTriesTheNext) {
    m_twilio.media = [](int, const std::string& form) {
        return form.empty() ? FakeResponse::json(404, R"({"code":20404})") : audio();
    };
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, std::vector<double>{5});
    EXPECT_EQ(run.steps, (std::vector<JobStep>{JobStep::resolve, JobStep::download,
                                               JobStep::download, JobStep::transcribe}));
    EXPECT_EQ(m_http.urls().back(), m_api->api_base() + "/2010-04-01/Accounts/" + fakes::k_account +
                                        "/Recordings/" + k_recording.str() + ".mp3");
    EXPECT_EQ(run.last, StepResult::done);
}

TEST_F(JobSteps, EveryForm404SpendsOneReadinessAttemptAndStartsAgainFromTheBase) {
    m_twilio.media = [](int n, const std::string&) {
        return n < 3 ? FakeResponse::json(404, R"({"code":20404})") : audio();
    };
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, (std::vector<double>{5, 5, 3}));
    EXPECT_EQ(m_twilio.media_requests, 4);
    EXPECT_EQ(m_http.urls().back(), m_api->api_base() + "/2010-04-01/Accounts/" + fakes::k_account +
                                        "/Recordings/" + k_recording.str());
    EXPECT_EQ(run.last, StepResult::done);
}

TEST_F(JobSteps, TransientFailuresBackOffToTheCapThenGiveUp) {
    m_twilio.media = [](int, const std::string&) { return FakeResponse::json(503, "{}"); };
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, (std::vector<double>{2, 4, 8, 16, 32, 64, 128, 256, 300, 300}));
    EXPECT_EQ(run.last, StepResult::gave_up);
    EXPECT_NE(call().last_error.find("Twilio answered 503"), std::string::npos);
    EXPECT_NE(call().last_error.find("(after 11 tries)"), std::string::npos) << call().last_error;
}

TEST_F(JobSteps, TheJitterScalesTheBackoffAndRetryAfterReplacesIt) {
    m_jitter = 0.25;
    rebuild();
    m_twilio.media = [](int n, const std::string&) {
        if (n == 0) return FakeResponse::json(500, "{}");
        if (n == 1) {
            FakeResponse busy = FakeResponse::json(429, "{}");
            busy.headers.emplace_back("Retry-After", "7");
            return busy;
        }
        return audio();
    };
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, (std::vector<double>{0.5, 7}));
    EXPECT_EQ(run.last, StepResult::done);
}

// 401 and 403: callscribe's credentials are refused; another 4xx: the request itself is.
class JobStepsRefused : public JobSteps, public ::testing::WithParamInterface<int> {};

TEST_P(JobStepsRefused, GivesUpWithoutRetrying) {
    const int status = GetParam();
    m_twilio.media = [status](int, const std::string&) {
        return FakeResponse::json(status, R"({"code":20003,"message":"Refused"})");
    };
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.steps, (std::vector<JobStep>{JobStep::resolve, JobStep::download}));
    EXPECT_EQ(run.last, StepResult::gave_up);
    EXPECT_NE(call().last_error.find(fmt::format("Twilio answered {}", status)), std::string::npos);
    EXPECT_NE(call().last_error.find("Refused (code 20003)"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(ClientErrors, JobStepsRefused, ::testing::Values(401, 403, 400, 410));

TEST_F(JobSteps, ABodyThatIsNotAudioIsRetriedAndLeavesNoFile) {
    m_twilio.media = [](int n, const std::string&) {
        return n == 0 ? FakeResponse::text(200, "<html>maintenance</html>") : audio();
    };
    enqueue();
    const StepsRun run = drive(2);
    EXPECT_EQ(run.delays, std::vector<double>{2});
    EXPECT_NE(call().last_error.find("with a body that is not audio"), std::string::npos);
    EXPECT_TRUE(recordings_folder().empty());
    EXPECT_EQ(drive().last, StepResult::done);
}

TEST_F(JobSteps, ACutBodyIsRetriedAndLeavesNoFile) {
    m_twilio.media = [](int n, const std::string&) {
        FakeResponse answer = audio();
        if (n == 0) answer.cut_body_at = 1000;
        return answer;
    };
    enqueue();
    const StepsRun run = drive(2);
    EXPECT_EQ(run.delays, std::vector<double>{2});
    EXPECT_TRUE(recordings_folder().empty());
    EXPECT_EQ(drive().last, StepResult::done);
    EXPECT_EQ(recordings_folder(), std::vector<std::string>{k_call.str() + ".mp3"});
}

TEST_F(JobSteps, AnEngineFailureWorthRetryingWaitsItsRetryAfterWithoutDownloadingAgain) {
    m_engine.answers = {
        Error{.message = "the engine is busy", .retryable = true, .retry_after = Seconds{12}},
        ScriptedEngine::transcript("second time lucky")};
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.delays, std::vector<double>{12});
    EXPECT_EQ(run.steps, (std::vector<JobStep>{JobStep::resolve, JobStep::download,
                                               JobStep::transcribe, JobStep::transcribe}));
    EXPECT_EQ(m_twilio.media_requests, 1);
    EXPECT_EQ(call().final_transcript, "second time lucky");
}

TEST_F(JobSteps, AnEngineFailureNotWorthRetryingGivesUp) {
    m_engine.answers = {Error{.message = "corrupt audio in the recording", .retryable = false}};
    enqueue();
    const StepsRun run = drive();
    EXPECT_EQ(run.last, StepResult::gave_up);
    EXPECT_EQ(call().last_error, "corrupt audio in the recording");
    EXPECT_EQ(m_engine.files.size(), 1u);
}

TEST_F(JobSteps, ARecordingMissingAtTranscribeIsFetchedHereInTheSameStep) {
    enqueue();
    drive(2); // resolve, download
    ASSERT_TRUE(fs::remove(saved_mp3()));
    const StepsRun run = drive();
    EXPECT_EQ(run.steps, std::vector<JobStep>{JobStep::transcribe});
    EXPECT_EQ(run.last, StepResult::done);
    EXPECT_EQ(m_twilio.media_requests, 2);
    EXPECT_EQ(m_engine.file_was_there, std::vector<bool>{true});
    EXPECT_TRUE(m_log.contains("is not on this machine (recordings/" + k_call.str() + ".mp3)"));
}

TEST_F(JobSteps, ARecordingThatCannotBeFetchedAtTranscribeGoesBackToTheDownloadStep) {
    m_twilio.media = [](int n, const std::string&) {
        return n == 0 ? audio() : FakeResponse::json(500, "{}");
    };
    enqueue();
    drive(2);
    ASSERT_TRUE(fs::remove(saved_mp3()));
    const StepsRun run = drive(1);
    EXPECT_EQ(run.last, StepResult::next_step);
    EXPECT_EQ(m_store->find_job(k_call).value()->step, JobStep::download);
    EXPECT_EQ(call().status, CallStatus::downloading);
    EXPECT_TRUE(m_engine.files.empty());
}

} // namespace
} // namespace callscribe::jobs
