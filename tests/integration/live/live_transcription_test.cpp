// A call's two tracks transcribed as they arrive: real telephone speech, μ-law as Twilio sends
// it, through the real PocketSphinx engine, on the live transcription's own workers.
#include "live/live_transcription.hpp"

#include "audio/mulaw.hpp"
#include "live/media_streams.hpp"
#include "live/stream_recording.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "stt/word_error_rate.hpp"
#include "support/captured_log.hpp"
#include "support/fake_clock.hpp"
#include "support/media_stream_messages.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace callscribe::live {
namespace {

using namespace std::chrono_literals;

const CallSid k_call = *CallSid::parse("CA0123456789abcdef0123456789abcdef");
const std::string k_eval = CALLSCRIBE_EVAL_DIR;
const std::string k_invoice = "i'm calling about the invoice we received last week it looks "
                              "like we were charged twice";
const std::string k_cleaning = "i'd like to schedule a cleaning for next monday morning if you "
                               "have anything available";

// A call: the caller speaks, then the agent answers; each track silent while the other talks.
std::vector<std::uint8_t> two_track_call() {
    const auto caller = test_support::mulaw_8k(k_eval + "/synth/phone/flt06.mp3");
    const auto agent = test_support::mulaw_8k(k_eval + "/synth/phone/flt02.mp3");
    const std::size_t pause = 8000; // 1 s before, between and after
    const std::size_t frames = pause + caller.size() + pause + agent.size() + pause;
    std::vector<std::uint8_t> interleaved(2 * frames, audio::k_mulaw_silence);
    for (std::size_t i = 0; i < caller.size(); ++i)
        interleaved[2 * (pause + i)] = caller[i];
    for (std::size_t i = 0; i < agent.size(); ++i)
        interleaved[2 * (2 * pause + caller.size() + i) + 1] = agent[i];
    return interleaved;
}

class RecordingSink final : public LiveTranscriptSink {
  public:
    explicit RecordingSink(std::string stream_sid = "MZ1") : m_stream_sid(std::move(stream_sid)) {}

    void utterance(const LiveUtterance& u) override {
        std::unique_lock lock(m_mutex);
        EXPECT_FALSE(m_done) << "an utterance after stream_done";
        m_utterances.push_back(u);
        // A stuck consumer: the live transcription's worker waits here until released.
        m_changed.notify_all();
        m_changed.wait(lock, [&] { return !m_blocked; });
    }
    void block() {
        std::lock_guard lock(m_mutex);
        m_blocked = true;
    }
    void release() {
        std::lock_guard lock(m_mutex);
        m_blocked = false;
        m_changed.notify_all();
    }
    bool wait_first_utterance() {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, 60s, [&] { return !m_utterances.empty(); });
    }
    void stream_done(const CallSid& call, const std::string& stream_sid) override {
        std::lock_guard lock(m_mutex);
        EXPECT_EQ(call, k_call);
        EXPECT_EQ(stream_sid, m_stream_sid);
        ++m_done;
        m_changed.notify_all();
    }
    std::vector<LiveUtterance> wait_done() {
        std::unique_lock lock(m_mutex);
        EXPECT_TRUE(m_changed.wait_for(lock, 120s, [&] { return m_done > 0; }));
        return m_utterances;
    }
    int done() {
        std::lock_guard lock(m_mutex);
        return m_done;
    }

  private:
    std::string m_stream_sid;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<LiveUtterance> m_utterances;
    int m_done = 0;
    bool m_blocked = false;
};

std::unique_ptr<stt::Engine> engine() {
    auto e = stt::make_pocketsphinx_engine(stt::pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR));
    EXPECT_TRUE(e) << e.error().message;
    return std::move(*e);
}

std::string finals_of(const std::vector<LiveUtterance>& utterances, twilio::MediaTrack track) {
    std::string text;
    for (const auto& u : utterances) {
        if (!u.final || u.track != track) continue;
        if (!text.empty()) text += ' ';
        text += u.text;
    }
    return text;
}

// Plays the call in 20 ms pieces, the clock stepping 20 ms each (or all at once, a stream far
// ahead of its transcription).
std::vector<LiveUtterance> play(LiveTranscriptionSettings settings, bool real_time,
                                LiveFigures* figures = nullptr) {
    const auto call = two_track_call();
    const auto speech = engine();
    test_support::FakeClock clock;
    RecordingSink sink;
    std::vector<LiveUtterance> heard;
    {
        LiveTranscription live(*speech, settings, sink, clock);
        auto stream =
            live.open(k_call, "MZ1", {twilio::MediaTrack::inbound, twilio::MediaTrack::outbound});
        constexpr std::size_t piece = 2 * 160;
        for (std::size_t at = 0; at < call.size(); at += piece) {
            if (real_time) clock.advance(20ms);
            stream->audio(std::span(call).subspan(at, std::min(piece, call.size() - at)));
        }
        stream->close();
        heard = sink.wait_done();
        if (figures) *figures = live.figures();
    }
    EXPECT_EQ(sink.done(), 1);
    return heard;
}

TEST(LiveTranscription, EachTrackBecomesNumberedFinalUtterancesWithPartialsBefore) {
    LiveFigures figures;
    // Partial results whatever the backlog and the lag: the test hands the audio over faster
    // than real time.
    const auto heard =
        play({.workers = 2, .partial_backlog_s = 1e9, .partial_lag_s = 1e9}, true, &figures);
    const auto caller = finals_of(heard, twilio::MediaTrack::inbound);
    const auto agent = finals_of(heard, twilio::MediaTrack::outbound);
    EXPECT_LT(stt::word_errors(k_invoice, caller).rate(), 0.35) << caller;
    EXPECT_LT(stt::word_errors(k_cleaning, agent).rate(), 0.35) << agent;

    std::int64_t sequence = 0;
    bool caller_partial = false;
    for (const auto& u : heard) {
        EXPECT_EQ(u.call, k_call);
        EXPECT_EQ(u.stream_sid, "MZ1");
        EXPECT_FALSE(u.text.empty());
        if (!u.final) {
            EXPECT_EQ(u.sequence, 0);
            caller_partial |= u.track == twilio::MediaTrack::inbound && sequence == 0;
            continue;
        }
        EXPECT_EQ(u.sequence, ++sequence) << "finals are numbered in the order they end";
        EXPECT_LT(u.start_s, u.end_s);
        // The end was heard when its audio arrived: the stream's clock, 20 ms a piece.
        const auto heard_after = u.heard_at - test_support::FakeClock().now();
        EXPECT_GE(Seconds(heard_after).count() + 0.021, u.end_s) << u.text;
    }
    EXPECT_TRUE(caller_partial) << "the caller's words showed before the utterance ended";
    EXPECT_GT(figures.partials, 0);
    EXPECT_EQ(figures.finals, sequence);
    EXPECT_EQ(figures.skipped_audio_s, 0);
    // The caller's utterances end before the agent starts.
    ASSERT_GE(sequence, 2);
    EXPECT_EQ(heard.back().track, twilio::MediaTrack::outbound);
}

TEST(LiveTranscription, AStreamFarAheadSkipsItsPartialsButNotAWordOfItsFinals) {
    const auto on_time = play({.workers = 1}, true);
    LiveFigures figures;
    const auto behind = play({.workers = 1, .partial_backlog_s = 0.5}, false, &figures);
    // The whole call arrived at once: the workers were seconds behind it from the start.
    EXPECT_GT(figures.partials_skipped, 0);
    for (const auto track : {twilio::MediaTrack::inbound, twilio::MediaTrack::outbound})
        EXPECT_EQ(finals_of(behind, track), finals_of(on_time, track));
    EXPECT_EQ(figures.skipped_audio_s, 0);
}

// The live transcription stuck (its worker held by a consumer that does not return): the
// capture takes every frame all the same and the recording is complete; audio that waits too
// long is left to the offline transcript, counted and logged; released, the rest comes.
TEST(LiveTranscription, AStuckTranscriptionNeverCostsTheCaptureAFrame) {
    test_support::TempDir dir;
    test_support::CapturedLog log;
    const auto speech = engine();
    test_support::FakeClock clock;
    RecordingSink sink{std::string(test_support::k_stream_sid)};
    sink.block();
    LiveTranscription live(*speech, {.workers = 1, .max_backlog_s = 3}, sink, clock);
    MediaStreams streams(MediaStreamSettings{.recordings_dir = dir.path()}, &live);
    const auto session = streams.open_session();
    const auto call = two_track_call();
    ASSERT_FALSE(session->on_text(test_support::connected_message()));
    ASSERT_FALSE(session->on_text(test_support::start_message(k_call.str())));
    std::string expected;
    const std::size_t frames = call.size() / 2 / 160 * 160;
    for (std::size_t i = 0; i < frames / 160; ++i) {
        std::string caller, agent;
        for (std::size_t j = i * 160; j < (i + 1) * 160; ++j) {
            caller += static_cast<char>(call[2 * j]);
            agent += static_cast<char>(call[2 * j + 1]);
            expected += static_cast<char>(call[2 * j]);
            expected += static_cast<char>(call[2 * j + 1]);
        }
        const auto timestamp = static_cast<std::int64_t>(i * 20);
        ASSERT_FALSE(session->on_text(test_support::media_message(
            std::int64_t(2 * i + 2), "inbound", std::int64_t(i + 1), timestamp, caller)));
        ASSERT_FALSE(session->on_text(test_support::media_message(
            std::int64_t(2 * i + 3), "outbound", std::int64_t(i + 1), timestamp, agent)));
        clock.advance(20ms);
        // Once the worker is stuck on the caller's first utterance, the rest piles up.
        if (i == 400) {
            ASSERT_TRUE(sink.wait_first_utterance());
        }
    }
    ASSERT_FALSE(session->on_text(test_support::stop_message(9999, k_call.str())));
    // The recording is complete while the transcription is still stuck.
    EXPECT_EQ(test_support::wav_data(stream_recording_path(dir.path(), k_call)), expected);
    sink.release();
    const auto heard = sink.wait_done();
    const auto figures = live.figures();
    EXPECT_GT(figures.skipped_audio_s, 2) << "the audio that waited over 3 s";
    EXPECT_GE(figures.finals, 1);
    EXPECT_TRUE(log.contains("of audio not transcribed live (the live transcription was behind "
                             "by more than 3 s)"))
        << log.text();
}

} // namespace
} // namespace callscribe::live
