// Every format a recording may come in, generated here, decoded and resampled to 16 kHz.

#include "audio/decoder.hpp"
#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"
#include "integration/audio/audio_test_support.hpp"

#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <fstream>

namespace callscribe::audio {
namespace {

using testing::TempDirTest;

constexpr double k_seconds = 2.0;
constexpr double k_tone0 = 440.0;
constexpr double k_tone1 = 1000.0;
constexpr float k_amplitude = 0.5f;
const double k_sine_rms = k_amplitude / std::sqrt(2.0);

struct WavCase {
    WavEncoding encoding;
    const char* codec;
    int rate;
    int channels;
};

std::string case_name(const ::testing::TestParamInfo<WavCase>& info) {
    return std::string(info.param.codec) + "_" + std::to_string(info.param.rate) + "Hz_" +
           std::to_string(info.param.channels) + "ch";
}

class AudioDecoderWavTest : public TempDirTest, public ::testing::WithParamInterface<WavCase> {};

TEST_P(AudioDecoderWavTest, DecodesResamplesAndKeepsChannelsApart) {
    const WavCase& c = GetParam();
    std::vector<double> freqs = {k_tone0};
    if (c.channels == 2) freqs.push_back(k_tone1);
    const auto file = path("tone.wav");
    ASSERT_TRUE(write_wav(file, testing::tones(c.rate, k_seconds, freqs, k_amplitude), c.rate,
                          c.channels, c.encoding));

    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->source_info().sample_rate, c.rate);
    EXPECT_EQ(reader->source_info().channels, c.channels);
    EXPECT_EQ(reader->source_info().codec, c.codec);
    EXPECT_EQ(reader->source_info().frames, std::llround(c.rate * k_seconds));
    EXPECT_EQ(reader->rate(), 16000);
    ASSERT_EQ(reader->channels(), c.channels);

    const auto decoded = testing::read_all(*reader);
    EXPECT_NEAR(static_cast<double>(decoded.frames()), k_seconds * 16000, 2.0);
    EXPECT_FALSE(reader->truncated());
    for (std::size_t ch = 0; ch < freqs.size(); ++ch) {
        const auto mid = testing::middle(decoded.channels[ch]);
        EXPECT_NEAR(testing::zero_crossing_hz(mid, 16000), freqs[ch], freqs[ch] * 0.01)
            << "channel " << ch;
        EXPECT_NEAR(testing::rms(mid), k_sine_rms, k_sine_rms * 0.03) << "channel " << ch;
    }
}

INSTANTIATE_TEST_SUITE_P(AllEncodings, AudioDecoderWavTest,
                         ::testing::Values(WavCase{WavEncoding::pcm16, "pcm_s16", 8000, 1},
                                           WavCase{WavEncoding::pcm16, "pcm_s16", 8000, 2},
                                           WavCase{WavEncoding::pcm16, "pcm_s16", 44100, 1},
                                           WavCase{WavEncoding::pcm16, "pcm_s16", 44100, 2},
                                           WavCase{WavEncoding::mulaw, "mulaw", 8000, 1},
                                           WavCase{WavEncoding::mulaw, "mulaw", 8000, 2},
                                           WavCase{WavEncoding::mulaw, "mulaw", 44100, 1},
                                           WavCase{WavEncoding::mulaw, "mulaw", 44100, 2},
                                           WavCase{WavEncoding::alaw, "alaw", 8000, 1},
                                           WavCase{WavEncoding::alaw, "alaw", 8000, 2},
                                           WavCase{WavEncoding::alaw, "alaw", 44100, 1},
                                           WavCase{WavEncoding::alaw, "alaw", 44100, 2}),
                         case_name);

using AudioDecoderTest = TempDirTest;

TEST_F(AudioDecoderTest, SilentSecondChannelStaysSilent) {
    const auto file = path("caller_only.wav");
    ASSERT_TRUE(write_wav(file, testing::tones(8000, k_seconds, {k_tone0, 0.0}), 8000, 2,
                          WavEncoding::mulaw));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    const auto decoded = testing::read_all(*reader);
    EXPECT_NEAR(testing::rms(testing::middle(decoded.channels[0])), k_sine_rms, k_sine_rms * 0.03);
    EXPECT_LT(testing::rms(decoded.channels[1]), 1e-3);
}

// Encodings beyond the three Twilio uses, written with libsndfile directly.
TEST_F(AudioDecoderTest, ReadsOtherWavEncodingsLibsndfileSupports) {
    const std::vector<std::pair<int, std::string>> encodings = {{SF_FORMAT_PCM_U8, "pcm_u8"},
                                                                {SF_FORMAT_PCM_24, "pcm_s24"},
                                                                {SF_FORMAT_PCM_32, "pcm_s32"},
                                                                {SF_FORMAT_FLOAT, "float"}};
    const auto samples = testing::tones(22050, k_seconds, {k_tone0});
    for (const auto& [subtype, codec] : encodings) {
        const auto file = path(codec + ".wav");
        SF_INFO info{};
        info.samplerate = 22050;
        info.channels = 1;
        info.format = SF_FORMAT_WAV | subtype;
        SNDFILE* out = sf_open(file.c_str(), SFM_WRITE, &info);
        ASSERT_NE(out, nullptr) << sf_strerror(nullptr);
        sf_writef_float(out, samples.data(), static_cast<sf_count_t>(samples.size()));
        sf_close(out);

        auto reader = PcmReader::open(file);
        ASSERT_TRUE(reader) << reader.error().message;
        EXPECT_EQ(reader->source_info().codec, codec);
        const auto decoded = testing::read_all(*reader);
        EXPECT_NEAR(static_cast<double>(decoded.frames()), k_seconds * 16000, 2.0) << codec;
        const auto mid = testing::middle(decoded.channels[0]);
        EXPECT_NEAR(testing::zero_crossing_hz(mid, 16000), k_tone0, k_tone0 * 0.01) << codec;
        EXPECT_NEAR(testing::rms(mid), k_sine_rms, k_sine_rms * 0.03) << codec;
    }
}

struct Mp3Case {
    int rate;
    int channels;
};

class AudioDecoderMp3Test : public TempDirTest, public ::testing::WithParamInterface<Mp3Case> {};

TEST_P(AudioDecoderMp3Test, DecodesGeneratedMp3) {
    const Mp3Case& c = GetParam();
    std::vector<double> freqs = {k_tone0};
    if (c.channels == 2) freqs.push_back(k_tone1);
    const auto file = path("tone.mp3");
    ASSERT_TRUE(write_mp3(file, testing::tones(c.rate, k_seconds, freqs), c.rate, c.channels));

    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->source_info().codec, "mp3");
    EXPECT_EQ(reader->source_info().sample_rate, c.rate);
    ASSERT_EQ(reader->channels(), c.channels);
    const auto decoded = testing::read_all(*reader);
    // Encoder delay and padding add up to a couple of MPEG frames.
    EXPECT_NEAR(static_cast<double>(decoded.frames()) / 16000, k_seconds, 0.15);
    EXPECT_FALSE(reader->truncated());
    for (std::size_t ch = 0; ch < freqs.size(); ++ch) {
        const auto mid = testing::middle(decoded.channels[ch]);
        EXPECT_NEAR(testing::zero_crossing_hz(mid, 16000), freqs[ch], freqs[ch] * 0.02)
            << "channel " << ch;
        EXPECT_NEAR(testing::rms(mid), k_sine_rms, k_sine_rms * 0.15) << "channel " << ch;
    }
}

INSTANTIATE_TEST_SUITE_P(RatesAndChannels, AudioDecoderMp3Test,
                         ::testing::Values(Mp3Case{8000, 1}, Mp3Case{8000, 2}, Mp3Case{16000, 1},
                                           Mp3Case{44100, 1}, Mp3Case{44100, 2}),
                         [](const ::testing::TestParamInfo<Mp3Case>& info) {
                             return std::to_string(info.param.rate) + "Hz_" +
                                    std::to_string(info.param.channels) + "ch";
                         });

// The evaluation set's phone recordings are 8 kHz mono MP3s made by lame, as Twilio's are.
TEST(AudioDecoderEvalTest, PhoneMp3MatchesManifestDuration) {
    const std::filesystem::path eval = CALLSCRIBE_EVAL_DIR;
    std::ifstream manifest(eval / "manifest.jsonl");
    if (!manifest) GTEST_SKIP() << "no evaluation set at " << eval;
    double duration_s = -1;
    for (std::string line; std::getline(manifest, line);) {
        const auto entry = nlohmann::json::parse(line);
        if (entry.at("id") == "flt01") duration_s = entry.at("duration_s").get<double>();
    }
    ASSERT_GT(duration_s, 0) << "flt01 missing from the manifest";

    auto reader = PcmReader::open(eval / "synth/phone/flt01.mp3");
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->source_info().sample_rate, 8000);
    EXPECT_EQ(reader->channels(), 1);
    const auto decoded = testing::read_all(*reader);
    EXPECT_NEAR(static_cast<double>(decoded.frames()) / 16000, duration_s, 0.08);
    EXPECT_GT(testing::rms(decoded.channels[0]), 0.01); // speech, not silence
}

} // namespace
} // namespace callscribe::audio
