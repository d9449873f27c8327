// The whisper engine and `callscribe models` as an operator runs them: the built binary, a model
// the binary generates itself (random weights: the tests assert structure and errors, not words).

#include "fakes/fake_http_server.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace callscribe {
namespace {

using test_support::run_callscribe;
using test_support::TempDir;

const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";

bool one_line(const std::string& text) {
    return !text.empty() && text.find('\n') == text.size() - 1;
}

class WhisperCli : public ::testing::Test {
  protected:
    void SetUp() override {
        auto r = run_callscribe({"models", "make-test-model", model()});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::string model() const { return (m_dir / "test-model.bin").string(); }
    std::string truncated_model() const {
        const std::string bytes = test_support::read_file(model());
        const auto path = (m_dir / "truncated.bin").string();
        test_support::write_file(path, bytes.substr(0, bytes.size() - 1000));
        return path;
    }
    std::map<std::string, std::string> env() const {
        return {{"CALLSCRIBE_DATA_DIR", (m_dir / "data").string()}};
    }

    TempDir m_dir;
};

TEST_F(WhisperCli, TheGeneratedModelVerifies) {
    auto r = run_callscribe({"models", "verify", model()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("a Whisper model (unknown, English-only, f16 weights, 50 tensors"),
              std::string::npos)
        << r.out;
}

TEST_F(WhisperCli, ATruncatedModelFailsVerificationInOneLineNamingIt) {
    const auto bad = truncated_model();
    auto r = run_callscribe({"models", "verify", bad});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find(bad + ": truncated"), std::string::npos) << r.err;
}

TEST_F(WhisperCli, AFileNamedAsAPublishedModelMustBeThatModel) {
    const auto named = (m_dir / "ggml-base.en.bin").string();
    std::filesystem::copy_file(model(), named);
    auto r = run_callscribe({"models", "verify", named});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("not the published base.en"), std::string::npos) << r.err;
}

TEST_F(WhisperCli, TranscribePrintsSegmentsInEveryFormat) {
    const std::vector<std::string> base = {"transcribe", "--engine",      "whisper",  "--model",
                                           model(),      "--no-progress", k_demo_call};
    auto format = [&](const std::string& f) {
        auto args = base;
        args.insert(args.begin() + 1, {"--format", f});
        auto r = run_callscribe(args, env());
        EXPECT_EQ(r.exit_code, 0) << f << ": " << r.err;
        return r.out;
    };
    const std::string txt = format("txt");
    EXPECT_NE(txt.find("Agent: "), std::string::npos) << txt;
    EXPECT_NE(txt.find("Caller: "), std::string::npos) << txt;

    const auto json = nlohmann::json::parse(format("json"));
    EXPECT_EQ(json["engine"], "whisper");
    EXPECT_EQ(json["language"], "en");
    ASSERT_FALSE(json["segments"].empty());
    for (const auto& s : json["segments"]) {
        EXPECT_LE(s["start"].get<double>(), s["end"].get<double>());
        EXPECT_LE(s["end"].get<double>(), json["audio_s"].get<double>() + 0.01);
        EXPECT_TRUE(s["speaker"] == "Agent" || s["speaker"] == "Caller");
        EXPECT_FALSE(s["words"].empty());
    }

    const std::string srt = format("srt");
    EXPECT_TRUE(srt.starts_with("1\n00:00:")) << srt;
    EXPECT_NE(srt.find(" --> "), std::string::npos);
    const std::string vtt = format("vtt");
    EXPECT_TRUE(vtt.starts_with("WEBVTT\n")) << vtt;
    EXPECT_NE(vtt.find(" --> "), std::string::npos);
}

TEST_F(WhisperCli, TranscribeWithAMissingOrCorruptModelExits2InOneLineNamingIt) {
    for (const auto& bad : {(m_dir / "nope.bin").string(), truncated_model()}) {
        auto r = run_callscribe({"transcribe", "--engine", "whisper", "--model", bad, k_demo_call},
                                env());
        EXPECT_EQ(r.exit_code, 2) << bad;
        EXPECT_TRUE(one_line(r.err)) << r.err;
        EXPECT_TRUE(r.err.starts_with("callscribe: " + bad + ": ")) << r.err;
        EXPECT_EQ(r.out, "");
    }
    auto r = run_callscribe({"transcribe", "--engine", "whisper", k_demo_call}, env());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("CALLSCRIBE_WHISPER_MODEL is required"), std::string::npos) << r.err;
}

TEST_F(WhisperCli, ServeAndWorkerRefuseToStartOnABadModel) {
    auto environment = env();
    environment["TWILIO_ACCOUNT_SID"] = "AC" + std::string(32, 'a');
    environment["TWILIO_AUTH_TOKEN"] = "whisper-cli-test-token";
    environment["CALLSCRIBE_LISTEN"] = "127.0.0.1:0";
    environment["CALLSCRIBE_STT_ENGINE"] = "whisper";
    environment["CALLSCRIBE_WHISPER_MODEL"] = truncated_model();
    for (const char* command : {"serve", "worker"}) {
        auto r = run_callscribe({command}, environment);
        EXPECT_EQ(r.exit_code, 2) << command;
        EXPECT_NE(r.err.find(environment["CALLSCRIBE_WHISPER_MODEL"] + ": truncated"),
                  std::string::npos)
            << r.err;
        EXPECT_EQ(r.out.find("callscribe serving"), std::string::npos);
    }
}

TEST_F(WhisperCli, FetchRefusesADownloadThatDoesNotMatchTheKnownChecksum) {
    fakes::FakeHttpServer server([](const fakes::FakeRequest& request) {
        if (request.path() != "/ggml-tiny.en-q8_0.bin") return fakes::FakeResponse::text(404, "");
        return fakes::FakeResponse{200, {}, std::string(4096, 'x')};
    });
    auto environment = env();
    environment["CALLSCRIBE_MODEL_BASE_URL"] = server.url("");
    const auto dir = (m_dir / "models").string();
    auto r = run_callscribe({"models", "fetch", "tiny.en-q8_0", "--dir", dir}, environment);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("does not match"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir + "/ggml-tiny.en-q8_0.bin"));
    EXPECT_FALSE(std::filesystem::exists(dir + "/ggml-tiny.en-q8_0.bin.part"));

    auto unknown = run_callscribe({"models", "fetch", "enormous"}, environment);
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("unknown model"), std::string::npos) << unknown.err;
}

TEST_F(WhisperCli, ListShowsTheKnownModelsWithTheirChecksums) {
    auto r = run_callscribe({"models", "list"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("base.en"), std::string::npos);
    EXPECT_NE(r.out.find("a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002"),
              std::string::npos);
}

TEST_F(WhisperCli, VersionListsTheWhisperEngine) {
    auto r = run_callscribe({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("speech engines:\n  pocketsphinx  offline, built in\n  whisper       "
                         "whisper.cpp in the process"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("whisper.cpp 1.9.1"), std::string::npos) << r.out;
}

} // namespace
} // namespace callscribe
