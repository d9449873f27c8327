// POST /twilio/transcription-status (Twilio's Real-Time Transcription) and what it feeds:
// the call's realtime transcript and GET /api/calls/{sid}/live.
#include "support/captured_log.hpp"
#include "unit/api/api_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>

namespace callscribe::api::test {
namespace {

using TranscriptionStatus = ApiFixture;

const std::string k_hook = "/twilio/transcription-status";

net::FormFields call_completed() {
    return {{"AccountSid", k_account}, {"CallSid", k_call.str()}, {"CallStatus", "completed"}};
}

const std::string k_session = "GT0a1b2c3d4e5f60718293a4b5c6d7e8f9";

net::FormFields transcription(std::string event, int sequence, net::FormFields extra = {}) {
    net::FormFields fields{{"AccountSid", k_account},
                           {"CallSid", k_call.str()},
                           {"TranscriptionSid", k_session},
                           {"Timestamp", "2026-01-01T00:00:01.500Z"},
                           {"SequenceId", std::to_string(sequence)},
                           {"TranscriptionEvent", std::move(event)}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return fields;
}

net::FormFields said(int sequence, std::string track, std::string text,
                     std::string final = "true") {
    return transcription(
        "transcription-content", sequence,
        {{"LanguageCode", "en-US"},
         {"Track", std::move(track)},
         {"TranscriptionData", nlohmann::json{{"transcript", text}, {"confidence", 0.9}}.dump()},
         {"Final", std::move(final)}});
}

TEST_F(TranscriptionStatus,
       ATranscriptionSessionOutOfOrderWithARepeatBecomesTheRealtimeTranscript) {
    EXPECT_EQ(signed_post(k_hook, transcription("transcription-started", 1,
                                                {{"Track", "both_tracks"},
                                                 {"InboundTrackLabel", "customer"}}))
                  .status,
              204);
    EXPECT_TRUE(find_call(k_call)) << "an unknown call gets its row";
    for (const auto& content :
         {said(4, "outbound_track", "Can I have the order number?"),
          said(2, "outbound_track", "Thank you for calling."),
          said(3, "inbound_track", "Hi, my parcel has not arrived."),
          said(5, "inbound_track", "It is four four", "false"),
          said(5, "inbound_track", "It is four four one seven."),
          said(7, "inbound_track", "Thanks, bye."), said(6, "outbound_track", "It ships tomorrow."),
          said(3, "inbound_track", "Hi, my parcel has not arrived.")}) {
        EXPECT_EQ(signed_post(k_hook, content).status, 204);
    }
    EXPECT_EQ(find_call(k_call)->realtime_transcript, "") << "assembled when the session stops";
    EXPECT_EQ(signed_post(k_hook, transcription("transcription-stopped", 8)).status, 204);
    const auto call = find_call(k_call).value();
    EXPECT_EQ(call.realtime_transcript, "Agent: Thank you for calling.\n"
                                        "customer: Hi, my parcel has not arrived.\n"
                                        "Agent: Can I have the order number?\n"
                                        "customer: It is four four one seven.\n"
                                        "Agent: It ships tomorrow.\n"
                                        "customer: Thanks, bye.");
    EXPECT_EQ(call.realtime_source, store::RealtimeSource::twilio_rtt);
    EXPECT_FALSE(store().find_job(k_call).value()) << "a live transcript is not a job";
}

TEST_F(TranscriptionStatus, ATranscriptPostedToTheApiWinsOverTwilios) {
    ASSERT_TRUE(store().save_realtime_transcript(k_call, "what the agent heard", m_clock.now()));
    EXPECT_EQ(signed_post(k_hook, said(2, "inbound_track", "hello")).status, 204);
    EXPECT_EQ(signed_post(k_hook, transcription("transcription-stopped", 3)).status, 204);
    EXPECT_EQ(find_call(k_call)->realtime_transcript, "what the agent heard");
    EXPECT_EQ(find_call(k_call)->realtime_source, store::RealtimeSource::api);
}

TEST_F(TranscriptionStatus, ATranscriptionCallbackWithABadSignatureOrMalformedDataChangesNothing) {
    test_support::CapturedLog log;
    EXPECT_EQ(signed_post(k_hook, said(2, "inbound_track", "hello"), "another-token").status, 403);
    EXPECT_FALSE(find_call(k_call));
    auto malformed = said(2, "inbound_track", "x");
    malformed[8].second = "{\"transcript\": 12}";
    const auto refused = signed_post(k_hook, malformed);
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(body_json(refused)["error"], "TranscriptionData has no \"transcript\" string");
    const std::string line = "[TWILIO] transcription-status callback for " + k_call.str() +
                             " refused: TranscriptionData has no \"transcript\" string";
    const auto lines = log.lines();
    EXPECT_EQ(std::ranges::count_if(lines, [&](const auto& l) { return l.find(line) != l.npos; }),
              1);
    EXPECT_FALSE(find_call(k_call));
    EXPECT_EQ(signed_post(k_hook, transcription("transcription-paused", 2)).status, 400);
}

TEST_F(TranscriptionStatus, TheLiveRouteShowsFinalUtterancesAndTheLatestPartialOfEachTrack) {
    EXPECT_EQ(get("/api/calls/" + k_call.str() + "/live").status, 404);
    const std::string live = "/api/calls/" + k_call.str() + "/live";
    ASSERT_EQ(signed_post(k_hook, said(1, "outbound_track", "Thank you for calling.")).status, 204);
    ASSERT_EQ(signed_post(k_hook, said(2, "inbound_track", "my parcel", "false")).status, 204);
    ASSERT_EQ(signed_post(k_hook, said(3, "inbound_track", "my parcel has not", "false")).status,
              204);
    auto body = body_json(get(live));
    EXPECT_EQ(body["transcript"], "Agent: Thank you for calling.");
    EXPECT_EQ(body["partials"],
              nlohmann::json::parse(R"([{"speaker": "Caller", "text": "my parcel has not"}])"));
    EXPECT_EQ(body["final"], false);
    EXPECT_EQ(find_call(k_call)->realtime_transcript, "") << "partials are never stored";

    ASSERT_EQ(signed_post(k_hook, said(4, "inbound_track", "My parcel has not arrived.")).status,
              204);
    body = body_json(get(live));
    EXPECT_EQ(body["transcript"],
              "Agent: Thank you for calling.\nCaller: My parcel has not arrived.");
    EXPECT_TRUE(body["partials"].empty()) << "the final utterance replaced the track's partial";

    ASSERT_EQ(signed_post(k_hook, said(5, "outbound_track", "Let me", "false")).status, 204);
    ASSERT_EQ(signed_post(k_hook, transcription("transcription-stopped", 6)).status, 204);
    body = body_json(get(live));
    EXPECT_EQ(body["final"], true);
    EXPECT_EQ(body["transcript"], find_call(k_call)->realtime_transcript);
    EXPECT_TRUE(body["partials"].empty()) << "a stopped session has no partials";
}

// The same view as Server-Sent Events: a watcher woken by every change (after the change is
// stored), an event only when the view changed, the final one last, and no wake once it ended.
TEST_F(TranscriptionStatus, TheLiveRouteAsEventsWakesOnEveryChangeAndEndsWithTheFinalView) {
    const std::string live = "/api/calls/" + k_call.str() + "/live";
    const net::ServerHeaders accept{{"accept", "text/event-stream"}};
    EXPECT_EQ(get(live, accept).status, 404) << "an unknown call is not an empty stream";
    ASSERT_EQ(signed_post(k_hook, said(1, "outbound_track", "Thank you for calling.")).status, 204);

    auto answer = get(live, accept);
    ASSERT_EQ(answer.status, 200);
    ASSERT_TRUE(answer.events);
    auto& events = *answer.events;
    std::atomic<int> wakes{0};
    events.start([&wakes] { ++wakes; });
    const auto event_of = [](const net::EventStream::Events& e) {
        const std::string prefix = "event: live\ndata: ";
        EXPECT_TRUE(e.text.starts_with(prefix) && e.text.ends_with("\n\n")) << e.text;
        return nlohmann::json::parse(e.text.substr(prefix.size()));
    };
    auto got = events.next();
    EXPECT_EQ(event_of(got)["transcript"], "Agent: Thank you for calling.");
    EXPECT_FALSE(got.done);
    EXPECT_EQ(events.next().text, "") << "nothing changed";

    ASSERT_EQ(signed_post(k_hook, said(2, "inbound_track", "my parcel", "false")).status, 204);
    EXPECT_EQ(wakes, 1);
    EXPECT_EQ(event_of(events.next())["partials"][0]["text"], "my parcel");
    ASSERT_EQ(signed_post(k_hook, said(3, "inbound_track", "My parcel is late.")).status, 204);
    EXPECT_EQ(wakes, 2) << "one wake, once the final utterance is stored";
    auto view = event_of(events.next());
    EXPECT_EQ(view["transcript"], "Agent: Thank you for calling.\nCaller: My parcel is late.");
    EXPECT_TRUE(view["partials"].empty());

    ASSERT_EQ(signed_post(k_hook, transcription("transcription-stopped", 4)).status, 204);
    EXPECT_EQ(wakes, 3);
    got = events.next();
    EXPECT_TRUE(got.done) << "the final view is the last event";
    EXPECT_EQ(event_of(got)["final"], true);
    events.end();
    m_live_partials.set(k_call, {.track = twilio::RttTrack::inbound, .text = "late"});
    EXPECT_EQ(wakes, 3) << "no wake after the end";
}

TEST_F(TranscriptionStatus, TheLiveRouteIsBehindTheApiToken) {
    m_settings.api_token = Secret("operator-token");
    ASSERT_EQ(signed_post(k_hook, said(1, "inbound_track", "hello")).status, 204);
    EXPECT_EQ(get("/api/calls/" + k_call.str() + "/live").status, 401);
    EXPECT_EQ(get("/api/calls/CA123/live", {{"authorization", "Bearer operator-token"}}).status,
              400);
}

// Twilio's transcription-stopped callback can come late or never (a lost callback): the call's
// end assembles what arrived, before the offline job that may need it as its fallback is queued.
TEST_F(TranscriptionStatus, TheCallsEndAssemblesTheUtterancesWhenStoppedNeverCame) {
    ASSERT_EQ(signed_post(k_hook, said(2, "inbound_track", "Is anyone there?")).status, 204);
    ASSERT_EQ(signed_post(k_hook, said(3, "outbound_track", "Yes, hello.")).status, 204);
    ASSERT_EQ(signed_post("/twilio/call-status", call_completed()).status, 204);
    const auto call = find_call(k_call).value();
    EXPECT_EQ(call.realtime_transcript, "Caller: Is anyone there?\nAgent: Yes, hello.");
    EXPECT_EQ(call.realtime_source, store::RealtimeSource::twilio_rtt);
    EXPECT_TRUE(store().find_job(k_call).value()) << "and the offline job is queued";

    ASSERT_EQ(signed_post(k_hook, said(4, "inbound_track", "Bye.")).status, 204);
    ASSERT_EQ(signed_post(k_hook, transcription("transcription-stopped", 5)).status, 204);
    EXPECT_EQ(find_call(k_call)->realtime_transcript,
              "Caller: Is anyone there?\nAgent: Yes, hello.\nCaller: Bye.")
        << "a late stopped callback completes it";
}

// Twilio's transcription can be stopped and started again during a call: each session numbers
// its utterances from 1 and has its own labels.
TEST_F(TranscriptionStatus, ASecondSessionFollowsTheFirstWithItsOwnLabels) {
    const auto in_session = [](net::FormFields fields, const std::string& session) {
        for (auto& [name, value] : fields)
            if (name == "TranscriptionSid") value = session;
        return fields;
    };
    const std::string first = "GT" + std::string(32, 'f');
    const std::string later = "GT" + std::string(32, '0'); // its SID sorts first
    for (const auto& fields :
         {in_session(transcription("transcription-started", 1, {{"InboundTrackLabel", "Patient"}}),
                     first),
          in_session(said(2, "inbound_track", "I need a refill."), first),
          in_session(transcription("transcription-stopped", 3), first),
          in_session(transcription("transcription-started", 1), later),
          in_session(said(3, "inbound_track", "Thanks."), later),
          in_session(said(2, "outbound_track", "Sent to your pharmacy."), later),
          in_session(transcription("transcription-stopped", 4), later)}) {
        ASSERT_EQ(signed_post(k_hook, fields).status, 204);
        m_clock.advance(Seconds{1});
    }
    EXPECT_EQ(find_call(k_call)->realtime_transcript,
              "Patient: I need a refill.\nAgent: Sent to your pharmacy.\nCaller: Thanks.");
}

TEST_F(TranscriptionStatus, ACallThatEndsWithoutTwilioTranscriptionKeepsNoRealtimeTranscript) {
    ASSERT_EQ(signed_post("/twilio/call-status", call_completed()).status, 204);
    const auto call = find_call(k_call).value();
    EXPECT_EQ(call.realtime_transcript, "");
    EXPECT_EQ(call.realtime_source, store::RealtimeSource::none);
}

} // namespace
} // namespace callscribe::api::test
