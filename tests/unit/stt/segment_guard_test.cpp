#include "stt/segment_guard.hpp"

#include <gtest/gtest.h>

namespace callscribe::stt {
namespace {

constexpr std::string_view k_speech =
    "Thank you for calling Riverside Dental, this is Anna. How can I help you today?";

TEST(SegmentGuard, OrdinarySpeechIsKept) {
    SegmentGuard guard({});
    EXPECT_EQ(guard.judge(k_speech, 0.05, -0.3), DropReason::none);
}

TEST(SegmentGuard, NoSpeechNeedsBothAHighNoSpeechProbabilityAndALowLogProbability) {
    SegmentGuard guard({});
    EXPECT_EQ(guard.judge("Thank you.", 0.9, -1.5), DropReason::no_speech);
    EXPECT_EQ(guard.judge("Thank you.", 0.9, -0.2), DropReason::none); // a confident text stays
    EXPECT_EQ(guard.judge("Okay.", 0.3, -1.5), DropReason::none);
}

TEST(SegmentGuard, RepetitiveTextCompressesTooWellAndIsDropped) {
    std::string loop;
    for (int i = 0; i < 20; ++i)
        loop += "I'm going to go to the store. ";
    EXPECT_GT(compression_ratio(loop), 2.4);
    EXPECT_LT(compression_ratio(k_speech), 2.4);
    SegmentGuard guard({});
    EXPECT_EQ(guard.judge(loop, 0.0, -0.1), DropReason::compression_ratio);
}

TEST(SegmentGuard, AShortLoopInsideASegmentIsARepetition) {
    EXPECT_TRUE(has_repeat_loop("so the the the the account", 3));
    EXPECT_TRUE(has_repeat_loop("okay, bye. okay, bye. okay, bye. okay, bye.", 3));
    EXPECT_FALSE(has_repeat_loop("no no no, that was the old number", 3));
    EXPECT_FALSE(has_repeat_loop(k_speech, 3));
    SegmentGuard guard({});
    EXPECT_EQ(guard.judge("so the the the the account", 0.0, -0.1), DropReason::repetition);
}

TEST(SegmentGuard, TheSameTextOverAndOverAcrossSegmentsIsARepetition) {
    SegmentGuard guard({.max_repeats = 3});
    EXPECT_EQ(guard.judge("Thank you.", 0.1, -0.2), DropReason::none);
    EXPECT_EQ(guard.judge("thank you", 0.1, -0.2), DropReason::none);
    EXPECT_EQ(guard.judge("Thank you!", 0.1, -0.2), DropReason::none);
    EXPECT_EQ(guard.judge("Thank you.", 0.1, -0.2), DropReason::repetition);
    EXPECT_EQ(guard.judge("Goodbye.", 0.1, -0.2), DropReason::none);
    EXPECT_EQ(guard.judge("Thank you.", 0.1, -0.2), DropReason::none); // the run was broken
}

TEST(SegmentGuard, DisabledKeepsEverything) {
    SegmentGuard guard({.enabled = false});
    EXPECT_EQ(guard.judge("the the the the the the", 0.99, -3), DropReason::none);
}

TEST(SegmentGuard, DroppedSegmentsCountByReason) {
    DroppedSegments counts;
    counts.add(DropReason::no_speech);
    counts.add(DropReason::repetition);
    counts.add(DropReason::repetition);
    counts.add(DropReason::none);
    DroppedSegments more;
    more.add(DropReason::compression_ratio);
    counts += more;
    EXPECT_EQ(counts.no_speech, 1);
    EXPECT_EQ(counts.repetition, 2);
    EXPECT_EQ(counts.compression_ratio, 1);
    EXPECT_EQ(counts.total(), 4);
}

} // namespace
} // namespace callscribe::stt
