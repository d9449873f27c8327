#include "audio/format_sniffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace callscribe::audio {
namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> values) {
    std::vector<std::uint8_t> out;
    for (int v : values)
        out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

TEST(AudioFormatSniffer, ParsesMpeg1Layer3Header) {
    // 128 kbit/s, 44.1 kHz, no padding, joint stereo.
    const auto h = parse_mpeg_frame_header(bytes({0xFF, 0xFB, 0x90, 0x64}));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->version, 1);
    EXPECT_EQ(h->layer, 3);
    EXPECT_EQ(h->sample_rate, 44100);
    EXPECT_EQ(h->bitrate_kbps, 128);
    EXPECT_EQ(h->channels, 2);
    EXPECT_EQ(h->frame_bytes, 417u);
}

TEST(AudioFormatSniffer, ParsesMpeg25TelephoneHeader) {
    // MPEG 2.5 layer III, 32 kbit/s, 8 kHz, mono: Twilio-like recordings.
    const auto h = parse_mpeg_frame_header(bytes({0xFF, 0xE3, 0x48, 0xC4}));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->version, 25);
    EXPECT_EQ(h->sample_rate, 8000);
    EXPECT_EQ(h->bitrate_kbps, 32);
    EXPECT_EQ(h->channels, 1);
    EXPECT_EQ(h->frame_bytes, 288u);
}

TEST(AudioFormatSniffer, RejectsReservedFields) {
    EXPECT_FALSE(parse_mpeg_frame_header(bytes({0xFF, 0xEB, 0x90, 0x64}))); // version 01
    EXPECT_FALSE(parse_mpeg_frame_header(bytes({0xFF, 0xF9, 0x90, 0x64}))); // layer 00
    EXPECT_FALSE(parse_mpeg_frame_header(bytes({0xFF, 0xFB, 0xF0, 0x64}))); // bitrate 15
    EXPECT_FALSE(parse_mpeg_frame_header(bytes({0xFF, 0xFB, 0x00, 0x64}))); // free format
    EXPECT_FALSE(parse_mpeg_frame_header(bytes({0xFF, 0xFB, 0x9C, 0x64}))); // rate 11
    EXPECT_FALSE(parse_mpeg_frame_header(bytes({0xFF, 0xFB, 0x90})));       // short
}

TEST(AudioFormatSniffer, FindsTwoConsecutiveFrames) {
    std::vector<std::uint8_t> data(3 + 2 * 417 + 4, 0);
    const auto header = bytes({0xFF, 0xFB, 0x90, 0x64});
    std::copy(header.begin(), header.end(), data.begin() + 3);
    std::copy(header.begin(), header.end(), data.begin() + 3 + 417);
    EXPECT_EQ(find_mpeg_frames(data, false, 4096), 3u);
    data[3 + 417] = 0; // break the second header
    EXPECT_FALSE(find_mpeg_frames(data, false, 4096));
}

TEST(AudioFormatSniffer, Id3v2Size) {
    // Syncsafe size 0x00 0x00 0x02 0x01 = 257, plus the 10-byte header.
    EXPECT_EQ(id3v2_tag_size(bytes({'I', 'D', '3', 4, 0, 0, 0, 0, 2, 1})), 267u);
    EXPECT_EQ(id3v2_tag_size(bytes({'I', 'D', '3', 4, 0, 0x10, 0, 0, 2, 1})), 277u); // footer
    EXPECT_EQ(id3v2_tag_size(bytes({'I', 'D', '3', 4, 0, 0, 0x80, 0, 0, 0})), 0u);   // not syncsafe
    EXPECT_EQ(id3v2_tag_size(bytes({'T', 'A', 'G'})), 0u);
}

TEST(AudioFormatSniffer, WavLayout) {
    std::vector<std::uint8_t> wav = {'R', 'I', 'F', 'F', 0,   0,   0,  0, 'W', 'A',
                                     'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0,   0};
    wav.resize(wav.size() + 16, 0);
    wav[12 + 8 + 12] = 4; // block align: 16-bit stereo
    for (int c : {int{'d'}, int{'a'}, int{'t'}, int{'a'}, 0x10, 0x27, 0, 0})
        wav.push_back(static_cast<std::uint8_t>(c));
    ASSERT_TRUE(is_wav_header(wav));
    const WavLayout layout = parse_wav_layout(wav);
    EXPECT_TRUE(layout.has_fmt);
    EXPECT_EQ(layout.block_align, 4);
    EXPECT_EQ(layout.data_offset, 44u);
    EXPECT_EQ(layout.data_bytes, 10000u);

    const WavLayout cut = parse_wav_layout(std::span(wav).first(24));
    EXPECT_FALSE(cut.has_fmt);
    EXPECT_FALSE(cut.data_offset);
}

// A poor man's fuzzer: every parser over random buffers of every small size must stay inside
// them (run under CALLSCRIBE_SANITIZE=address to make that a hard check).
TEST(AudioFormatSniffer, RandomBuffersStayInBounds) {
    std::mt19937 gen(42);
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::uint8_t> data(gen() % 96);
        for (auto& b : data)
            b = static_cast<std::uint8_t>(gen());
        if (data.size() >= 4 && round % 3 == 0) std::copy_n("RIFF", 4, data.begin());
        if (data.size() >= 12 && round % 3 == 0) std::copy_n("WAVE", 4, data.begin() + 8);
        if (data.size() >= 2 && round % 3 == 1) data[0] = 0xFF, data[1] |= 0xE0;
        (void)parse_mpeg_frame_header(data);
        (void)id3v2_tag_size(data);
        (void)find_mpeg_frames(data, round % 2 == 0, 64);
        (void)parse_wav_layout(data);
    }
}

} // namespace
} // namespace callscribe::audio
