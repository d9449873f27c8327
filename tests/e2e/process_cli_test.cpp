// `callscribe process` as an operator runs it: the built binary against a scripted Twilio and
// a webhook receiver, both on 127.0.0.1, with a real SQLite file and the real engine.
#include "core/base64.hpp"
#include "core/secret.hpp"
#include "fakes/fake_http_server.hpp"
#include "fakes/scripted_twilio.hpp"
#include "store/store.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"
#include "support/time_factor.hpp"
#include "support/verified_webhooks.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace callscribe {
namespace {

using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using fakes::k_account;
using fakes::k_call;
using fakes::k_recording;
using fakes::k_token;
using fakes::Meta;
using fakes::ScriptedTwilio;
using test_support::run_callscribe;

const std::string k_webhook_key = "callscribe-test-webhook-key";

class ProcessCommand : public ::testing::Test {
  protected:
    std::map<std::string, std::string> env() const {
        return {
            {"TWILIO_ACCOUNT_SID", k_account},
            {"TWILIO_AUTH_TOKEN", k_token},
            {"TWILIO_API_BASE", "http://127.0.0.1:" + std::to_string(m_twilio_server.port())},
            {"CALLSCRIBE_DATA_DIR", m_dir.path().string()},
            {"CALLSCRIBE_READY_BACKOFF", "0.05,0.05,0.05,0.05,0.05"},
            {"CALLSCRIBE_NOT_FOUND_WAIT", "0.05"},
            {"CALLSCRIBE_WORKERS", "1"},
            {"CALLSCRIBE_WEBHOOK_URL", m_receiver.url("/hooks/transcript")},
            {"CALLSCRIBE_WEBHOOK_SECRET", "whsec_" + encode_base64(k_webhook_key)},
        };
    }

    store::CallLog call_log() {
        auto store = store::open_store("sqlite://" + (m_dir / "callscribe.db").string());
        EXPECT_TRUE(store) << store.error().message;
        auto call = (*store)->find_call(k_call);
        EXPECT_TRUE(call && *call);
        return **call;
    }

    std::vector<nlohmann::json> verified_webhooks() {
        return test_support::verified_webhooks(m_receiver, Secret(k_webhook_key));
    }

    test_support::TempDir m_dir;
    ScriptedTwilio m_twilio;
    FakeHttpServer m_twilio_server{[this](const FakeRequest& r) { return m_twilio.answer(r); }};
    FakeHttpServer m_receiver{[](const FakeRequest&) { return FakeResponse::text(200, "ok"); }};
};

TEST_F(ProcessCommand, WaitsForTheRecordingTranscribesSavesAndSendsTheWebhook) {
    m_twilio.metadata = {Meta{"processing", "\"-1\""}, Meta{"completed", "\"-1\""}, Meta{}};
    const auto result =
        run_callscribe({"process", k_call.str(), "--recording", k_recording.str()}, env());
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("three thirty"), std::string::npos) << result.out;
    for (const char* line :
         {"[OFFLINE_STT] Recording fetched: RE", ", duration=-1s",
          "[OFFLINE_STT] Recording not ready yet, will retry in 0.05s (attempt 1/5)",
          "[OFFLINE_STT] Recording not ready yet, will retry in 0.05s (attempt 2/5)",
          "[OFFLINE_STT] Trying recording URL (format 1/3): http://127.0.0.1",
          "[OFFLINE_STT] ✅ Recording saved to disk: recordings/CA",
          "[OFFLINE_STT] Starting transcription for CA", "[OFFLINE_STT] ✅ Saved final_transcript (",
          "✅ [WEBHOOK] Using OFFLINE transcript ("}) {
        EXPECT_NE(result.err.find(line), std::string::npos) << "missing: " << line << "\n"
                                                            << result.err;
    }
    EXPECT_EQ(result.err.find(k_token), std::string::npos) << "the auth token was logged";
    const auto call = call_log();
    EXPECT_EQ(call.status, store::CallStatus::done);
    EXPECT_EQ(call.transcript_source, store::TranscriptSource::offline);
    EXPECT_TRUE(std::filesystem::is_regular_file(m_dir / ("recordings/" + k_call.str() + ".mp3")));
    const auto webhooks = verified_webhooks();
    ASSERT_EQ(webhooks.size(), 1u);
    EXPECT_EQ(webhooks[0]["transcript_source"], "offline");
    EXPECT_EQ(webhooks[0]["call_sid"], k_call.str());
    EXPECT_EQ(webhooks[0]["transcript"], call.final_transcript);
}

TEST_F(ProcessCommand, WithoutARecordingSidFindsTheCallsRecording) {
    const auto result = run_callscribe({"process", k_call.str()}, env());
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(call_log().recording_sid, k_recording);
}

TEST_F(ProcessCommand, NeverReadyGivesUpWithExitOneAndAFallbackWebhook) {
    m_twilio.metadata = {Meta{"processing", "null"}};
    const auto result =
        run_callscribe({"process", k_call.str(), "--recording", k_recording.str()}, env());
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("❌ [OFFLINE_STT] Giving up on recording " + k_call.str() +
                              " after 5 attempts"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(call_log().status, store::CallStatus::gave_up);
    const auto webhooks = verified_webhooks();
    ASSERT_EQ(webhooks.size(), 1u);
    EXPECT_EQ(webhooks[0]["transcript_source"], "none");
}

TEST_F(ProcessCommand, RunningItAgainTranscribesAgainUnderANewWebhookId) {
    ASSERT_EQ(run_callscribe({"process", k_call.str()}, env()).exit_code, 0);
    ASSERT_EQ(run_callscribe({"process", k_call.str()}, env()).exit_code, 0);
    const auto webhooks = verified_webhooks();
    ASSERT_EQ(webhooks.size(), 2u);
    EXPECT_NE(webhooks[0]["_id"], webhooks[1]["_id"]);
}

TEST_F(ProcessCommand, BadUsageExitsTwoWithoutTouchingAnything) {
    const auto not_a_sid = run_callscribe({"process", "CA123"}, env());
    EXPECT_EQ(not_a_sid.exit_code, 2);
    EXPECT_NE(not_a_sid.err.find("not a Call SID (CA + 32 hex digits): CA123"), std::string::npos)
        << not_a_sid.err;
    const auto traversal = run_callscribe({"process", "../../etc/passwd"}, env());
    EXPECT_EQ(traversal.exit_code, 2);
    const auto pairs = run_callscribe(
        {"process", k_call.str(), "CA" + std::string(32, '3'), "--recording", k_recording.str()},
        env());
    EXPECT_EQ(pairs.exit_code, 2);
    EXPECT_NE(pairs.err.find("one --recording per call"), std::string::npos) << pairs.err;
    auto no_account = env();
    no_account.erase("TWILIO_ACCOUNT_SID");
    const auto unconfigured = run_callscribe({"process", k_call.str()}, no_account);
    EXPECT_EQ(unconfigured.exit_code, 2);
    EXPECT_NE(unconfigured.err.find("TWILIO_ACCOUNT_SID"), std::string::npos) << unconfigured.err;
    EXPECT_EQ(m_twilio_server.request_count(), 0u);
    EXPECT_FALSE(std::filesystem::exists(m_dir / "callscribe.db"));
}

TEST_F(ProcessCommand, BadCredentialsAreOneRequestAndExitOne) {
    auto wrong = env();
    wrong["TWILIO_AUTH_TOKEN"] = "not-the-token";
    const auto result = run_callscribe({"process", k_call.str()}, wrong);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(m_twilio_server.request_count(), 1u);
    EXPECT_NE(result.err.find("Twilio answered 401"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("not-the-token"), std::string::npos);
}

// Waits (bounded) until `done()`: the test waits for another process, not for time to pass.
template <class Condition> bool eventually(Condition done) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(20) * test_support::time_factor();
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

TEST_F(ProcessCommand, KilledWhileWaitingForTheRecordingItResumesFromItsSavedAttempt) {
    m_twilio.metadata = {Meta{"processing", "null"}, Meta{"processing", "null"}, Meta{}};
    auto settings = env();
    // The kill must land in the first wait: 1.5 s, longer on a slow run.
    settings["CALLSCRIBE_READY_BACKOFF"] =
        std::to_string(1.5 * test_support::time_factor()) + ",0.05,0.05,0.05,0.05";
    test_support::BackgroundCommand first({"process", k_call.str()}, settings);
    ASSERT_TRUE(
        eventually([&] { return first.err_so_far().find("(attempt 1/5)") != std::string::npos; }));
    first.kill();

    const auto second = run_callscribe({"process", k_call.str()}, settings);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_NE(second.err.find("(attempt 2/5)"), std::string::npos) << second.err;
    EXPECT_EQ(second.err.find("(attempt 1/5)"), std::string::npos) << "the attempt was not saved";
    EXPECT_EQ(m_twilio.fetches, 3);
    EXPECT_EQ(call_log().status, store::CallStatus::done);
    ASSERT_EQ(verified_webhooks().size(), 1u);
}

TEST_F(ProcessCommand, KilledMidDownloadItLeavesNoPartialFileAndTheJobIsTakenOver) {
    m_twilio.media = [](int n, const std::string&) {
        FakeResponse audio{200, {{"Content-Type", "audio/mpeg"}}, fakes::audio_bytes()};
        if (n == 0) audio.delay = std::chrono::seconds(30); // the first download hangs
        return audio;
    };
    auto settings = env();
    settings["CALLSCRIBE_JOB_LEASE"] = "2"; // the shortest allowed: the second run waits it out
    test_support::BackgroundCommand first({"process", k_call.str()}, settings);
    ASSERT_TRUE(eventually([&] {
        std::lock_guard lock(m_twilio.mutex);
        return m_twilio.media_requests == 1;
    }));
    first.kill();
    auto leftovers = [&] {
        int count = 0;
        for (const auto& e : std::filesystem::directory_iterator(m_dir / "recordings"))
            count += e.path().extension() == ".part";
        return count;
    };
    EXPECT_EQ(leftovers(), 1) << "the crash left its temporary download behind";

    const auto second = run_callscribe({"process", k_call.str()}, settings);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(leftovers(), 0);
    {
        std::lock_guard lock(m_twilio.mutex);
        EXPECT_EQ(m_twilio.media_requests, 2);
    }
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(m_dir / "recordings"))
        files.push_back(e.path().filename().string());
    EXPECT_EQ(files, std::vector<std::string>{k_call.str() + ".mp3"});
    const auto webhooks = verified_webhooks();
    ASSERT_EQ(webhooks.size(), 1u);
    EXPECT_EQ(webhooks[0]["transcript_source"], "offline");
}

} // namespace
} // namespace callscribe
