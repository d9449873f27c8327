// A sandbox call with a media stream, played to a real capture (live::MediaStreams behind an
// HttpServer route that checks the upgrade's signature as the service does): the recording it
// leaves is the call's two channels as μ-law, byte for byte, and the call's state says how the
// stream ended.
#include "audio/mulaw.hpp"
#include "audio/pcm_reader.hpp"
#include "live/media_streams.hpp"
#include "live/stream_recording.hpp"
#include "net/curl/curl_http_client.hpp"
#include "net/server/http_server.hpp"
#include "sandbox/sandbox_server.hpp"
#include "support/media_stream_messages.hpp"
#include "support/temp_dir.hpp"
#include "twilio/signature.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace callscribe::sandbox {
namespace {

using namespace std::chrono_literals;
const std::filesystem::path k_demo =
    std::filesystem::path(CALLSCRIBE_SOURCE_DIR) / "samples/demo-call.mp3";

// What Twilio would send of `audio`: its channels as μ-law, 20 ms frames, the last one padded
// with silence, interleaved as the capture writes them.
std::string expected_capture(const std::filesystem::path& audio) {
    auto reader = audio::PcmReader::open(audio, 8000);
    EXPECT_TRUE(reader) << reader.error().message;
    std::vector<std::vector<std::uint8_t>> tracks(2);
    std::vector<std::vector<float>> chunk;
    while (*reader->next(chunk)) {
        for (std::size_t c = 0; c < 2; ++c)
            audio::encode_mulaw(chunk[c], tracks[c]);
    }
    const std::size_t frames = (tracks[0].size() + 159) / 160 * 160;
    std::string out;
    for (std::size_t i = 0; i < frames; ++i) {
        for (const auto& track : tracks)
            out += static_cast<char>(i < track.size() ? track[i] : audio::k_mulaw_silence);
    }
    return out;
}

class SandboxMediaStream : public ::testing::Test {
  protected:
    void SetUp() override {
        SandboxSettings settings;
        settings.port = 0;
        m_sandbox = std::make_unique<SandboxServer>(settings, m_clock, m_callbacks);
        ASSERT_TRUE(m_sandbox->start());
        m_service = std::make_unique<net::HttpServer>(
            net::ServerSettings{.host = "127.0.0.1", .port = 0, .name = "service"},
            [this](const net::ServerRequest& request) {
                net::ServerResponse response{.status = 403};
                const auto signature = request.header("x-twilio-signature");
                if (request.websocket_upgrade && signature &&
                    twilio::is_valid_signature({.url = stream_url(), .params = {}, .body = {}},
                                               *signature, m_sandbox->auth_token()))
                    response.websocket = m_streams.open_session();
                return response;
            });
        ASSERT_TRUE(m_service->start());
    }

    std::string stream_url() const {
        return "ws://127.0.0.1:" + std::to_string(m_service->port()) + "/twilio/media";
    }

    // The call's state from the control API once its stream has ended.
    nlohmann::json stream_outcome(const std::string& call_sid) {
        net::curl::CurlHttpClient http;
        for (int i = 0; i < 600; ++i) { // 60 s at most
            auto state = http.send({.url = m_sandbox->base_url() + "/sandbox/calls/" + call_sid});
            if (state && state->status == 200) {
                const auto parsed = nlohmann::json::parse(state->body);
                for (const auto& c : parsed["callbacks"]) {
                    if (c["kind"] == "media_stream" && c["state"] != "pending") return c;
                }
            }
            std::this_thread::sleep_for(100ms);
        }
        ADD_FAILURE() << "the stream did not end";
        return nlohmann::json::object();
    }

    test_support::TempDir m_dir;
    SystemClock m_clock;
    net::curl::CurlHttpClient m_callbacks;
    std::unique_ptr<SandboxServer> m_sandbox;
    live::MediaStreams m_streams{live::MediaStreamSettings{.recordings_dir = m_dir.path()}};
    std::unique_ptr<net::HttpServer> m_service;
};

TEST_F(SandboxMediaStream, TheCallsTwoChannelsArriveAsTheCaptureOfATwilioStream) {
    auto created = m_sandbox->create_call(
        {.audio = k_demo, .media_stream = MediaStreamScript{.url = stream_url(), .pace = 0}});
    ASSERT_TRUE(created) << created.error().message;
    const auto outcome = stream_outcome(created->call_sid);
    EXPECT_EQ(outcome["state"], "sent") << outcome.dump();
    EXPECT_EQ(outcome["status"], 1000);
    const auto recording =
        live::stream_recording_path(m_dir.path(), *CallSid::parse(created->call_sid));
    ASSERT_TRUE(std::filesystem::exists(recording));
    const std::string captured = test_support::wav_data(recording);
    const std::string expected = expected_capture(k_demo);
    EXPECT_EQ(captured.size(), expected.size());
    EXPECT_TRUE(captured == expected) << "the capture differs from the call's audio";
}

TEST_F(SandboxMediaStream, AnUpgradeTheServiceRefusesIsTheStreamsFailure) {
    auto created = m_sandbox->create_call(
        {.audio = k_demo,
         .media_stream = MediaStreamScript{.url = stream_url() + "-elsewhere", .pace = 0}});
    ASSERT_TRUE(created);
    const auto outcome = stream_outcome(created->call_sid);
    EXPECT_EQ(outcome["state"], "failed") << outcome.dump();
    EXPECT_EQ(outcome["error"], "refused 403");
}

} // namespace
} // namespace callscribe::sandbox
