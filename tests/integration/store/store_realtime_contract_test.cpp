// The Store contract for realtime transcripts from Twilio's Real-Time Transcription: which
// source wins, the utterances and the sessions' labels. Run against every backend in
// StoreBackends.

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

} // namespace
} // namespace callscribe::store::test
