// The whole pipeline with both binaries: `callscribe sandbox` plays Twilio (with its scenario
// knobs), `callscribe process` fetches, waits, downloads, transcribes and saves. Only 127.0.0.1.
#include "net/curl/curl_http_client.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace callscribe {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using test_support::BackgroundCommand;
using test_support::run_callscribe;

std::string field(const std::string& line, const std::string& name) {
    std::smatch match;
    if (!std::regex_search(line, match, std::regex(name + "=(\\S+)"))) return {};
    return match[1];
}

class PipelineWithSandbox : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto line = m_sandbox.read_line(30s);
        ASSERT_TRUE(line) << m_sandbox.stop().err;
        m_base = field(*line, "TWILIO_API_BASE");
        m_env = {{"TWILIO_API_BASE", m_base},
                 {"TWILIO_ACCOUNT_SID", field(*line, "TWILIO_ACCOUNT_SID")},
                 {"TWILIO_AUTH_TOKEN", field(*line, "TWILIO_AUTH_TOKEN")},
                 {"CALLSCRIBE_DATA_DIR", m_dir.path().string()},
                 {"CALLSCRIBE_READY_BACKOFF", "0.05,0.05,0.05,0.05,0.05"},
                 {"CALLSCRIBE_NOT_FOUND_WAIT", "0.05"},
                 {"CALLSCRIBE_WORKERS", "1"}};
    }

    // Creates a call in the sandbox; returns {call_sid, recording_sid}.
    std::pair<std::string, std::string> create_call(json knobs) {
        knobs["audio"] = std::string(CALLSCRIBE_EVAL_DIR) + "/synth/phone/flt01.mp3";
        auto created =
            m_http.send({.method = "POST", .url = m_base + "/sandbox/calls", .body = knobs.dump()});
        EXPECT_TRUE(created && created->status == 201) << (created ? created->body : "");
        const json call = json::parse(created->body);
        return {call["call_sid"], call["recording_sid"]};
    }

    json sandbox_requests() {
        auto answer = m_http.send({.url = m_base + "/sandbox/requests"});
        EXPECT_TRUE(answer && answer->status == 200);
        return json::parse(answer->body);
    }

    test_support::TempDir m_dir;
    BackgroundCommand m_sandbox{
        {"sandbox", "--listen", "127.0.0.1:0", "--storage-listen", "127.0.0.1:0"}};
    net::curl::CurlHttpClient m_http;
    std::string m_base;
    std::map<std::string, std::string> m_env;
};

TEST_F(PipelineWithSandbox, RidesOutProcessingMissingFormsAndServerErrors) {
    const auto [call, recording] = create_call({{"processing_fetches", 2},
                                                {"pending_duration", "-1"},
                                                {"missing_formats", {"base"}},
                                                {"failures", {{{"status", 500}}}}});
    const auto result = run_callscribe({"process", call, "--recording", recording}, m_env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("three"), std::string::npos) << result.out;
    const std::vector<std::string> in_order{
        "[OFFLINE_STT] Recording fetched: " + recording + ", duration=-1s",
        "[OFFLINE_STT] Recording not ready yet, will retry in 0.05s (attempt 1/5)",
        "[OFFLINE_STT] Recording fetched: " + recording + ", duration=-1s",
        "[OFFLINE_STT] Recording not ready yet, will retry in 0.05s (attempt 2/5)",
        "[OFFLINE_STT] Trying recording URL (format 1/3): " + m_base,
        "[OFFLINE_STT] Download status: 404, bytes=0",
        "[OFFLINE_STT] Trying recording URL (format 2/3): " + m_base,
        "[OFFLINE_STT] Download status: 200, bytes=",
        "[OFFLINE_STT] ✅ Successfully downloaded ",
        "[OFFLINE_STT] ✅ Recording saved to disk: recordings/" + call + ".mp3 (",
        "[OFFLINE_STT] Starting transcription for " + call + " (engine=pocketsphinx)",
        "[OFFLINE_STT] ✅ Transcript obtained: ",
        "[OFFLINE_STT] ✅ Saved final_transcript (",
    };
    std::size_t at = 0;
    for (const auto& line : in_order) {
        const auto found = result.err.find(line, at);
        ASSERT_NE(found, std::string::npos) << "missing, in order: " << line << "\n" << result.err;
        at = found + line.size();
    }
    EXPECT_NE(result.err.find("Twilio answered 500"), std::string::npos) << result.err;
    // Media came by redirect from the storage listener, which never saw credentials.
    const json requests = sandbox_requests();
    EXPECT_EQ(requests["storage_authorization_headers"], 0);
    int storage = 0;
    for (const auto& r : requests["requests"])
        storage += r["listener"] == "storage";
    EXPECT_EQ(storage, 1);
}

TEST_F(PipelineWithSandbox, AnAbsentRecordingGivesUpAtOnce) {
    const auto [call, recording] = create_call({{"status", "absent"}});
    const auto result = run_callscribe({"process", call, "--recording", recording}, m_env);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("❌ [OFFLINE_STT] Giving up on recording " + call), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("is absent (Twilio error 16102)"), std::string::npos) << result.err;
}

TEST_F(PipelineWithSandbox, ACallWithoutRecordingSidIsFoundThroughItsRecordingList) {
    const auto [call, recording] = create_call({{"processing_fetches", 1}});
    const auto result = run_callscribe({"process", call}, m_env);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("Recording fetched: " + recording), std::string::npos) << result.err;
}

} // namespace
} // namespace callscribe
