#include "audio/voice_activity.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace callscribe::audio {
namespace {

constexpr int k_rate = 16000;

struct Region {
    double start_s = 0, end_s = 0;
    std::size_t samples = 0;
};

// Appends `seconds` of noise at `noise_db` dBFS plus, when speech_db is set, a 300 Hz tone
// modulated like syllables at that level.
void append(std::vector<float>& out, double seconds, double noise_db, double speech_db = -200) {
    static std::mt19937 rng(42);
    std::normal_distribution<float> noise(0, float(std::pow(10, noise_db / 20)));
    double amp = std::pow(10, speech_db / 20) * std::sqrt(2.0);
    for (int i = 0; i < int(seconds * k_rate); ++i) {
        double t = double(out.size()) / k_rate;
        double syllables = 0.6 + 0.4 * std::sin(2 * M_PI * 4 * t);
        out.push_back(noise(rng) + float(amp * syllables * std::sin(2 * M_PI * 300 * t)));
    }
}

std::vector<Region> detect(const std::vector<float>& signal, std::size_t chunk,
                           VoiceActivitySettings settings = {}) {
    std::vector<Region> regions;
    VoiceActivityDetector vad(
        settings, {[&](double s) {
                       regions.push_back({s, -1, 0});
                   },
                   [&](std::span<const float> x) { regions.back().samples += x.size(); },
                   [&](double e) { regions.back().end_s = e; }});
    for (std::size_t i = 0; i < signal.size(); i += chunk)
        vad.feed(std::span(signal).subspan(i, std::min(chunk, signal.size() - i)));
    vad.finish();
    return regions;
}

TEST(VoiceActivity, FindsTwoUtterancesInSilence) {
    std::vector<float> signal;
    append(signal, 1.0, -70);
    append(signal, 2.0, -70, -20);
    append(signal, 3.0, -70);
    append(signal, 1.0, -70, -25);
    append(signal, 2.0, -70);
    auto regions = detect(signal, 4000);
    ASSERT_EQ(regions.size(), 2u);
    EXPECT_NEAR(regions[0].start_s, 0.75, 0.05); // pre-roll of 0.25 s before the onset at 1.0
    EXPECT_NEAR(regions[0].end_s, 3.5, 0.1);     // hangover of 0.5 s after the end at 3.0
    EXPECT_NEAR(regions[1].start_s, 5.75, 0.05);
    EXPECT_NEAR(regions[1].end_s, 7.5, 0.1);
    for (const auto& r : regions) // the samples handed over match the region's times
        EXPECT_NEAR(r.samples / double(k_rate), r.end_s - r.start_s, 0.011);
}

TEST(VoiceActivity, AdaptsToSteadyLineNoise) {
    std::vector<float> signal;
    append(signal, 2.0, -40); // loud hiss: above min_energy_db, but steady
    append(signal, 1.5, -40, -15);
    append(signal, 2.0, -40);
    auto regions = detect(signal, 1600);
    ASSERT_EQ(regions.size(), 1u);
    EXPECT_NEAR(regions[0].start_s, 1.75, 0.1);
}

TEST(VoiceActivity, SilenceAndClicksGiveNothing) {
    std::vector<float> signal;
    append(signal, 3.0, -70);
    signal[16000] = 0.9f; // a single click is shorter than the onset
    EXPECT_TRUE(detect(signal, 512).empty());
    EXPECT_TRUE(detect(std::vector<float>(48000, 0.0f), 512).empty()); // digital silence
}

TEST(VoiceActivity, ResultDoesNotDependOnChunkSize) {
    std::vector<float> signal;
    append(signal, 0.5, -65);
    append(signal, 1.0, -65, -22);
    append(signal, 1.0, -65);
    auto whole = detect(signal, signal.size());
    ASSERT_EQ(whole.size(), 1u);
    for (std::size_t chunk : {1u, 37u, 160u, 10007u}) {
        auto r = detect(signal, chunk);
        ASSERT_EQ(r.size(), 1u) << chunk;
        EXPECT_DOUBLE_EQ(r[0].start_s, whole[0].start_s) << chunk;
        EXPECT_DOUBLE_EQ(r[0].end_s, whole[0].end_s) << chunk;
        EXPECT_EQ(r[0].samples, whole[0].samples) << chunk;
    }
}

TEST(VoiceActivity, LongSpeechIsCutIntoBoundedRegionsWithoutLosingAudio) {
    std::vector<float> signal;
    append(signal, 0.5, -70);
    append(signal, 25.0, -70, -20);
    append(signal, 1.0, -70);
    VoiceActivitySettings settings;
    settings.max_region_s = 10;
    auto regions = detect(signal, 8000, settings);
    ASSERT_GE(regions.size(), 3u);
    for (std::size_t i = 0; i < regions.size(); ++i) {
        EXPECT_LE(regions[i].end_s - regions[i].start_s, 10.01);
        if (i > 0) {
            EXPECT_NEAR(regions[i].start_s, regions[i - 1].end_s, 0.011) << i;
        }
    }
}

TEST(VoiceActivity, CallThatOpensWithSpeechIsDetected) {
    std::vector<float> signal;
    append(signal, 2.0, -70, -20);
    append(signal, 1.0, -70);
    auto regions = detect(signal, 1000);
    ASSERT_EQ(regions.size(), 1u);
    EXPECT_LT(regions[0].start_s, 0.2);
}

TEST(VoiceActivity, SpeechOpenAtTheEndIsClosedByFinish) {
    std::vector<float> signal;
    append(signal, 0.5, -70);
    append(signal, 1.0, -70, -20);
    auto regions = detect(signal, 1000);
    ASSERT_EQ(regions.size(), 1u);
    EXPECT_NEAR(regions[0].end_s, 1.5, 0.011);
}

} // namespace
} // namespace callscribe::audio
