// store::apply(): a CallUpdate changes exactly the members it holds a value for.
#include "store/store.hpp"

#include <gtest/gtest.h>

namespace callscribe::store {
namespace {

CallLog a_call() {
    CallLog call{.call_sid = *CallSid::parse("CA0123456789abcdef0123456789abcdef")};
    call.status = CallStatus::transcribing;
    call.recording_path = "recordings/old.mp3";
    call.recording_bytes = 10;
    call.realtime_transcript = "live";
    call.last_error = "an old error";
    return call;
}

TEST(CallUpdateApply, AnEmptyUpdateChangesNothing) {
    CallLog call = a_call();
    apply(call, CallUpdate{});
    EXPECT_EQ(call.status, CallStatus::transcribing);
    EXPECT_EQ(call.recording_path, "recordings/old.mp3");
    EXPECT_EQ(call.recording_bytes, 10);
    EXPECT_EQ(call.last_error, "an old error");
    EXPECT_FALSE(call.recording_sid);
    EXPECT_FALSE(call.transcript_source);
}

TEST(CallUpdateApply, EveryFieldTheUpdateHoldsIsTaken) {
    CallLog call = a_call();
    const auto recording = *RecordingSid::parse("RE0123456789abcdef0123456789abcdef");
    apply(call, CallUpdate{.status = CallStatus::done,
                           .recording_sid = recording,
                           .recording_path = "recordings/new.wav",
                           .recording_bytes = 2048,
                           .recording_duration_s = 7.5,
                           .recording_channels = 2,
                           .final_transcript = "Caller: hello",
                           .final_transcript_json = "{}",
                           .transcript_source = TranscriptSource::offline,
                           .last_error = ""});
    EXPECT_EQ(call.status, CallStatus::done);
    EXPECT_EQ(call.recording_sid, recording);
    EXPECT_EQ(call.recording_path, "recordings/new.wav");
    EXPECT_EQ(call.recording_bytes, 2048);
    EXPECT_EQ(call.recording_duration_s, 7.5);
    EXPECT_EQ(call.recording_channels, 2);
    EXPECT_EQ(call.final_transcript, "Caller: hello");
    EXPECT_EQ(call.final_transcript_json, "{}");
    EXPECT_EQ(call.transcript_source, TranscriptSource::offline);
    EXPECT_EQ(call.last_error, "") << "an empty last_error clears it";
    EXPECT_EQ(call.realtime_transcript, "live") << "not a field an update carries";
}

} // namespace
} // namespace callscribe::store
