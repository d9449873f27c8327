// PcmReader over long recordings: chunks stay small whatever the length, and nothing is lost or
// added at chunk boundaries.

#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"
#include "integration/audio/audio_test_support.hpp"

namespace callscribe::audio {
namespace {

using AudioPcmReaderTest = testing::TempDirTest;

TEST_F(AudioPcmReaderTest, ChunksStayBoundedOverTenMinutes) {
    constexpr int k_rate = 8000;
    constexpr int k_seconds = 600;
    const auto file = path("long_call.wav");
    {
        // Written a second at a time: the test itself does not hold ten minutes in memory.
        auto writer = WavWriter::create(file, k_rate, 2, OutputFormat::wav_mulaw);
        ASSERT_TRUE(writer) << writer.error().message;
        for (int s = 0; s < k_seconds; ++s) {
            ASSERT_TRUE(writer->write(
                testing::tones(k_rate, 1.0, {440.0, 0.0}, 0.5f, std::int64_t{s} * k_rate)));
        }
        ASSERT_TRUE(writer->finish());
    }

    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    const int out_rate = reader->rate();
    std::vector<std::vector<float>> chunk;
    std::size_t frames = 0;
    std::size_t max_chunk = 0;
    std::size_t chunks = 0;
    double last_rms1 = 0;
    for (;;) {
        auto more = reader->next(chunk);
        ASSERT_TRUE(more) << more.error().message;
        if (!*more) break;
        ASSERT_EQ(chunk.size(), 2u);
        ASSERT_EQ(chunk[0].size(), chunk[1].size());
        ASSERT_FALSE(chunk[0].empty());
        frames += chunk[0].size();
        max_chunk = std::max(max_chunk, chunk[0].size());
        last_rms1 = std::max(last_rms1, testing::rms(chunk[1]));
        ++chunks;
    }
    EXPECT_TRUE(chunk.empty());
    EXPECT_NEAR(static_cast<double>(frames), double{k_seconds} * out_rate, 2.0);
    // Half a second of source per chunk, plus the resampler's backlog on some of them.
    EXPECT_LE(max_chunk, static_cast<std::size_t>(out_rate / 2 + 512));
    EXPECT_GE(chunks, static_cast<std::size_t>(k_seconds * 2));
    EXPECT_LT(last_rms1, 1e-3); // the silent channel never picked up the tone
}

TEST_F(AudioPcmReaderTest, OtherOutputRateAndPassThrough) {
    const auto file = path("tone.wav");
    ASSERT_TRUE(write_wav(file, testing::tones(16000, 3.0, {440.0}), 16000, 1, WavEncoding::pcm16));
    for (int rate : {8000, 16000, 22050}) {
        auto reader = PcmReader::open(file, rate);
        ASSERT_TRUE(reader) << reader.error().message;
        EXPECT_EQ(reader->rate(), rate);
        const auto decoded = testing::read_all(*reader);
        EXPECT_NEAR(static_cast<double>(decoded.frames()), 3.0 * rate, 2.0) << rate;
        EXPECT_NEAR(testing::zero_crossing_hz(testing::middle(decoded.channels[0]), rate), 440.0,
                    4.4)
            << rate;
    }
}

TEST_F(AudioPcmReaderTest, PassThroughIsBitExactForPcm16) {
    const auto file = path("tone.wav");
    const auto samples = testing::tones(16000, 1.0, {440.0});
    ASSERT_TRUE(write_wav(file, samples, 16000, 1, WavEncoding::pcm16));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    const auto decoded = testing::read_all(*reader);
    ASSERT_EQ(decoded.frames(), samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        ASSERT_NEAR(decoded.channels[0][i], samples[i], 1.0 / 32768) << i;
    }
}

TEST_F(AudioPcmReaderTest, ReaderIsMovable) {
    const auto file = path("tone.wav");
    ASSERT_TRUE(write_wav(file, testing::tones(8000, 1.0, {440.0}), 8000, 1, WavEncoding::alaw));
    auto opened = PcmReader::open(file);
    ASSERT_TRUE(opened);
    PcmReader reader = std::move(*opened);
    EXPECT_NEAR(static_cast<double>(testing::read_all(reader).frames()), 16000, 2.0);
}

} // namespace
} // namespace callscribe::audio
