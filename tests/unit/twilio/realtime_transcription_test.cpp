// Twilio's Real-Time Transcription callbacks read into values, and final utterances assembled
// into a call's realtime transcript (docs/twilio-realtime-transcription.md for the fields).
#include "twilio/realtime_transcription.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callscribe::twilio {
namespace {

using ::testing::HasSubstr;

const std::string k_session = "GT0a1b2c3d4e5f60718293a4b5c6d7e8f9";

// A transcription-content callback as Twilio posts it (parameters of the reference's example).
net::FormFields content(std::string sequence, std::string track, std::string data,
                        std::string final = "true") {
    return {{"AccountSid", "AC3f1e2d4c5b6a79880716253443526170"},
            {"CallSid", "CA9d8c7b6a5f4e3d2c1b0a99887766554a"},
            {"TranscriptionSid", k_session},
            {"Timestamp", "2025-03-14T16:02:41.218734Z"},
            {"SequenceId", std::move(sequence)},
            {"TranscriptionEvent", "transcription-content"},
            {"LanguageCode", "en-US"},
            {"Track", std::move(track)},
            {"TranscriptionData", std::move(data)},
            {"Final", std::move(final)}};
}

TEST(RttEvent, AFinalUtteranceIsReadWithItsTrackTextAndConfidence) {
    const auto event = parse_rtt_event(
        content("7", "inbound_track",
                R"({"transcript":"Hi, I'm calling about order 4417.","confidence":0.9734512})"));
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->kind, RttEventKind::content);
    EXPECT_EQ(event->transcription_sid, k_session);
    EXPECT_EQ(event->sequence, 7);
    ASSERT_TRUE(event->utterance);
    EXPECT_EQ(event->utterance->track, RttTrack::inbound);
    EXPECT_EQ(event->utterance->text, "Hi, I'm calling about order 4417.");
    EXPECT_TRUE(event->utterance->final);
    EXPECT_DOUBLE_EQ(event->utterance->confidence.value_or(0), 0.9734512);
}

TEST(RttEvent, APartialResultHasNoConfidenceAndIsNotFinal) {
    auto form = content("70", "outbound_track", R"({"transcript":"thank you for"})", "false");
    form.emplace_back("Stability", "0.8");
    const auto event = parse_rtt_event(form);
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_FALSE(event->utterance->final);
    EXPECT_EQ(event->utterance->track, RttTrack::outbound);
    EXPECT_FALSE(event->utterance->confidence);
}

TEST(RttEvent, StartedCarriesTheLabelsAndStoppedOnlyTheSession) {
    const auto started = parse_rtt_event({{"TranscriptionSid", k_session},
                                          {"SequenceId", "1"},
                                          {"TranscriptionEvent", "transcription-started"},
                                          {"Track", "both_tracks"},
                                          {"InboundTrackLabel", "customer"},
                                          {"OutboundTrackLabel", "agent"},
                                          {"SomethingNew", "ignored"}});
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_EQ(started->kind, RttEventKind::started);
    EXPECT_EQ(started->inbound_label, "customer");
    EXPECT_EQ(started->outbound_label, "agent");
    const auto stopped = parse_rtt_event({{"TranscriptionSid", k_session},
                                          {"SequenceId", "3"},
                                          {"TranscriptionEvent", "transcription-stopped"}});
    ASSERT_TRUE(stopped) << stopped.error().message;
    EXPECT_EQ(stopped->kind, RttEventKind::stopped);
    EXPECT_EQ(stopped->sequence, 3);
}

TEST(RttEvent, AnErrorCarriesItsCodeAndText) {
    const auto event = parse_rtt_event({{"TranscriptionSid", k_session},
                                        {"SequenceId", "4"},
                                        {"TranscriptionEvent", "transcription-error"},
                                        {"TranscriptionErrorCode", "32651"},
                                        {"TranscriptionError", "Provider Error"}});
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->error_code, 32651);
    EXPECT_EQ(event->error, "Provider Error");
}

TEST(RttEvent, MalformedCallbacksAreRefusedNamingTheField) {
    const std::vector<std::pair<net::FormFields, std::string>> cases{
        {content("7", "inbound_track", "not json"), "TranscriptionData is not a JSON object"},
        {content("7", "inbound_track", R"({"confidence":0.5})"),
         "TranscriptionData has no \"transcript\" string"},
        {content("7", "both_tracks", R"({"transcript":"x"})"),
         "Track is not inbound_track or outbound_track: \"both_tracks\""},
        {content("seven", "inbound_track", R"({"transcript":"x"})"),
         "SequenceId is not a whole number: \"seven\""},
        {content("-1", "inbound_track", R"({"transcript":"x"})"),
         "SequenceId is not a whole number: \"-1\""},
        {content("7", "inbound_track", R"({"transcript":"x"})", "yes"),
         "Final is not true or false: \"yes\""},
        {{{"TranscriptionSid", k_session}, {"SequenceId", "1"}}, "missing TranscriptionEvent"},
        {{{"TranscriptionEvent", "transcription-paused"}},
         "TranscriptionEvent is not one Twilio sends: \"transcription-paused\""},
        {{{"TranscriptionEvent", "transcription-stopped"}, {"SequenceId", "1"}},
         "missing TranscriptionSid"},
        {{{"TranscriptionEvent", "transcription-stopped"},
          {"TranscriptionSid", "GT123"},
          {"SequenceId", "1"}},
         "TranscriptionSid is not a valid SID"},
        {{{"TranscriptionEvent", "transcription-stopped"}, {"TranscriptionSid", k_session}},
         "missing SequenceId"},
    };
    for (const auto& [form, expected] : cases) {
        const auto event = parse_rtt_event(form);
        ASSERT_FALSE(event) << expected;
        EXPECT_THAT(event.error().message, HasSubstr(expected));
        EXPECT_FALSE(event.error().retryable) << expected;
    }
}

RttUtterance said(std::int64_t sequence, RttTrack track, std::string text, bool final = true) {
    return RttUtterance{
        .sequence = sequence, .track = track, .text = std::move(text), .final = final};
}

TEST(RttTranscript, UtterancesAreOrderedBySequenceOnceEachAndLabelledByTurn) {
    constexpr auto in = RttTrack::inbound;
    constexpr auto out = RttTrack::outbound;
    // Six utterances arriving out of order, one of them twice (a retried callback), and a
    // partial result that the final one replaced.
    const std::vector<RttUtterance> arrived{said(5, in, "order 4417"),
                                            said(2, out, "Thank you for calling."),
                                            said(3, out, "How can I help?"),
                                            said(4, in, "I'm calling about", false),
                                            said(4, in, "I'm calling about"),
                                            said(7, out, "Let me check."),
                                            said(2, out, "Thank you for calling."),
                                            said(6, in, " it hasn't shipped. ")};
    EXPECT_EQ(assemble_rtt_transcript(arrived),
              "Agent: Thank you for calling. How can I help?\n"
              "Caller: I'm calling about order 4417 it hasn't shipped.\n"
              "Agent: Let me check.");
}

TEST(RttTranscript, TheSessionsLabelsReplaceTheDefaults) {
    const std::vector<RttUtterance> arrived{said(2, RttTrack::inbound, "hello"),
                                            said(3, RttTrack::outbound, "hi")};
    EXPECT_EQ(assemble_rtt_transcript(arrived, {.inbound = "customer", .outbound = ""}),
              "customer: hello\nAgent: hi");
}

TEST(RttTranscript, NothingFinalIsAnEmptyTranscript) {
    EXPECT_EQ(assemble_rtt_transcript({}), "");
    EXPECT_EQ(assemble_rtt_transcript({said(2, RttTrack::inbound, "partial", false),
                                       said(3, RttTrack::outbound, "   ")}),
              "");
}

} // namespace
} // namespace callscribe::twilio
