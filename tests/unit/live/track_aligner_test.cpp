// The tracks of a media stream placed on the call's clock: gaps become silence, reordered
// chunks land in their place, late ones are counted, memory stays within the window.
#include "live/track_aligner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callscribe::live {
namespace {

constexpr std::int64_t k_window = 800;      // 100 ms
constexpr std::int64_t k_max_jump = 80'000; // 10 s
constexpr std::size_t k_chunk = 160;        // 20 ms

std::string chunk(char value) {
    return std::string(k_chunk, value);
}

std::vector<std::uint8_t> interleaved(const std::string& left, const std::string& right) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < left.size(); ++i) {
        out.push_back(static_cast<std::uint8_t>(left[i]));
        out.push_back(static_cast<std::uint8_t>(right[i]));
    }
    return out;
}

const std::string k_silence = chunk(static_cast<char>(k_mulaw_silence));

TEST(TrackAligner, TwoTracksInStepComeOutInterleavedAsTheyArrive) {
    TrackAligner aligner(2, k_window, k_max_jump);
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(aligner.add(0, 0, chunk('a')));
    aligner.take_settled(out);
    EXPECT_TRUE(out.empty()) << "the agent's first chunk may still come";
    ASSERT_TRUE(aligner.add(1, 0, chunk('b')));
    aligner.take_settled(out);
    EXPECT_EQ(out, interleaved(chunk('a'), chunk('b')));
    EXPECT_EQ(aligner.frames_out(), 160);
    EXPECT_EQ(aligner.counts().silence_samples, (std::vector<std::int64_t>{0, 0}));
}

TEST(TrackAligner, AMissingChunkBecomesSilenceOnItsTrackOnly) {
    TrackAligner aligner(2, k_window, k_max_jump);
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 3; ++i) {
        if (i != 1) {
            ASSERT_TRUE(aligner.add(0, i * 20, chunk('a')));
        }
        ASSERT_TRUE(aligner.add(1, i * 20, chunk('b')));
    }
    aligner.take_all(out);
    auto expected = interleaved(chunk('a'), chunk('b'));
    const auto gap = interleaved(k_silence, chunk('b'));
    expected.insert(expected.end(), gap.begin(), gap.end());
    const auto last = interleaved(chunk('a'), chunk('b'));
    expected.insert(expected.end(), last.begin(), last.end());
    EXPECT_EQ(out, expected);
    EXPECT_EQ(aligner.counts().silence_samples, (std::vector<std::int64_t>{160, 0}));
}

TEST(TrackAligner, AChunkThatComesOutOfOrderLandsInItsPlace) {
    TrackAligner aligner(1, k_window, k_max_jump);
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(aligner.add(0, 0, chunk('a')));
    ASSERT_TRUE(aligner.add(0, 40, chunk('c')));
    ASSERT_TRUE(aligner.add(0, 20, chunk('b')));
    aligner.take_all(out);
    const std::string text(out.begin(), out.end());
    EXPECT_EQ(text, chunk('a') + chunk('b') + chunk('c'));
    EXPECT_EQ(aligner.counts().silence_samples, (std::vector<std::int64_t>{0}));
}

TEST(TrackAligner, ATrackThatGoesQuietHoldsTheOtherBackOnlyForTheWindow) {
    TrackAligner aligner(2, k_window, k_max_jump);
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(aligner.add(1, 0, chunk('b')));
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(aligner.add(0, i * 20, chunk('a')));
    aligner.take_settled(out);
    // 1600 samples from the caller, none from the agent after the first chunk: everything older
    // than the window (800 samples) is settled, the agent's part as silence.
    EXPECT_EQ(aligner.frames_out(), 1600 - k_window);
    EXPECT_EQ(out.size(), static_cast<std::size_t>(2 * (1600 - k_window)));
}

TEST(TrackAligner, ALateChunkIsCountedAndOnlyItsUnsettledPartKept) {
    TrackAligner aligner(1, 0, k_max_jump);
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(aligner.add(0, 20, chunk('b')));
    aligner.take_settled(out); // frames 0..319 settled: 0..159 silence
    ASSERT_TRUE(aligner.add(0, 0, chunk('a')));
    ASSERT_TRUE(aligner.add(0, 30, chunk('c'))); // its first 80 samples are settled already
    aligner.take_all(out);
    const std::string text(out.begin(), out.end());
    EXPECT_EQ(text, k_silence + chunk('b') + std::string(80, 'c'));
    EXPECT_EQ(aligner.counts().late_samples, 160 + 80);
}

TEST(TrackAligner, ARepeatedChunkKeepsTheFirst) {
    TrackAligner aligner(1, k_window, k_max_jump);
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(aligner.add(0, 0, chunk('a')));
    ASSERT_TRUE(aligner.add(0, 0, chunk('z')));
    aligner.take_all(out);
    EXPECT_EQ(std::string(out.begin(), out.end()), chunk('a'));
    EXPECT_EQ(aligner.counts().repeated_samples, 160);
}

TEST(TrackAligner, ATimestampThatWouldMakeHoursOfSilenceIsRefused) {
    TrackAligner aligner(1, k_window, k_max_jump);
    ASSERT_TRUE(aligner.add(0, 0, chunk('a')));
    const auto jumped = aligner.add(0, 3'600'000, chunk('b'));
    ASSERT_FALSE(jumped);
    EXPECT_EQ(jumped.error().message,
              "media.timestamp 3600000 jumps 3600.0 s past the stream's end");
    std::vector<std::uint8_t> out;
    aligner.take_all(out);
    EXPECT_EQ(out.size(), k_chunk) << "nothing changed";
}

TEST(TrackAligner, MemoryStaysWithinTheWindowOverALongStream) {
    TrackAligner aligner(2, k_window, k_max_jump);
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 5000; ++i) { // 100 s
        ASSERT_TRUE(aligner.add(0, i * 20, chunk('a')));
        ASSERT_TRUE(aligner.add(1, i * 20, chunk('b')));
        out.clear();
        aligner.take_settled(out);
        ASSERT_EQ(out.size(), 2 * k_chunk) << "chunk " << i;
    }
    EXPECT_EQ(aligner.frames_out(), 5000 * 160);
}

} // namespace
} // namespace callscribe::live
