#include "stt/speech_windows.hpp"

#include <gtest/gtest.h>

namespace callscribe::stt {
namespace {

// A rate of 10 samples a second keeps the numbers small: 1 s = 10 samples.
constexpr SpeechWindowSettings k_settings{.rate = 10, .max_s = 3, .gap_s = 0.2};

struct Collected {
    std::vector<SpeechWindow> windows;
    SpeechWindowPacker packer{k_settings, [this](const SpeechWindow& w) -> Result<void> {
                                  windows.push_back(w);
                                  return {};
                              }};

    void region(double start_s, int samples, float value) {
        packer.start_region(start_s);
        std::vector<float> x(std::size_t(samples), value);
        packer.add_samples(x);
        packer.end_region();
    }
};

TEST(SpeechWindows, RegionsShareAWindowWithAGapBetweenThem) {
    Collected c;
    c.region(1.0, 5, 0.5f);   // 0.5 s at 1.0 s
    c.region(10.0, 7, 0.25f); // 0.7 s at 10 s
    c.packer.finish();
    ASSERT_EQ(c.windows.size(), 1u);
    const auto& w = c.windows[0];
    ASSERT_EQ(w.samples.size(), 5u + 2u + 7u);
    EXPECT_EQ(w.samples[5], 0.0f); // the gap is silence
    EXPECT_EQ(w.samples[7], 0.25f);
    ASSERT_EQ(w.pieces.size(), 2u);
    EXPECT_DOUBLE_EQ(w.pieces[1].window_s, 0.7);
    EXPECT_DOUBLE_EQ(w.pieces[1].source_s, 10.0);
    EXPECT_DOUBLE_EQ(w.pieces[1].length_s, 0.7);
}

TEST(SpeechWindows, TimesMapBackToTheChannelAndNeverDecrease) {
    Collected c;
    c.region(1.0, 5, 0.5f);
    c.region(10.0, 7, 0.5f);
    c.packer.finish();
    const auto& w = c.windows.at(0);
    EXPECT_DOUBLE_EQ(w.to_source(0.0), 1.0);
    EXPECT_DOUBLE_EQ(w.to_source(0.3), 1.3);
    EXPECT_DOUBLE_EQ(w.to_source(0.6), 1.5); // in the gap: the end of the region before it
    EXPECT_DOUBLE_EQ(w.to_source(0.9), 10.2);
    EXPECT_DOUBLE_EQ(w.to_source(5.0), 10.7); // past the end: the end of the last region
    double previous = 0;
    for (double t = 0; t < 2; t += 0.01) {
        EXPECT_GE(w.to_source(t), previous);
        previous = w.to_source(t);
    }
}

TEST(SpeechWindows, ARegionThatDoesNotFitMovesWholeToTheNextWindow) {
    Collected c;
    c.region(0.0, 20, 0.5f);  // 2 s
    c.region(5.0, 15, 0.25f); // 1.5 s: does not fit after 2 s + gap in a 3 s window
    c.packer.finish();
    ASSERT_EQ(c.windows.size(), 2u);
    EXPECT_EQ(c.windows[0].samples.size(), 20u);
    EXPECT_EQ(c.windows[0].pieces.size(), 1u);
    EXPECT_EQ(c.windows[1].samples.size(), 15u);
    EXPECT_DOUBLE_EQ(c.windows[1].to_source(0.0), 5.0);
    EXPECT_EQ(c.windows[1].samples.front(), 0.25f);
}

TEST(SpeechWindows, ARegionLongerThanAWindowIsSplitAndKeepsItsTimeLine) {
    Collected c;
    c.region(2.0, 70, 0.5f); // 7 s in 3 s windows
    c.packer.finish();
    ASSERT_EQ(c.windows.size(), 3u);
    EXPECT_EQ(c.windows[0].samples.size(), 30u);
    EXPECT_EQ(c.windows[1].samples.size(), 30u);
    EXPECT_EQ(c.windows[2].samples.size(), 10u);
    EXPECT_DOUBLE_EQ(c.windows[1].to_source(0.0), 5.0);
    EXPECT_DOUBLE_EQ(c.windows[2].to_source(0.5), 8.5);
}

TEST(SpeechWindows, NoSpeechMeansNoWindow) {
    Collected c;
    c.packer.finish();
    EXPECT_TRUE(c.windows.empty());
}

TEST(SpeechWindows, ASinkErrorStopsThePackerAndIsKept) {
    int calls = 0;
    SpeechWindowPacker packer(k_settings, [&](const SpeechWindow&) -> Result<void> {
        ++calls;
        return fail("engine broke");
    });
    std::vector<float> x(70, 0.5f);
    packer.start_region(0);
    packer.add_samples(x);
    packer.finish();
    EXPECT_EQ(calls, 1);
    ASSERT_NE(packer.error(), nullptr);
    EXPECT_EQ(packer.error()->message, "engine broke");
}

} // namespace
} // namespace callscribe::stt
