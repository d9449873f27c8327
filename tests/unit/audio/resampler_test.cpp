#include "audio/resampler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace callscribe::audio {
namespace {

std::vector<float> sine(int rate, std::size_t frames, double hz) {
    std::vector<float> s(frames);
    for (std::size_t i = 0; i < frames; ++i) {
        s[i] = 0.5f * static_cast<float>(std::sin(2 * std::numbers::pi * hz * i / rate));
    }
    return s;
}

TEST(AudioResampler, EqualRatesPassThrough) {
    auto r = Resampler::create(16000, 16000, 2);
    ASSERT_TRUE(r);
    const std::vector<float> in = {0.1f, -0.1f, 0.2f, -0.2f};
    std::vector<float> out;
    r->process(in, out);
    r->finish(out);
    EXPECT_EQ(out, in);
}

TEST(AudioResampler, TelephoneToSixteenKilohertzDoublesTheFrames) {
    auto r = Resampler::create(8000, 16000, 1);
    ASSERT_TRUE(r);
    std::vector<float> out;
    r->process(sine(8000, 8000, 440), out);
    r->finish(out);
    EXPECT_NEAR(static_cast<double>(out.size()), 16000, 2);
}

// Feeding a stream in odd-sized pieces gives the same samples as feeding it whole.
TEST(AudioResampler, PiecesMatchWhole) {
    const auto in = sine(44100, 44100, 1000);
    auto whole = Resampler::create(44100, 16000, 1);
    auto pieces = Resampler::create(44100, 16000, 1);
    ASSERT_TRUE(whole && pieces);
    std::vector<float> a;
    std::vector<float> b;
    whole->process(in, a);
    whole->finish(a);
    for (std::size_t at = 0; at < in.size(); at += 997) {
        pieces->process(
            std::span<const float>(in).subspan(at, std::min<std::size_t>(997, in.size() - at)), b);
    }
    pieces->finish(b);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        ASSERT_NEAR(a[i], b[i], 1e-5) << i;
}

TEST(AudioResampler, StereoKeepsInterleaving) {
    auto r = Resampler::create(8000, 16000, 2);
    ASSERT_TRUE(r);
    std::vector<float> in(2 * 4000);
    for (std::size_t i = 0; i < 4000; ++i)
        in[2 * i] = 0.5f; // DC on the left only
    std::vector<float> out;
    r->process(in, out);
    r->finish(out);
    ASSERT_EQ(out.size() % 2, 0u);
    const std::size_t mid = out.size() / 4;
    EXPECT_NEAR(out[2 * mid], 0.5f, 0.01f);
    EXPECT_NEAR(out[2 * mid + 1], 0.0f, 0.01f);
}

} // namespace
} // namespace callscribe::audio
