// The formats beyond MP3 and WAV, read through FFmpeg's libraries: each made here from a
// two-tone WAV by the ffmpeg program, decoded and resampled to 16 kHz, whole and cut in half;
// and what is not audio, refused in one line that names the file.

#include "audio/decoder.hpp"
#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"
#include "integration/audio/audio_test_support.hpp"
#include "support/ffmpeg.hpp"

#include <fmt/format.h>

namespace callscribe::audio {
namespace {

using testing::TempDirTest;

constexpr int k_rate = 48000;
constexpr double k_seconds = 3.0;
constexpr double k_left_hz = 440.0;
constexpr double k_right_hz = 1000.0;
constexpr float k_amplitude = 0.5f;
const double k_sine_rms = k_amplitude / std::sqrt(2.0);

struct Format {
    const char* name;      // the file's extension
    const char* arguments; // ffmpeg's, between its input and its output
    const char* codec;     // what the decoder reports
    bool lossless;
    // What half of the file gives: "partial" (the first part, flagged as cut short when the
    // container announced its length) or the start of the error it gives.
    const char* cut_in_half;
};

const Format k_formats[] = {
    {"flac", "-c:a flac", "flac", true, "partial"},
    {"aiff", "-c:a pcm_s16be", "pcm_s16be", true, "partial"},
    {"ogg", "-c:a libvorbis -q:a 4", "vorbis", false, "partial"},
    {"opus", "-c:a libopus -b:a 96k", "opus", false, "partial"},
    {"webm", "-c:a libopus -b:a 96k", "opus", false, "partial"},
    // FFmpeg writes an MP4's index at its end unless told otherwise: half of it is unreadable.
    {"m4a", "-c:a aac -b:a 128k", "aac", false, "cannot read its mov,mp4,m4a"},
    {"mp4", "-movflags +faststart -c:a aac -b:a 128k", "aac", false, "partial"},
    // The audio track of a video.
    {"mkv", "-f lavfi -i testsrc=size=64x48:rate=5 -shortest -c:v mpeg4 -c:a flac", "flac", true,
     "partial"},
};

std::string format_name(const ::testing::TestParamInfo<Format>& info) {
    return info.param.name;
}

class FfmpegFormatTest : public TempDirTest, public ::testing::WithParamInterface<Format> {
  protected:
    // The ffmpeg program converts a 48 kHz two-tone WAV (440 Hz left, 1,000 Hz right).
    std::filesystem::path make(const Format& format) {
        const auto wav = path("tone.wav");
        EXPECT_TRUE(
            write_wav(wav, testing::tones(k_rate, k_seconds, {k_left_hz, k_right_hz}, k_amplitude),
                      k_rate, 2, WavEncoding::pcm16));
        const auto out = path(std::string("tone.") + format.name);
        test_support::ffmpeg(
            fmt::format("-i '{}' {} '{}'", wav.string(), format.arguments, out.string()));
        std::filesystem::remove(wav);
        return out;
    }
};

TEST_P(FfmpegFormatTest, DecodesEachChannelApart) {
    const Format& format = GetParam();
    const auto file = make(format);
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->source_info().codec, format.codec);
    EXPECT_EQ(reader->source_info().sample_rate, k_rate);
    ASSERT_EQ(reader->channels(), 2);
    const auto decoded = testing::read_all(*reader);
    EXPECT_NEAR(static_cast<double>(decoded.frames()) / 16000, k_seconds, 0.06);
    EXPECT_FALSE(reader->truncated());
    const double tolerance = format.lossless ? 0.03 : 0.15;
    const double hz[] = {k_left_hz, k_right_hz};
    for (std::size_t ch = 0; ch < 2; ++ch) {
        const auto mid = testing::middle(decoded.channels[ch]);
        EXPECT_NEAR(testing::zero_crossing_hz(mid, 16000), hz[ch], hz[ch] * 0.02)
            << "channel " << ch;
        EXPECT_NEAR(testing::rms(mid), k_sine_rms, k_sine_rms * tolerance) << "channel " << ch;
    }
}

TEST_P(FfmpegFormatTest, HalfAFileGivesItsFirstPartOrOneLineNamingIt) {
    const Format& format = GetParam();
    const auto whole = make(format);
    const std::string bytes = read_bytes(whole);
    const auto file =
        write_bytes(std::string("cut.") + format.name, bytes.substr(0, bytes.size() / 2));

    auto reader = PcmReader::open(file);
    if (std::string_view(format.cut_in_half) != "partial") {
        ASSERT_FALSE(reader) << "a cut " << format.name << " opened";
        EXPECT_TRUE(reader.error().message.starts_with(
            fmt::format("{}: {}", file.string(), format.cut_in_half)))
            << reader.error().message;
        EXPECT_EQ(reader.error().message.find('\n'), std::string::npos);
        return;
    }
    ASSERT_TRUE(reader) << reader.error().message;
    const auto decoded = testing::read_all(*reader);
    const double seconds = static_cast<double>(decoded.frames()) / 16000;
    EXPECT_GT(seconds, k_seconds * 0.3) << format.name;
    EXPECT_LT(seconds, k_seconds * 0.7) << format.name;
    // Flagged when the container had said how long it was.
    if (reader->source_info().frames > 0 &&
        reader->source_info().frames > std::llround(k_rate * k_seconds * 0.9)) {
        EXPECT_TRUE(reader->truncated()) << format.name;
    }
}

INSTANTIATE_TEST_SUITE_P(Formats, FfmpegFormatTest, ::testing::ValuesIn(k_formats), format_name);

using FfmpegDecoderTest = TempDirTest;

TEST_F(FfmpegDecoderTest, WhatIsNotAudioIsRefusedInOneLineNamingTheFile) {
    // A text file whose name FFmpeg would trust (.txt opens as ANSI art), an error page, bytes.
    std::string random(65536, '\0');
    unsigned state = 20261205;
    for (char& c : random)
        c = static_cast<char>((state = state * 1103515245 + 12345) >> 16);
    const std::vector<std::pair<std::string, std::string>> files = {
        {"notes.txt", "Call notes: the caller asked for a refund.\n"},
        {"error.html", "<html><body><h1>404 Not Found</h1></body></html>\n"},
        {"error.json", R"({"code": 20404, "message": "The requested resource was not found"})"},
        {"noise.ogg", random},
    };
    for (const auto& [name, bytes] : files) {
        const auto file = write_bytes(name, bytes);
        auto decoder = open_decoder(file);
        ASSERT_FALSE(decoder) << name;
        EXPECT_EQ(decoder.error().message, file.string() + ": not a recognised audio file");
    }
}

TEST_F(FfmpegDecoderTest, AVideoWithoutSoundHasNoAudioTrack) {
    const auto file = path("silent.mp4");
    ASSERT_TRUE(test_support::ffmpeg(
        fmt::format("-f lavfi -i testsrc=size=64x48:rate=5 -t 1 -c:v mpeg4 '{}'", file.string())));
    auto decoder = open_decoder(file);
    ASSERT_FALSE(decoder);
    EXPECT_EQ(decoder.error().message,
              file.string() + ": no audio track (mov,mp4,m4a,3gp,3g2,mj2 file)");
}

TEST_F(FfmpegDecoderTest, MoreThanTwoChannelsAreMixedDownToMono) {
    const auto file = path("film.flac");
    ASSERT_TRUE(test_support::ffmpeg(
        fmt::format("-f lavfi -i sine=frequency=440:sample_rate=48000:duration=2 "
                    "-af 'pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0' '{}'",
                    file.string())));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    ASSERT_EQ(reader->channels(), 1);
    const auto decoded = testing::read_all(*reader);
    EXPECT_NEAR(static_cast<double>(decoded.frames()) / 16000, 2.0, 0.05);
    EXPECT_NEAR(testing::zero_crossing_hz(testing::middle(decoded.channels[0]), 16000), 440.0,
                440.0 * 0.02);
}

TEST_F(FfmpegDecoderTest, AnId3TagBeforeFlacIsNotTakenForAnMp3) {
    const auto flac = path("tone.flac");
    ASSERT_TRUE(write_wav(path("tone.wav"), testing::tones(16000, 1.0, {k_left_hz}), 16000, 1,
                          WavEncoding::pcm16));
    ASSERT_TRUE(test_support::ffmpeg(
        fmt::format("-i '{}' -c:a flac '{}'", path("tone.wav").string(), flac.string())));
    // An ID3v2.4 tag (a 10-byte header, then a TIT2 frame of 17 bytes) before the FLAC stream.
    std::string tagged("ID3\x04\x00\x00\x00\x00\x00\x11"
                       "TIT2\x00\x00\x00\x07\x00\x00\x03"
                       "a call",
                       27);
    tagged += read_bytes(flac);
    const auto file = write_bytes("tagged.flac", tagged);
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->source_info().codec, "flac");
    EXPECT_NEAR(static_cast<double>(testing::read_all(*reader).frames()) / 16000, 1.0, 0.02);
}

} // namespace
} // namespace callscribe::audio
