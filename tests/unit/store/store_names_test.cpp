// The names of the Store's enums: stored in databases and shown to operators, so fixed.

#include "store/store.hpp"

#include <gtest/gtest.h>

namespace callscribe::store {
namespace {

TEST(StoreNames, EveryNameParsesBackToItsValue) {
    for (auto s : {CallStatus::waiting_for_recording, CallStatus::downloading,
                   CallStatus::transcribing, CallStatus::done, CallStatus::gave_up}) {
        EXPECT_EQ(parse_call_status(to_string(s)), s);
    }
    for (auto s : {TranscriptSource::none, TranscriptSource::offline, TranscriptSource::realtime}) {
        EXPECT_EQ(parse_transcript_source(to_string(s)), s);
    }
    for (auto s : {JobStep::resolve, JobStep::download, JobStep::transcribe, JobStep::finished}) {
        EXPECT_EQ(parse_job_step(to_string(s)), s);
    }
    for (auto s : {JobState::queued, JobState::running, JobState::done, JobState::failed}) {
        EXPECT_EQ(parse_job_state(to_string(s)), s);
    }
}

TEST(StoreNames, NamesAreFixed) {
    EXPECT_EQ(to_string(CallStatus::waiting_for_recording), "waiting_for_recording");
    EXPECT_EQ(to_string(CallStatus::gave_up), "gave_up");
    EXPECT_EQ(to_string(TranscriptSource::offline), "offline");
    EXPECT_EQ(to_string(JobStep::transcribe), "transcribe");
    EXPECT_EQ(to_string(Lane::io), "io");
    EXPECT_EQ(to_string(Lane::cpu), "cpu");
    EXPECT_EQ(to_string(JobState::running), "running");
    EXPECT_EQ(to_string(DeliveryState::delivered), "delivered");
}

TEST(StoreNames, UnknownTextDoesNotParse) {
    EXPECT_FALSE(parse_call_status("Done"));
    EXPECT_FALSE(parse_call_status(""));
    EXPECT_FALSE(parse_transcript_source("offline "));
    EXPECT_FALSE(parse_job_step("finish"));
    EXPECT_FALSE(parse_job_state("QUEUED"));
}

} // namespace
} // namespace callscribe::store
