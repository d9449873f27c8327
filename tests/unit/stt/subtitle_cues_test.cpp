// Subtitle cues cut to the lengths subtitle players show well.
#include "stt/formats.hpp"
#include "stt/subtitle_cues.hpp"

#include <gtest/gtest.h>

namespace callscribe::stt {
namespace {

// A segment of `count` words "w1 w2 …", one second each, with their times when `timed`.
Segment numbered_words(int count, bool timed, std::string speaker = "") {
    Segment s{.start_s = 10,
              .end_s = 10.0 + count,
              .speaker = std::move(speaker),
              .text = {},
              .words = {}};
    for (int i = 1; i <= count; ++i) {
        const std::string word = "word" + std::to_string(i);
        s.text += (i > 1 ? " " : "") + word;
        if (timed) s.words.push_back({9.0 + i, 9.0 + i + 0.8, word});
    }
    return s;
}

TEST(SubtitleCues, ALongSegmentBecomesCuesWithinTheLimits) {
    Transcript t;
    t.segments = {numbered_words(40, true)}; // "word1 … word40": 269 characters
    const auto cues = subtitle_cues(t, {.max_line_length = 42, .max_line_count = 2}, false);
    ASSERT_GT(cues.size(), 3u);
    std::string rebuilt;
    for (const auto& cue : cues) {
        ASSERT_FALSE(cue.lines.empty());
        EXPECT_LE(cue.lines.size(), 2u);
        for (const auto& line : cue.lines) {
            EXPECT_LE(text_length(line), 42u) << line;
            rebuilt += (rebuilt.empty() ? "" : " ") + line;
        }
    }
    EXPECT_EQ(rebuilt, t.segments[0].text) << "every word once, in order";
    // Timed by their words: the first cue from word1's start to its last word's end.
    EXPECT_DOUBLE_EQ(cues[0].start_s, 10.0);
    const auto last_word =
        std::stoi(cues[0].lines.back().substr(cues[0].lines.back().rfind("word") + 4));
    EXPECT_DOUBLE_EQ(cues[0].end_s, 9.0 + last_word + 0.8);
    EXPECT_DOUBLE_EQ(cues[1].start_s, 9.0 + last_word + 1);
    EXPECT_DOUBLE_EQ(cues.back().end_s, 49.8);
}

TEST(SubtitleCues, WithoutWordTimesTheSegmentsTimeIsSharedByCharacters) {
    Transcript t;
    t.segments = {
        {.start_s = 0, .end_s = 10, .speaker = {}, .text = "aaaa bbbb cccc dddd", .words = {}}};
    const auto cues = subtitle_cues(t, {.max_line_length = 10, .max_line_count = 1}, false);
    ASSERT_EQ(cues.size(), 2u);
    EXPECT_EQ(cues[0].lines, std::vector<std::string>{"aaaa bbbb"});
    EXPECT_EQ(cues[1].lines, std::vector<std::string>{"cccc dddd"});
    EXPECT_DOUBLE_EQ(cues[0].start_s, 0.0);
    EXPECT_DOUBLE_EQ(cues[0].end_s, 5.0);
    EXPECT_DOUBLE_EQ(cues[1].start_s, 5.0);
    EXPECT_DOUBLE_EQ(cues[1].end_s, 10.0);
}

TEST(SubtitleCues, TheSpeakerLabelCountsOnTheFirstLineOfEachSrtCue) {
    Transcript t;
    t.segments = {
        {.start_s = 0, .end_s = 4, .speaker = "Caller", .text = "one two three four", .words = {}}};
    // "Caller: one two" is 15 characters: with a limit of 15 the first line holds two words.
    const std::string srt = render(t, Format::srt, {.max_line_length = 15, .max_line_count = 2});
    EXPECT_EQ(srt, "1\n00:00:00,000 --> 00:00:04,000\nCaller: one two\nthree four\n\n");
    // WebVTT names the voice apart: the whole limit is the text's.
    const std::string vtt = render(t, Format::vtt, {.max_line_length = 15, .max_line_count = 1});
    EXPECT_EQ(vtt, "WEBVTT\n\n00:00:00.000 --> 00:00:02.947\n<v Caller>one two three\n\n"
                   "00:00:02.947 --> 00:00:04.000\n<v Caller>four\n\n");
}

TEST(SubtitleCues, AWordLongerThanALineHasALineOfItsOwn) {
    Transcript t;
    t.segments = {{.start_s = 0,
                   .end_s = 3,
                   .speaker = {},
                   .text = "see https://example.com/a/very/long/path now",
                   .words = {}}};
    const auto cues = subtitle_cues(t, {.max_line_length = 12, .max_line_count = 2}, false);
    ASSERT_EQ(cues.size(), 2u);
    EXPECT_EQ(cues[0].lines,
              (std::vector<std::string>{"see", "https://example.com/a/very/long/path"}));
    EXPECT_EQ(cues[1].lines, std::vector<std::string>{"now"});
}

TEST(SubtitleCues, LengthsCountCharactersNotBytes) {
    EXPECT_EQ(text_length("café"), 4u);
    EXPECT_EQ(text_length("日本語"), 3u);
    Transcript t;
    t.segments = {{.start_s = 0,
                   .end_s = 2,
                   .speaker = {},
                   .text = "écoutez été",
                   .words = {}}}; // 11 characters, 13 bytes
    EXPECT_EQ(subtitle_cues(t, {.max_line_length = 11, .max_line_count = 1}, false).size(), 1u);
}

TEST(Formats, MonoTextHasALinePerSegment) {
    Transcript t;
    t.segments = {{0, 1, "", "hello there", {}}, {1, 2, "", "", {}}, {2, 3, "", "general", {}}};
    EXPECT_EQ(render(t, Format::txt), "hello there\ngeneral\n");
    EXPECT_EQ(t.text(), "hello there general") << "the call log's text is unchanged";
}

} // namespace
} // namespace callscribe::stt
