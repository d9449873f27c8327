// The sandbox's Real-Time Transcription callbacks: what Twilio sends, read back by callscribe's
// own parser, signed as Twilio signs, with the reordering and the repeats a receiver must survive.
#include "sandbox/transcription_callbacks.hpp"
#include "twilio/signature.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace callscribe::sandbox {
namespace {

using twilio::RttEventKind;
using twilio::RttTrack;

const std::string k_account = "AC00000000000000000000000000000000";
const CallSid k_call = *CallSid::parse("CA0000000000000000000000000000abcd");
const std::string k_session = "GT00000000000000000000000000001234";

TranscriptionScript six_lines() {
    return TranscriptionScript{.url = "https://calls.example.com/twilio/transcription-status",
                               .lines = {{RttTrack::outbound, "Thank you for calling."},
                                         {RttTrack::inbound, "Hi, my parcel has not arrived."},
                                         {RttTrack::outbound, "Can I have the order number?"},
                                         {RttTrack::inbound, "It is four four one seven."},
                                         {RttTrack::outbound, "It ships tomorrow."},
                                         {RttTrack::inbound, "Thanks, bye."}}};
}

std::vector<twilio::RttEvent> parsed(const std::vector<Callback>& callbacks) {
    std::vector<twilio::RttEvent> events;
    for (const auto& callback : callbacks) {
        auto event = twilio::parse_rtt_event(callback.params);
        EXPECT_TRUE(event) << event.error().message;
        if (event) events.push_back(*event);
    }
    return events;
}

TEST(SandboxTranscription, StartedThenOneContentPerLineThenStoppedNumberedFromOne) {
    auto script = six_lines();
    script.inbound_label = "customer";
    const auto events = parsed(transcription_callbacks(k_account, k_call, k_session, script));
    ASSERT_EQ(events.size(), 8u);
    EXPECT_EQ(events.front().kind, RttEventKind::started);
    EXPECT_EQ(events.front().sequence, 1);
    EXPECT_EQ(events.front().inbound_label, "customer");
    EXPECT_EQ(events.front().outbound_label, "");
    for (std::size_t i = 1; i <= 6; ++i) {
        EXPECT_EQ(events[i].kind, RttEventKind::content);
        EXPECT_EQ(events[i].sequence, static_cast<std::int64_t>(i) + 1);
        EXPECT_EQ(events[i].utterance->text, script.lines[i - 1].text);
        EXPECT_EQ(events[i].utterance->track, script.lines[i - 1].track);
        EXPECT_TRUE(events[i].utterance->final);
    }
    EXPECT_EQ(events.back().kind, RttEventKind::stopped);
    EXPECT_EQ(events.back().sequence, 8);
    for (const auto& event : events)
        EXPECT_EQ(event.transcription_sid, k_session);
}

TEST(SandboxTranscription, ShuffledAndRepeatedContentsStillAssembleToTheConversation) {
    auto script = six_lines();
    script.shuffled = true;
    script.duplicates = 1;
    script.seed = 7;
    const auto callbacks = transcription_callbacks(k_account, k_call, k_session, script);
    const auto events = parsed(callbacks);
    ASSERT_EQ(events.size(), 9u);
    std::vector<std::int64_t> order;
    std::vector<twilio::RttUtterance> utterances;
    for (const auto& event : events) {
        if (event.kind != RttEventKind::content) continue;
        order.push_back(event.sequence);
        utterances.push_back(*event.utterance);
    }
    EXPECT_FALSE(std::ranges::is_sorted(order)) << "the contents go out of order";
    EXPECT_EQ(order.size(), 7u);
    EXPECT_EQ(order.back(), order.front()) << "the first one sent is sent again";
    EXPECT_EQ(events.back().kind, RttEventKind::stopped);
    EXPECT_EQ(twilio::assemble_rtt_transcript(utterances),
              "Agent: Thank you for calling.\n"
              "Caller: Hi, my parcel has not arrived.\n"
              "Agent: Can I have the order number?\n"
              "Caller: It is four four one seven.\n"
              "Agent: It ships tomorrow.\n"
              "Caller: Thanks, bye.");
    // The same seed gives the same order: a failing test can be replayed.
    const auto again = transcription_callbacks(k_account, k_call, k_session, script);
    ASSERT_EQ(again.size(), callbacks.size());
    for (std::size_t i = 0; i < again.size(); ++i)
        EXPECT_EQ(again[i].params, callbacks[i].params);
}

TEST(SandboxTranscription, EachCallbackIsSignedAsTwilioSignsIt) {
    const Secret token("sandbox-auth-token");
    for (const auto& callback :
         transcription_callbacks(k_account, k_call, k_session, six_lines())) {
        const auto request = CallbackSender::make_request(callback, token);
        const auto signature = std::ranges::find_if(
            request.headers, [](const auto& h) { return h.first == "X-Twilio-Signature"; });
        ASSERT_NE(signature, request.headers.end());
        const twilio::SignedRequest signed_request{
            .url = callback.url,
            .params = twilio::FormParams(callback.params.begin(), callback.params.end()),
            .body = std::nullopt};
        EXPECT_TRUE(twilio::is_valid_signature(signed_request, signature->second, token));
        EXPECT_FALSE(
            twilio::is_valid_signature(signed_request, signature->second, Secret("another-token")));
    }
}

TEST(SandboxTranscription, PartialsComeBeforeEachFinalResultAndSpacingPacesTheSession) {
    auto script = six_lines();
    script.lines.resize(2);
    script.partials = true;
    script.delay = Seconds{1};
    script.spacing = Seconds{0.5};
    const auto callbacks = transcription_callbacks(k_account, k_call, k_session, script);
    const auto events = parsed(callbacks);
    ASSERT_EQ(events.size(), 6u); // started, partial + final twice, stopped
    const auto has = [](const Callback& c, const std::string& name, const std::string& value) {
        return std::ranges::count(c.params, std::pair{name, value}) == 1;
    };
    EXPECT_TRUE(has(callbacks[0], "PartialResults", "true"));
    EXPECT_FALSE(events[1].utterance->final);
    EXPECT_EQ(events[1].utterance->text, "Thank you");
    EXPECT_EQ(events[1].utterance->confidence, std::nullopt) << "Twilio sends none with partials";
    EXPECT_TRUE(events[2].utterance->final);
    EXPECT_EQ(events[2].utterance->text, "Thank you for calling.");
    EXPECT_FALSE(events[3].utterance->final);
    EXPECT_EQ(events[3].utterance->text, "Hi, my parcel");
    EXPECT_EQ(events[4].utterance->text, "Hi, my parcel has not arrived.");
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].sequence, static_cast<std::int64_t>(i) + 1);
        EXPECT_EQ(callbacks[i].delay, Seconds{1} + Seconds{0.5} * static_cast<double>(i));
    }
    EXPECT_EQ(twilio::assemble_rtt_transcript({*events[1].utterance, *events[2].utterance,
                                               *events[3].utterance, *events[4].utterance}),
              "Agent: Thank you for calling.\nCaller: Hi, my parcel has not arrived.")
        << "partials are not part of the transcript";
}

} // namespace
} // namespace callscribe::sandbox
