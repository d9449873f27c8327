// Files that are not usable recordings: each error names the file and says what is wrong, and
// nothing crashes, hangs or turns garbage into "audio".

#include "audio/decoder.hpp"
#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"
#include "integration/audio/audio_test_support.hpp"

#include <cstdint>
#include <limits>
#include <random>

namespace callscribe::audio {
namespace {

class AudioDecoderErrorTest : public testing::TempDirTest {
  protected:
    // The error open_decoder gives, or a failure when it opens.
    static std::string open_error(const std::filesystem::path& file) {
        auto decoder = open_decoder(file);
        if (decoder) {
            ADD_FAILURE() << file << " opened as " << (*decoder)->info().codec;
            return {};
        }
        return decoder.error().message;
    }

    std::filesystem::path tone_file(const std::string& name, double seconds = 2.0) const {
        const auto file = path(name);
        const auto samples = testing::tones(8000, seconds, {440.0});
        const auto ok = name.ends_with(".mp3")
                            ? write_mp3(file, samples, 8000, 1)
                            : write_wav(file, samples, 8000, 1, WavEncoding::pcm16);
        EXPECT_TRUE(ok);
        return file;
    }

    static std::string random_bytes(std::size_t n, std::uint32_t seed) {
        std::mt19937 gen(seed);
        std::string bytes(n, '\0');
        for (char& b : bytes)
            b = static_cast<char>(gen() & 0xFF);
        return bytes;
    }
};

TEST_F(AudioDecoderErrorTest, MissingFile) {
    const auto file = path("nowhere.mp3");
    EXPECT_EQ(open_error(file), file.string() + ": cannot open: No such file or directory");
}

TEST_F(AudioDecoderErrorTest, Directory) {
    const auto dir = path("folder.wav");
    std::filesystem::create_directory(dir);
    EXPECT_EQ(open_error(dir), dir.string() + ": is a directory, not an audio file");
}

TEST_F(AudioDecoderErrorTest, EmptyFile) {
    const auto file = write_bytes("empty.mp3", "");
    EXPECT_EQ(open_error(file), file.string() + ": empty file");
}

TEST_F(AudioDecoderErrorTest, TextFile) {
    const auto file = write_bytes("notes.mp3", "<Response><Say>Hello</Say></Response>\n");
    EXPECT_EQ(open_error(file), file.string() + ": not a recognised audio file");
}

TEST_F(AudioDecoderErrorTest, RandomBytes) {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        const auto file = write_bytes("noise.bin", random_bytes(64 * 1024, seed));
        EXPECT_EQ(open_error(file), file.string() + ": not a recognised audio file")
            << "seed " << seed;
    }
}

// Bytes that start like an MPEG frame header, then carry on as noise: libmpg123 would resync
// through them and "decode" garbage; the sniffer wants a second frame where the first one ends.
TEST_F(AudioDecoderErrorTest, RandomBytesBehindAFrameSync) {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        const auto file = write_bytes("noise.mp3", std::string("\xFF\xFB\x90\x64", 4) +
                                                       random_bytes(32 * 1024, seed));
        EXPECT_EQ(open_error(file), file.string() + ": not a recognised audio file")
            << "seed " << seed;
    }
}

TEST_F(AudioDecoderErrorTest, Id3TagWithoutAudio) {
    // ID3v2.4 header with a 100-byte body, then noise.
    std::string tag("ID3\x04\x00\x00\x00\x00\x00\x64", 10);
    tag += std::string(100, '\0');
    const auto file = write_bytes("tagged.mp3", tag + random_bytes(8 * 1024, 7));
    EXPECT_EQ(open_error(file), file.string() + ": not a recognised audio file");
}

TEST_F(AudioDecoderErrorTest, Id3TagThenRealMp3Decodes) {
    const auto mp3 = tone_file("plain.mp3");
    std::string tag("ID3\x03\x00\x00\x00\x00\x01\x00", 10); // 128-byte body
    tag += std::string(128, '\0');
    const auto file = write_bytes("tagged.mp3", tag + read_bytes(mp3));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_NEAR(static_cast<double>(testing::read_all(*reader).frames()), 2.0 * 16000, 2.0);
}

TEST_F(AudioDecoderErrorTest, WavHeaderCutShort) {
    const std::string wav = read_bytes(tone_file("full.wav"));
    for (std::size_t size : {4u, 12u, 20u, 36u}) {
        const auto file = write_bytes("cut.wav", wav.substr(0, size));
        const std::string error = open_error(file);
        if (size < 12) {
            EXPECT_EQ(error, file.string() + ": not a recognised audio file");
        } else {
            EXPECT_EQ(error, file.string() + ": truncated WAV header (" + std::to_string(size) +
                                 " bytes)");
        }
    }
}

// The header is whole but the samples stop: what is there decodes, and the reader says the file
// was cut.
TEST_F(AudioDecoderErrorTest, WavDataCutShortDecodesWhatIsThere) {
    const std::string wav = read_bytes(tone_file("full.wav", 4.0));
    const auto file = write_bytes("cut.wav", wav.substr(0, wav.size() / 2));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    const auto decoded = testing::read_all(*reader);
    EXPECT_NEAR(static_cast<double>(decoded.frames()) / 16000, 2.0, 0.01);
    EXPECT_TRUE(reader->truncated());
}

// Found by fuzz_audio_decoder: float samples beyond full scale, infinite or NaN.
TEST_F(AudioDecoderErrorTest, FloatWavSamplesComeOutInFullScale) {
    const float samples[] = {0.5f, std::numeric_limits<float>::quiet_NaN(),
                             std::numeric_limits<float>::infinity(), -2.0f};
    std::string wav = "RIFF";
    auto u32 = [&](std::uint32_t v) { wav.append(reinterpret_cast<const char*>(&v), 4); };
    auto u16 = [&](std::uint16_t v) { wav.append(reinterpret_cast<const char*>(&v), 2); };
    u32(36 + sizeof samples);
    wav += "WAVEfmt ";
    u32(16), u16(3 /* IEEE float */), u16(1), u32(8000), u32(8000 * 4), u16(4), u16(32);
    wav += "data";
    u32(sizeof samples);
    wav.append(reinterpret_cast<const char*>(samples), sizeof samples);
    auto decoder = audio::open_decoder(write_bytes("float.wav", wav));
    ASSERT_TRUE(decoder) << decoder.error().message;
    std::vector<float> out(16);
    auto frames = (*decoder)->read(out);
    ASSERT_TRUE(frames) << frames.error().message;
    ASSERT_EQ(*frames, 4u);
    EXPECT_EQ(out[0], 0.5f);
    EXPECT_EQ(out[1], 0.0f);
    EXPECT_EQ(out[2], 1.0f);
    EXPECT_EQ(out[3], -1.0f);
}

TEST_F(AudioDecoderErrorTest, WavWithHeaderOnly) {
    const std::string wav = read_bytes(tone_file("full.wav"));
    const auto file = write_bytes("header.wav", wav.substr(0, 44));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    std::vector<std::vector<float>> chunk;
    auto next = reader->next(chunk);
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error().message,
              file.string() + ": no audio in file (cut short after its header)");
}

TEST_F(AudioDecoderErrorTest, EmptyWav) {
    const auto file = path("empty.wav");
    ASSERT_TRUE(write_wav(file, {}, 8000, 1, WavEncoding::mulaw));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    std::vector<std::vector<float>> chunk;
    auto next = reader->next(chunk);
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error().message, file.string() + ": no audio in file");
    EXPECT_TRUE(chunk.empty());
}

TEST_F(AudioDecoderErrorTest, WavWithUnknownFormatTag) {
    std::string wav = read_bytes(tone_file("full.wav"));
    wav[20] = '\x34'; // the fmt chunk's format tag: 0x1234 is no codec at all
    wav[21] = '\x12';
    const auto file = write_bytes("odd.wav", wav);
    const std::string error = open_error(file);
    EXPECT_TRUE(error.starts_with(file.string() + ": cannot read WAV: ")) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST_F(AudioDecoderErrorTest, WavWithImpossibleChannelCount) {
    std::string wav = read_bytes(tone_file("full.wav"));
    wav[22] = '\0'; // zero channels
    wav[23] = '\0';
    const auto file = write_bytes("odd.wav", wav);
    const std::string error = open_error(file);
    EXPECT_TRUE(error.starts_with(file.string() + ": ")) << error;
    EXPECT_NE(error.find("WAV"), std::string::npos) << error;
}

// A download cut at half: the first half decodes, then the stream ends cleanly and the reader
// reports the cut (lame's Xing/LAME header says how long the whole file was).
TEST_F(AudioDecoderErrorTest, Mp3CutInHalfDecodesWhatIsThere) {
    const std::string mp3 = read_bytes(tone_file("full.mp3", 4.0));
    const auto file = write_bytes("cut.mp3", mp3.substr(0, mp3.size() / 2));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    const auto decoded = testing::read_all(*reader);
    EXPECT_NEAR(static_cast<double>(decoded.frames()) / 16000, 2.0, 0.3);
    EXPECT_TRUE(reader->truncated());
}

// Every cut point in the first few frames, where the sniffer and libmpg123 meet.
TEST_F(AudioDecoderErrorTest, Mp3CutAnywhereNeverCrashes) {
    const std::string mp3 = read_bytes(tone_file("full.mp3", 1.0));
    for (std::size_t size = 1; size < std::min<std::size_t>(mp3.size(), 1200); size += 7) {
        const auto file = write_bytes("cut.mp3", mp3.substr(0, size));
        auto reader = PcmReader::open(file);
        if (!reader) {
            EXPECT_TRUE(reader.error().message.starts_with(file.string() + ": "));
            continue;
        }
        std::vector<std::vector<float>> chunk;
        for (int guard = 0; guard < 100; ++guard) {
            auto more = reader->next(chunk);
            if (!more) {
                EXPECT_TRUE(more.error().message.starts_with(file.string() + ": "));
                break;
            }
            if (!*more) break;
        }
    }
}

TEST_F(AudioDecoderErrorTest, Mp3WithGarbageTailEndsCleanly) {
    const std::string mp3 = read_bytes(tone_file("full.mp3", 2.0));
    const auto file = write_bytes("tail.mp3", mp3 + random_bytes(16 * 1024, 3));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    const auto decoded = testing::read_all(*reader);
    // The noise after the last frame is not decoded as more audio.
    EXPECT_NEAR(static_cast<double>(decoded.frames()) / 16000, 2.0, 0.1);
}

TEST_F(AudioDecoderErrorTest, FlacIsReadThroughFfmpeg) {
    const auto file = path("tone.flac");
    ASSERT_TRUE(write_flac(file, testing::tones(16000, 1.0, {440.0}), 16000, 1));
    auto reader = PcmReader::open(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->source_info().codec, "flac");
    EXPECT_NEAR(static_cast<double>(testing::read_all(*reader).frames()), 16000, 2.0);
}

} // namespace
} // namespace callscribe::audio
