// The webhook's priority rule: offline first, realtime as a fallback, else none.

#include "webhook/transcript_choice.hpp"
#include "webhook/webhook_log.hpp"

#include "support/captured_log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callscribe::webhook {
namespace {

using store::TranscriptSource;
using ::testing::HasSubstr;

struct Case {
    std::string name;
    std::string final_text;
    std::string realtime_text;
    TranscriptChoice expected;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

class WebhookTranscriptChoice : public ::testing::TestWithParam<Case> {};

TEST_P(WebhookTranscriptChoice, FollowsThePriorityRule) {
    const Case& c = GetParam();
    EXPECT_EQ(choose_transcript(c.final_text, c.realtime_text), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, WebhookTranscriptChoice,
    ::testing::Values(
        Case{"offline_wins",
             "offline words",
             "realtime words",
             {TranscriptSource::offline, "offline words"}},
        Case{"offline_without_realtime",
             "offline words",
             "",
             {TranscriptSource::offline, "offline words"}},
        Case{"offline_is_trimmed",
             "\n  offline words \t\r\n",
             "realtime words",
             {TranscriptSource::offline, "offline words"}},
        Case{"empty_offline_falls_back",
             "",
             "realtime words",
             {TranscriptSource::realtime, "realtime words"}},
        Case{"whitespace_only_offline_falls_back",
             " \n\t\r\f\v ",
             " realtime words\n",
             {TranscriptSource::realtime, "realtime words"}},
        Case{"nothing_at_all", "", "", {TranscriptSource::none, ""}},
        Case{"whitespace_everywhere", "  \n", "\t \n", {TranscriptSource::none, ""}},
        Case{"inner_whitespace_kept", "a\n\nb", "", {TranscriptSource::offline, "a\n\nb"}}),
    [](const auto& info) { return info.param.name; });

CallSid call_sid() {
    return CallSid::parse("CA0123456789abcdef0123456789abcdef").value();
}

store::CallLog call_with(std::string final_text, std::string realtime_text) {
    store::CallLog call{.call_sid = call_sid()};
    call.final_transcript = std::move(final_text);
    call.realtime_transcript = std::move(realtime_text);
    return call;
}

TEST(WebhookTranscriptChoiceCount, CountsCodePointsNotBytes) {
    EXPECT_EQ(count_chars(""), 0u);
    EXPECT_EQ(count_chars("hello"), 5u);
    EXPECT_EQ(count_chars("héllo — ✓"), 9u);                // 14 bytes
    EXPECT_EQ(count_chars("\xF0\x9F\x98\x80"), 1u);         // one emoji, 4 bytes
    EXPECT_EQ(count_chars("caf\xC3\xA9 \xE4\xBD\xA0"), 6u); // "café 你"
}

TEST(WebhookTranscriptChoiceLog, OfflineLineCountsChars) {
    test_support::CapturedLog log;
    auto choice = choose_transcript_for(call_with("  héllo wörld \n", "realtime"));
    log_transcript_choice(call_sid(), choice);
    EXPECT_EQ(choice.source, TranscriptSource::offline);
    ASSERT_EQ(log.lines().size(), 1u);
    EXPECT_EQ(log.lines()[0], "✅ [WEBHOOK] Using OFFLINE transcript (11 chars) for "
                              "CA0123456789abcdef0123456789abcdef");
}

TEST(WebhookTranscriptChoiceLog, RealtimeLine) {
    test_support::CapturedLog log;
    auto choice = choose_transcript_for(call_with(" \n", "what the agent heard"));
    log_transcript_choice(call_sid(), choice);
    EXPECT_EQ(choice.source, TranscriptSource::realtime);
    ASSERT_EQ(log.lines().size(), 1u);
    EXPECT_THAT(
        log.lines()[0],
        HasSubstr("ℹ️ [WEBHOOK] Offline transcript missing → using realtime (20 chars)"));
}

TEST(WebhookTranscriptChoiceLog, NoneLineNamesTheCall) {
    test_support::CapturedLog log;
    auto choice = choose_transcript_for(call_with("", ""));
    log_transcript_choice(call_sid(), choice);
    EXPECT_EQ(choice.source, TranscriptSource::none);
    ASSERT_EQ(log.lines().size(), 1u);
    EXPECT_EQ(log.lines()[0], "⚠️ [WEBHOOK] No transcript available for "
                              "CA0123456789abcdef0123456789abcdef → sending "
                              "transcript_source=none");
}

} // namespace
} // namespace callscribe::webhook
