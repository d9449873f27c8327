// A media stream session driven message by message, as the server drives it: the recording it
// writes, the close codes of a stream that breaks the protocol, and a crash's recovery.
#include "live/media_streams.hpp"
#include "live/stream_recording.hpp"
#include "support/captured_log.hpp"
#include "support/media_stream_messages.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace callscribe::live {
namespace {

using namespace test_support;

const CallSid k_call = *CallSid::parse("CA0123456789abcdef0123456789abcdef");

std::string interleave(const std::string& left, const std::string& right) {
    std::string out;
    for (std::size_t i = 0; i < left.size(); ++i) {
        out += left[i];
        out += right[i];
    }
    return out;
}

class MediaStreamSession : public ::testing::Test {
  protected:
    TempDir m_dir;
    MediaStreams m_streams{MediaStreamSettings{.recordings_dir = m_dir.path(),
                                               .account_sid = std::string(k_stream_account),
                                               .sync_every_frames = 800}};
    std::shared_ptr<net::WebSocketSession> m_session = m_streams.open_session();
    CapturedLog m_log;

    std::optional<net::WebSocketClose> send(const std::string& message) {
        return m_session->on_text(message);
    }
    void send_ok(const std::string& message) {
        const auto close = send(message);
        ASSERT_FALSE(close) << close->code << " " << close->reason;
    }
    std::filesystem::path recording() const { return stream_recording_path(m_dir.path(), k_call); }
};

TEST_F(MediaStreamSession, TwilioSequenceBecomesATwoChannelRecordingOnTheCallsClock) {
    send_ok(connected_message());
    send_ok(start_message(k_call.str()));
    EXPECT_EQ(m_streams.active(), 1U);
    std::string caller, agent;
    for (int i = 0; i < 50; ++i) { // 1 s; the caller's chunk 10 never comes
        const std::string a(160, static_cast<char>(i)), b(160, static_cast<char>(100 + i));
        if (i != 10) send_ok(media_message(2 + 2 * i, "inbound", i + 1, i * 20, a));
        send_ok(media_message(3 + 2 * i, "outbound", i + 1, i * 20, b));
        caller += i != 10 ? a : std::string(160, '\xff');
        agent += b;
    }
    EXPECT_TRUE(std::filesystem::exists(recording().string() + ".part"));
    send_ok(stop_message(200, k_call.str()));

    ASSERT_TRUE(std::filesystem::exists(recording()));
    EXPECT_FALSE(std::filesystem::exists(recording().string() + ".part"));
    EXPECT_EQ(wav_data(recording()), interleave(caller, agent));
    EXPECT_EQ(m_streams.active(), 0U);
    EXPECT_TRUE(m_log.contains(fmt::format("[MEDIA] stream {} of call {} started: tracks inbound, "
                                           "outbound",
                                           k_stream_sid, k_call.str())))
        << m_log.text();
    EXPECT_TRUE(m_log.contains(fmt::format(
        "[MEDIA] stream {} of call {} stopped: 1.0 s captured (silence filled: inbound 0.0 s, "
        "outbound 0.0 s; late 0.0 s) → recordings/{}.stream.wav",
        k_stream_sid, k_call.str(), k_call.str())))
        << m_log.text();
    m_session->on_end("closed by the client (1000)");
    EXPECT_EQ(m_log.find("ended without stop"), -1) << "a stopped stream is complete already";
}

TEST_F(MediaStreamSession, EachBreachOfTheProtocolClosesWithItsCodeKeepingWhatWasCaptured) {
    struct Case {
        std::string message;
        std::uint16_t code;
        std::string reason;
    };
    const std::string audio(160, '\x10');
    const std::vector<Case> cases{
        {"{oops", 1007, "the message is not JSON"},
        {media_message(9, "inbound", 2, 20, "").substr(0, 60) + "}", 1007,
         "the message is not JSON"},
        {R"({"event":"clear","streamSid":"MZ0123456789abcdef0123456789abcdef"})", 1003,
         "unknown event \"clear\""},
        {start_message(k_call.str()), 1008, "a second start"},
        {media_message(9, "inbound", 2, 3'600'000, audio), 1007,
         "media.timestamp 3600000 jumps 3600.0 s past the stream's end"},
        {R"({"event":"media","sequenceNumber":"9","streamSid":"MZ0123456789abcdef0123456789abcdef",)"
         R"("media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"%%%"}})",
         1007, "media.payload is not base64"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        MediaStreams streams{MediaStreamSettings{.recordings_dir = dir.path()}};
        auto session = streams.open_session();
        ASSERT_FALSE(session->on_text(connected_message()));
        ASSERT_FALSE(session->on_text(start_message(k_call.str())));
        ASSERT_FALSE(session->on_text(media_message(2, "inbound", 1, 0, audio)));
        ASSERT_FALSE(session->on_text(media_message(3, "outbound", 1, 0, audio)));
        const auto close = session->on_text(c.message);
        ASSERT_TRUE(close) << c.message;
        EXPECT_EQ(close->code, c.code) << c.message;
        EXPECT_EQ(close->reason, c.reason) << c.message;
        session->on_end(fmt::format("closed: {} ({})", close->reason, close->code));
        const auto path = stream_recording_path(dir.path(), k_call);
        EXPECT_EQ(wav_data(path), interleave(audio, audio)) << "kept: " << c.message;
    }
    EXPECT_TRUE(m_log.contains(
        "[MEDIA] stream MZ0123456789abcdef0123456789abcdef closed (1007): media.payload is not "
        "base64"))
        << m_log.text();
    EXPECT_TRUE(m_log.contains("ended without stop (closed: the message is not JSON (1007))"))
        << m_log.text();
}

TEST_F(MediaStreamSession, EventsOutOfOrderAndStreamsItCannotTakeAreRefused) {
    const std::string audio(160, '\x10');
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{media_message(2, "inbound", 1, 0, audio)}, "media before start"},
        {{stop_message(2, k_call.str())}, "stop before start"},
        {{start_message(k_call.str()), stop_message(2, k_call.str()), connected_message()},
         "connected after stop"},
        {{start_message(k_call.str(), R"("inbound")"), media_message(2, "outbound", 1, 0, audio)},
         "media of the outbound track, which start did not list"},
        {{start_message(k_call.str(), R"("inbound")", "audio/l16")},
         "media format audio/l16 at 8000 Hz with 1 channel(s) is not audio/x-mulaw at 8000 Hz "
         "mono"},
    };
    for (const auto& [messages, reason] : cases) {
        TempDir dir;
        MediaStreams streams{MediaStreamSettings{.recordings_dir = dir.path()}};
        auto session = streams.open_session();
        std::optional<net::WebSocketClose> close;
        for (const auto& message : messages) {
            ASSERT_FALSE(close) << "closed before the last message: " << reason;
            close = session->on_text(message);
        }
        ASSERT_TRUE(close) << reason;
        EXPECT_EQ(close->reason, reason);
        EXPECT_NE(close->code, 1000);
        session->on_end("closed");
    }

    // Another account's stream, and a second stream of a call that has one going on.
    send_ok(start_message(k_call.str()));
    MediaStreams other_account{MediaStreamSettings{
        .recordings_dir = m_dir.path(), .account_sid = "ACffffffffffffffffffffffffffffffff"}};
    const auto refused = other_account.open_session()->on_text(start_message(k_call.str()));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code, 1008);
    const auto second = m_streams.open_session()->on_text(start_message(k_call.str()));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->reason,
              fmt::format("call {} has a media stream going on already", k_call.str()));
}

TEST_F(MediaStreamSession, AStreamThatVanishesIsCompletedAndALaterOneDoesNotOverwriteIt) {
    send_ok(start_message(k_call.str(), R"("inbound")"));
    send_ok(media_message(2, "inbound", 1, 0, std::string(160, 'x')));
    m_session->on_end("idle for 30 s");
    EXPECT_EQ(wav_data(recording()), std::string(160, 'x'));
    EXPECT_TRUE(m_log.contains(fmt::format(
        "[MEDIA] stream {} of call {} ended without stop (idle for 30 s): 0.0 s captured",
        k_stream_sid, k_call.str())))
        << m_log.text();

    auto again = m_streams.open_session();
    ASSERT_FALSE(again->on_text(start_message(k_call.str(), R"("inbound")")));
    ASSERT_FALSE(again->on_text(media_message(2, "inbound", 1, 0, std::string(320, 'y'))));
    ASSERT_FALSE(again->on_text(stop_message(3, k_call.str())));
    EXPECT_EQ(wav_data(recording()), std::string(160, 'x'));
    EXPECT_EQ(wav_data(m_dir / (k_call.str() + ".stream-2.wav")), std::string(320, 'y'));
}

TEST_F(MediaStreamSession, ARecordingCutByACrashIsCompletedAtTheNextStart) {
    send_ok(start_message(k_call.str()));
    std::string sent;
    for (int i = 0; i < 25; ++i) { // 0.5 s, flushed every 0.1 s (sync_every_frames = 800)
        const std::string a(160, 'a'), b(160, 'b');
        send_ok(media_message(2 + 2 * i, "inbound", i + 1, i * 20, a));
        send_ok(media_message(3 + 2 * i, "outbound", i + 1, i * 20, b));
    }
    // What the disk holds if the process dies now: a copy of the .part as it stands.
    const auto part = recording().string() + ".part";
    TempDir after_crash;
    const auto crashed = after_crash / (k_call.str() + ".stream.wav.part");
    std::filesystem::copy_file(part, crashed);

    MediaStreams restarted{MediaStreamSettings{.recordings_dir = after_crash.path()}};
    EXPECT_EQ(restarted.recover(), 1U);
    const auto completed = stream_recording_path(after_crash.path(), k_call);
    ASSERT_TRUE(std::filesystem::exists(completed));
    EXPECT_FALSE(std::filesystem::exists(crashed));
    const std::string data = wav_data(completed);
    // Written in pieces of a second: the 0.5 s were flushed at each sync, none is lost.
    EXPECT_EQ(data.size(), 2U * 25 * 160);
    EXPECT_EQ(data.substr(0, 4), "abab");
    EXPECT_TRUE(m_log.contains(fmt::format(
        "[MEDIA] completed recordings/{}.stream.wav (0.5 s) that a stop of the service cut short",
        k_call.str())))
        << m_log.text();
    EXPECT_EQ(restarted.recover(), 0U) << "nothing left to complete";
}

} // namespace
} // namespace callscribe::live
