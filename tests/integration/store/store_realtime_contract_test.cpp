// The Store contract for what a call gathers while it is live: realtime transcripts from
// Twilio's Real-Time Transcription (which source wins, the utterances, the sessions' labels) and
// the call's details from Twilio's callbacks. Run against every backend in StoreBackends.

#include "integration/store/store_contract.hpp"

#include <gtest/gtest.h>

namespace callscribe::store::test {
namespace {

template <class Backend> class StoreRealtimeContract : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreRealtimeContract, StoreBackends, BackendName);

TYPED_TEST(StoreRealtimeContract, ARealtimeTranscriptFromTwilioNeverReplacesOnePostedToTheApi) {
    auto& store = this->store();
    const auto twilio = RealtimeSource::twilio_rtt;
    EXPECT_EQ(store.save_realtime_transcript(call_sid(1), "from twilio", at(0), twilio)
                  .value()
                  .realtime_source,
              twilio);
    const CallLog posted = store.save_realtime_transcript(call_sid(1), "posted", at(1)).value();
    EXPECT_EQ(posted.realtime_transcript, "posted");
    EXPECT_EQ(posted.realtime_source, RealtimeSource::api);
    const CallLog kept =
        store.save_realtime_transcript(call_sid(1), "from twilio again", at(2), twilio).value();
    EXPECT_EQ(kept.realtime_transcript, "posted");
    EXPECT_EQ(kept.realtime_source, RealtimeSource::api);
    EXPECT_EQ(kept.updated_at, at(1));
}

TYPED_TEST(StoreRealtimeContract, AMediaStreamsTranscriptIsKeptAndLikeTwiliosNeverReplacesTheApis) {
    auto& store = this->store();
    const auto stream = RealtimeSource::media_stream;
    const CallLog heard =
        store.save_realtime_transcript(call_sid(1), "Caller: hello", at(0), stream).value();
    EXPECT_EQ(heard.realtime_source, stream);
    EXPECT_EQ(store.find_call(call_sid(1)).value()->realtime_source, stream) << "read back";
    store.save_realtime_transcript(call_sid(1), "posted", at(1)).value();
    const CallLog kept =
        store.save_realtime_transcript(call_sid(1), "Caller: hello again", at(2), stream).value();
    EXPECT_EQ(kept.realtime_transcript, "posted");
    EXPECT_EQ(kept.realtime_source, RealtimeSource::api);
}

TYPED_TEST(StoreRealtimeContract, UtterancesAreKeptOncePerSessionAndSequenceAndCreateTheCall) {
    auto& store = this->store();
    const RealtimeUtterance second{
        .session = "GT2", .sequence = 3, .track = "inbound_track", .text = "my order is late"};
    const RealtimeUtterance first{
        .session = "GT2", .sequence = 2, .track = "outbound_track", .text = "thanks for calling"};
    EXPECT_TRUE(store.add_realtime_utterance(call_sid(1), second, at(0)).value());
    EXPECT_TRUE(store.add_realtime_utterance(call_sid(1), first, at(1)).value());
    auto retried = second;
    retried.text = "a retried callback";
    EXPECT_FALSE(store.add_realtime_utterance(call_sid(1), retried, at(2)).value());
    EXPECT_TRUE(store
                    .add_realtime_utterance(call_sid(1),
                                            {.session = "GT1",
                                             .sequence = 3,
                                             .track = "inbound_track",
                                             .text = "a later session"},
                                            at(3))
                    .value());
    // Sessions in the order they began (their SIDs sort otherwise), each by sequence.
    const auto stored = store.realtime_utterances(call_sid(1)).value();
    ASSERT_EQ(stored.size(), 3u);
    EXPECT_EQ(stored[0].text, "thanks for calling");
    EXPECT_EQ(stored[1].text, "my order is late");
    EXPECT_EQ(stored[1].track, "inbound_track");
    EXPECT_EQ(stored[1].sequence, 3);
    EXPECT_EQ(stored[2].text, "a later session");
    EXPECT_EQ(stored[2].session, "GT1");
    EXPECT_EQ(this->call(1).status, CallStatus::waiting_for_recording);
    EXPECT_TRUE(store.realtime_utterances(call_sid(2)).value().empty());
}

TYPED_TEST(StoreRealtimeContract, ASessionsLabelsAreKeptAsFirstRecorded) {
    auto& store = this->store();
    EXPECT_TRUE(
        store.save_realtime_labels(call_sid(1), {.session = "GT1", .inbound = "customer"}, at(0))
            .value());
    EXPECT_FALSE(
        store.save_realtime_labels(call_sid(1), {.session = "GT1", .inbound = "other"}, at(1))
            .value());
    EXPECT_TRUE(
        store.save_realtime_labels(call_sid(1), {.session = "GT0", .outbound = "agent"}, at(2))
            .value());
    const auto labels = store.realtime_labels(call_sid(1)).value();
    ASSERT_EQ(labels.size(), 2u);
    EXPECT_EQ(labels[0].session, "GT1") << "in the order recorded";
    EXPECT_EQ(labels[0].inbound, "customer");
    EXPECT_EQ(labels[0].outbound, "");
    EXPECT_EQ(labels[1].session, "GT0");
    EXPECT_EQ(labels[1].outbound, "agent");
    EXPECT_TRUE(this->store().find_call(call_sid(1)).value());
}

TYPED_TEST(StoreRealtimeContract, CallDetailsCreateTheCallAndKeepWhatALaterCallbackLeftOut) {
    auto& store = this->store();
    const CallLog ringing = store
                                .save_call_details(call_sid(1),
                                                   {.from = "+15005550001",
                                                    .to = "+15005550006",
                                                    .direction = "inbound",
                                                    .call_status = "ringing"},
                                                   at(0))
                                .value();
    EXPECT_EQ(ringing.status, CallStatus::waiting_for_recording);
    EXPECT_EQ(ringing.details.from, "+15005550001");
    EXPECT_EQ(ringing.details.duration_s, std::nullopt);
    EXPECT_FALSE(store.find_job(call_sid(1)).value()) << "details are not a job";

    const CallLog ended =
        store.save_call_details(call_sid(1), {.call_status = "completed", .duration_s = 63}, at(5))
            .value();
    EXPECT_EQ(ended.details.from, "+15005550001") << "kept: the callback did not carry it";
    EXPECT_EQ(ended.details.to, "+15005550006");
    EXPECT_EQ(ended.details.direction, "inbound");
    EXPECT_EQ(ended.details.call_status, "completed");
    EXPECT_EQ(ended.details.duration_s, 63);
    EXPECT_EQ(ended.updated_at, at(5));
    EXPECT_EQ(ended.created_at, at(0));

    // A late, retried "in-progress" does not undo the end.
    const CallLog late =
        store.save_call_details(call_sid(1), {.call_status = "in-progress"}, at(6)).value();
    EXPECT_EQ(late.details.call_status, "completed");
    EXPECT_EQ(late.details.duration_s, 63);
    EXPECT_EQ(describe(this->call(1)), describe(late));
}

} // namespace
} // namespace callscribe::store::test
