#include "audio/mulaw.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace callscribe::audio {
namespace {

TEST(Mulaw, DecodesG711sCornerValues) {
    std::vector<float> out;
    decode_mulaw(std::vector<std::uint8_t>{0xFF, 0x7F, 0x00, 0x80}, out);
    ASSERT_EQ(out.size(), 4U);
    EXPECT_EQ(out[0], 0.0f);                 // silence
    EXPECT_EQ(out[1], 0.0f);                 // negative zero
    EXPECT_EQ(out[2] * 32768.0f, -32124.0f); // the loudest negative sample
    EXPECT_EQ(out[3] * 32768.0f, 32124.0f);  // the loudest positive sample
}

TEST(Mulaw, EncodingThenDecodingKeepsASampleWithinItsStep) {
    std::vector<float> samples;
    for (int i = -100; i <= 100; ++i)
        samples.push_back(float(i) / 100.0f);
    samples.push_back(1.5f); // clipped
    std::vector<std::uint8_t> bytes;
    encode_mulaw(samples, bytes);
    ASSERT_EQ(bytes.size(), samples.size());
    std::vector<float> back;
    decode_mulaw(bytes, back);
    for (std::size_t i = 0; i + 1 < samples.size(); ++i) {
        // μ-law's step grows with the level: about 1/16 of it in the loudest segment.
        EXPECT_NEAR(back[i], samples[i], std::abs(samples[i]) / 16 + 0.001) << samples[i];
    }
    EXPECT_NEAR(back.back(), 32124.0f / 32768.0f, 1e-6);
    // Every byte survives decoding and encoding again (0x7F, negative zero, becomes 0xFF).
    for (int b = 0; b < 256; ++b) {
        std::vector<float> one;
        decode_mulaw(std::vector<std::uint8_t>{std::uint8_t(b)}, one);
        std::vector<std::uint8_t> again;
        encode_mulaw(one, again);
        EXPECT_EQ(int(again[0]), b == 0x7F ? 0xFF : b) << b;
    }
}

} // namespace
} // namespace callscribe::audio
