// GET /twilio/media of the built service, driven by a Media Streams client that is not
// callscribe's (tests/media_stream/twilio_media_client.py, on Debian's python3-websockets) with
// Twilio's documented message sequence.
#include "support/command.hpp"
#include "support/media_stream_messages.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

namespace callscribe {
namespace {

using namespace std::chrono_literals;
using test_support::BackgroundCommand;

constexpr std::string_view k_ready_line = "callscribe serving on ";
constexpr auto k_account = "AC0123456789abcdef0123456789abcdef";
constexpr auto k_call = "CA00000000000000000000000000000bee";
constexpr auto k_token = "media-stream-test-auth-token";
const std::filesystem::path k_client =
    std::filesystem::path(CALLSCRIBE_SOURCE_DIR) / "tests/media_stream/twilio_media_client.py";

// Chunk i of a track: 160 bytes of one value, so a misplaced chunk shows.
std::string track_bytes(int chunks, int offset) {
    std::string out;
    for (int i = 0; i < chunks; ++i)
        out += std::string(160, static_cast<char>((i + offset) % 200));
    return out;
}

class MediaStreamEndpoint : public ::testing::Test {
  protected:
    void SetUp() override {
        m_service = std::make_unique<BackgroundCommand>(
            std::vector<std::string>{"serve"},
            std::map<std::string, std::string>{
                {"TWILIO_ACCOUNT_SID", k_account},
                {"TWILIO_AUTH_TOKEN", k_token},
                {"TWILIO_API_BASE", "http://127.0.0.1:9"}, // never called: no recording here
                {"CALLSCRIBE_LISTEN", "127.0.0.1:0"},
                {"CALLSCRIBE_DATA_DIR", m_dir.path().string()}});
        ASSERT_TRUE(m_service->running());
        const auto line = m_service->read_line(30s);
        ASSERT_TRUE(line) << m_service->stop().err;
        ASSERT_TRUE(line->starts_with(k_ready_line)) << *line;
        m_host = line->substr(k_ready_line.size() + std::string("http://").size());
        test_support::write_file(m_dir / "caller.ulaw", track_bytes(100, 0));
        test_support::write_file(m_dir / "agent.ulaw", track_bytes(100, 50));
    }

    // Runs the client; the line it ends with ("closed 1000", "refused 403").
    std::string play(std::vector<std::string> extra, bool signed_upgrade = true) {
        std::vector<std::string> argv{"/usr/bin/python3",
                                      k_client.string(),
                                      "--url",
                                      fmt::format("ws://{}/twilio/media", m_host),
                                      "--signed-url",
                                      fmt::format("ws://{}/twilio/media", m_host),
                                      "--account",
                                      k_account,
                                      "--call",
                                      k_call,
                                      "--caller",
                                      (m_dir / "caller.ulaw").string(),
                                      "--agent",
                                      (m_dir / "agent.ulaw").string()};
        if (signed_upgrade) argv.insert(argv.end(), {"--auth-token", k_token});
        argv.insert(argv.end(), extra.begin(), extra.end());
        auto client = BackgroundCommand::program(argv);
        const auto line = client->read_line(60s);
        const auto result = client->stop();
        return line.value_or("(nothing) " + result.err);
    }

    std::filesystem::path recording() const {
        return m_dir / "recordings" / (std::string(k_call) + ".stream.wav");
    }

    test_support::TempDir m_dir;
    std::unique_ptr<BackgroundCommand> m_service;
    std::string m_host; // 127.0.0.1:port
};

TEST_F(MediaStreamEndpoint, TwilioMessageSequenceBecomesTheCallsTwoChannelRecording) {
    EXPECT_EQ(play({"--drop", "inbound:10"}), "closed 1000");
    ASSERT_TRUE(std::filesystem::exists(recording())) << m_service->err_so_far();
    std::string caller = track_bytes(100, 0);
    caller.replace(10 * 160, 160, std::string(160, '\xff')); // the chunk that never came
    const std::string agent = track_bytes(100, 50);
    std::string expected;
    for (std::size_t i = 0; i < caller.size(); ++i) {
        expected += caller[i];
        expected += agent[i];
    }
    EXPECT_EQ(test_support::wav_data(recording()), expected);
    // The log line is written as the stream stops; the service may still be writing it.
    const auto stopped = fmt::format(
        "[MEDIA] stream MZ0123456789abcdef0123456789abcdef of call {} stopped: 2.0 s captured "
        "(silence filled: inbound 0.0 s, outbound 0.0 s; late 0.0 s) → recordings/{}.stream.wav",
        k_call, k_call);
    const auto result = m_service->stop();
    EXPECT_NE(result.err.find(stopped), std::string::npos) << result.err;
}

TEST_F(MediaStreamEndpoint, AnUpgradeWithoutTwilioSignatureIsRefused) {
    EXPECT_EQ(play({}, false), "refused 403");
    EXPECT_FALSE(
        std::filesystem::exists(m_dir / "recordings" / (std::string(k_call) + ".stream.wav.part")));
    const auto result = m_service->stop();
    EXPECT_NE(result.err.find("[TWILIO] media stream refused: no X-Twilio-Signature"),
              std::string::npos)
        << result.err;
}

TEST_F(MediaStreamEndpoint, BadBase64ClosesWith1007AndKeepsTheAudioBeforeIt) {
    EXPECT_EQ(play({"--corrupt-at", "5"}), "closed 1007");
    const auto result = m_service->stop();
    ASSERT_TRUE(std::filesystem::exists(recording())) << result.err;
    // Chunks 0–4 of both tracks (the caller's chunk 5 was the bad one).
    EXPECT_EQ(test_support::wav_data(recording()).size(), 2U * 5 * 160);
    EXPECT_NE(result.err.find("closed (1007): media.payload is not base64"), std::string::npos)
        << result.err;
}

} // namespace
} // namespace callscribe
