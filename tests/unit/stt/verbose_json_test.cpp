#include "stt/openai/openai_engine.hpp"

#include <gtest/gtest.h>

namespace callscribe::stt::openai {
namespace {

TEST(VerboseJson, WordsGoToTheSegmentTheyFallIn) {
    auto transcript = parse_verbose_json(R"({
        "text": "One two. Three.", "duration": 4.0,
        "segments": [{"start": 0.0, "end": 1.5, "text": " One two."},
                     {"start": 2.0, "end": 4.0, "text": "  Three. "}],
        "words": [{"word": "One", "start": 0.0, "end": 0.4},
                  {"word": " two", "start": 1.4, "end": 1.8},
                  {"word": "Three", "start": 2.1, "end": 2.6}]})");
    ASSERT_TRUE(transcript) << transcript.error().message;
    ASSERT_EQ(transcript->segments.size(), 2u);
    EXPECT_EQ(transcript->segments[0].text, "One two.");
    EXPECT_EQ(transcript->segments[1].text, "Three.");
    ASSERT_EQ(transcript->segments[0].words.size(), 2u);
    EXPECT_EQ(transcript->segments[0].words[1].text, "two");
    ASSERT_EQ(transcript->segments[1].words.size(), 1u);
    EXPECT_EQ(transcript->segments[1].words[0].text, "Three");
    EXPECT_DOUBLE_EQ(transcript->audio_s, 4.0);
}

TEST(VerboseJson, TextWithoutSegmentsBecomesOneSegment) {
    auto transcript = parse_verbose_json(R"({"text": " Hello.", "duration": 2.0})");
    ASSERT_TRUE(transcript) << transcript.error().message;
    ASSERT_EQ(transcript->segments.size(), 1u);
    EXPECT_EQ(transcript->segments[0].text, "Hello.");
    EXPECT_DOUBLE_EQ(transcript->segments[0].end_s, 2.0);
}

TEST(VerboseJson, SilenceIsAnEmptyTranscript) {
    auto transcript = parse_verbose_json(R"({"text": "", "duration": 3.0, "segments": []})");
    ASSERT_TRUE(transcript) << transcript.error().message;
    EXPECT_TRUE(transcript->segments.empty());
    EXPECT_EQ(transcript->text(), "");
}

TEST(VerboseJson, RejectsWhatIsNotVerboseJson) {
    for (const char* body : {"", "[]", "not json", R"({"segments": 3})", R"({"duration": 1})",
                             R"({"text": 5})", R"({"text": "a", "words": [{"word": "a"}]})"}) {
        auto transcript = parse_verbose_json(body);
        EXPECT_FALSE(transcript) << body;
        if (!transcript) {
            EXPECT_FALSE(transcript.error().retryable) << body;
        }
    }
}

} // namespace
} // namespace callscribe::stt::openai
