// `callscribe transcribe` as an operator runs it: the built binary, real audio, real engine.

#include "fakes/fake_stt_server.hpp"
#include "stt/word_error_rate.hpp"
#include "support/command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace callscribe {
namespace {

using test_support::run_callscribe;
using test_support::TempDir;

const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";
const std::string k_eval = CALLSCRIBE_EVAL_DIR;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

TEST(TranscribeCli, DemoCallComesOutAsSpeakerTurnsInOrder) {
    auto r = run_callscribe({"transcribe", k_demo_call});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto turns = lines(r.out);
    ASSERT_EQ(turns.size(), 5u) << r.out;
    const char* speakers[] = {"Agent: ", "Caller: ", "Agent: ", "Caller: ", "Agent: "};
    for (std::size_t i = 0; i < 5; ++i)
        EXPECT_TRUE(turns[i].starts_with(speakers[i])) << turns[i];
    auto errors =
        stt::word_errors("is it possible to reschedule my appointment to the first week of june",
                         turns[1].substr(8));
    EXPECT_LT(errors.rate(), 0.25) << turns[1];
}

TEST(TranscribeCli, SrtOfTheDemoCallIsWellFormed) {
    auto r = run_callscribe({"transcribe", "--format", "srt", k_demo_call});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // A cue: its number, its times, the speaker's label and at most two lines of words.
    std::regex cue(
        R"((\d+)\n(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)\n(Agent|Caller):( [a-z' ]+)?(\n[a-z' ]+)?\n\n)");
    int count = 0;
    double previous = -1;
    std::string rest = r.out;
    std::smatch m;
    while (std::regex_search(rest, m, cue, std::regex_constants::match_continuous)) {
        EXPECT_EQ(std::stoi(m[1]), ++count);
        double start = std::stoi(m[3]) * 60 + std::stoi(m[4]) + std::stoi(m[5]) / 1000.0;
        double end = std::stoi(m[7]) * 60 + std::stoi(m[8]) + std::stoi(m[9]) / 1000.0;
        EXPECT_GE(start, previous);
        EXPECT_GT(end, start);
        previous = start;
        rest = m.suffix();
    }
    EXPECT_TRUE(rest.empty()) << "not a cue: " << rest.substr(0, 200);
    EXPECT_GE(count, 5);
}

TEST(TranscribeCli, BatchWritesEachFileAndReportsFailuresWithoutStopping) {
    TempDir dir;
    test_support::write_file(dir / "broken.mp3", "this is not audio at all, just text in a file\n");
    auto out = dir / "out";
    auto r = run_callscribe({"transcribe", "--format", "json", "-o", out.string(),
                             k_eval + "/synth/phone/flt14.mp3", (dir / "broken.mp3").string(),
                             k_eval + "/synth/clean/flt10.wav"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("broken.mp3"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    auto flt14 = nlohmann::json::parse(test_support::read_file(out / "flt14.json"));
    EXPECT_LT(stt::word_errors("the technician will be there on wednesday between eight and ten",
                               flt14["text"].get<std::string>())
                  .rate(),
              0.3);
    EXPECT_TRUE(std::filesystem::exists(out / "flt10.json"));
    EXPECT_FALSE(std::filesystem::exists(out / "broken.json"));
    EXPECT_TRUE(r.out.empty());
}

TEST(TranscribeCli, InputsWithTheSameStemGetTheirOwnTranscripts) {
    TempDir dir;
    std::filesystem::copy_file(k_eval + "/synth/phone/flt06.wav", dir / "x.wav");
    std::filesystem::copy_file(k_eval + "/synth/phone/flt14.mp3", dir / "x.mp3");
    std::filesystem::copy_file(k_eval + "/synth/phone/flt18.mp3", dir / "x-2.mp3");
    auto out = dir / "out";
    auto r = run_callscribe({"transcribe", "-o", out.string(), (dir / "x.wav").string(),
                             (dir / "x.mp3").string(), (dir / "x-2.mp3").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(test_support::read_file(out / "x.txt").find("invoice"), std::string::npos);
    EXPECT_NE(test_support::read_file(out / "x-2.txt").find("technician"), std::string::npos);
    EXPECT_NE(test_support::read_file(out / "x-2-2.txt").find("appointment"), std::string::npos);
    // The renames are said, each in one line.
    EXPECT_NE(r.err.find((dir / "x.mp3").string() + " → " + (out / "x-2.txt").string() +
                         " (x.txt is another input's)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find((dir / "x-2.mp3").string() + " → " + (out / "x-2-2.txt").string()),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find((dir / "x.wav").string() + " → "), std::string::npos);
}

TEST(TranscribeCli, MissingFileFailsWithOneLineNamingIt) {
    auto r = run_callscribe({"transcribe", "/nonexistent/call.mp3"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("/nonexistent/call.mp3"), std::string::npos) << r.err;
}

TEST(TranscribeCli, BadConfigurationStopsBeforeAnyWork) {
    auto r = run_callscribe({"transcribe", k_demo_call}, {{"CALLSCRIBE_WORKERS", "lots"}});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("CALLSCRIBE_WORKERS"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

TEST(TranscribeCli, MissingModelIsAClearStartError) {
    auto r = run_callscribe({"transcribe", k_demo_call},
                            {{"CALLSCRIBE_PS_MODEL_DIR", "/nonexistent/model"}});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/nonexistent/model"), std::string::npos) << r.err;
}

TEST(TranscribeCli, ADictionaryWithoutWordsIsAStartErrorNotSilence) {
    auto r = run_callscribe({"transcribe", k_demo_call}, {{"CALLSCRIBE_PS_DICT", "/dev/null"}});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "callscribe: pocketsphinx dictionary /dev/null has no words (expected lines "
                     "like \"hello HH AH L OW\")\n");
    EXPECT_TRUE(r.out.empty());
}

TEST(Cli, AMisspeltVariableIsWarnedAboutAtStart) {
    auto r = run_callscribe({"--print-config"}, {{"CALLSCRIBE_LSITEN", "127.0.0.1:9999"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("CALLSCRIBE_LSITEN is not a callscribe setting and is ignored (did you "
                         "mean CALLSCRIBE_LISTEN?)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("CALLSCRIBE_LISTEN = 127.0.0.1:8080\n"), std::string::npos) << r.out;
}

TEST(TranscribeCli, BadUsageExitsTwo) {
    EXPECT_EQ(run_callscribe({"transcribe", "--format", "doc", k_demo_call}).exit_code, 2);
    EXPECT_EQ(run_callscribe({"transcribe"}).exit_code, 2);
    EXPECT_EQ(run_callscribe({"frobnicate"}).exit_code, 2);
    for (const char* jobs : {"0", "-3", "100000", "two"}) {
        const auto r = run_callscribe({"transcribe", "-j", jobs, k_demo_call});
        EXPECT_EQ(r.exit_code, 2) << jobs;
        EXPECT_NE(r.err.find("--jobs"), std::string::npos) << r.err;
    }
    const auto help = run_callscribe({"transcribe", "--help"});
    EXPECT_NE(help.out.find("=txt"), std::string::npos) << "the default format shows: " << help.out;
}

TEST(TranscribeCli, OpenAiEngineUsesTheConfiguredServiceAndKey) {
    fakes::FakeSttServer service("sk-test-4f9a");
    auto r = run_callscribe({"transcribe", "--engine", "openai", "--format", "vtt", k_demo_call},
                            {{"CALLSCRIBE_STT_URL", service.base_url()},
                             {"CALLSCRIBE_STT_MODEL", "large-v3"},
                             {"OPENAI_API_KEY", "sk-test-4f9a"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto uploads = service.uploads();
    ASSERT_EQ(uploads.size(), 2u); // the demo call has two channels
    EXPECT_EQ(uploads[0].model, "large-v3");
    EXPECT_EQ(uploads[0].authorization, "Bearer sk-test-4f9a");
    EXPECT_NE(r.out.find("<v Caller>Hello there."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("<v Agent>Hello there."), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("sk-test-4f9a"), std::string::npos) << r.err;
}

TEST(TranscribeCli, OpenAiEngineWithAWrongKeyFailsTheFileInOneLine) {
    fakes::FakeSttServer service("sk-right");
    auto r = run_callscribe(
        {"transcribe", "--engine", "openai", k_eval + "/synth/phone/flt10.mp3"},
        {{"CALLSCRIBE_STT_URL", service.base_url()}, {"OPENAI_API_KEY", "sk-wrong-7c1d"}});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("flt10.mp3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("sk-wrong-7c1d"), std::string::npos) << r.err;
}

TEST(Cli, PrintConfigShowsSettingsButNeverSecrets) {
    test_support::TempDir dir;
    test_support::write_file(dir / "callscribe.toml",
                             "CALLSCRIBE_WORKERS = 3\n"
                             "callscribe_ps_preset = \"accurate\"\n"
                             "TWILIO_AUTH_TOKEN = \"tok-from-file-91ab\"\n");
    auto r = run_callscribe({"--config", (dir / "callscribe.toml").string(), "--print-config"},
                            {{"CALLSCRIBE_WORKERS", "5"}, {"OPENAI_API_KEY", "sk-env-55e2"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("CALLSCRIBE_WORKERS = 5\n"), std::string::npos) << r.out; // env wins
    EXPECT_NE(r.out.find("CALLSCRIBE_PS_PRESET = accurate\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("TWILIO_AUTH_TOKEN = ***\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("OPENAI_API_KEY = ***\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("tok-from-file-91ab"), std::string::npos);
    EXPECT_EQ(r.out.find("sk-env-55e2"), std::string::npos);
}

TEST(Cli, WorkerWithoutTwilioCredentialsIsAConfigurationError) {
    auto r = run_callscribe({"worker"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("TWILIO_ACCOUNT_SID is not set"), std::string::npos) << r.err;
}

TEST(TranscribeCli, VersionListsWhatWasBuiltIn) {
    auto r = run_callscribe({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("pocketsphinx"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("openai"), std::string::npos) << r.out;
}

} // namespace
} // namespace callscribe
