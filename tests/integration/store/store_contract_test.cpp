// The Store contract (store/store.hpp), run against every backend in StoreBackends: the call
// log, jobs and their leases, durability and concurrency. The webhook outbox is in
// store_outbox_contract_test.cpp. Time is passed in: at(s) is s seconds after a fixed origin.
// Nothing sleeps.

#include "integration/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

namespace callscribe::store::test {
namespace {

TYPED_TEST_SUITE(StoreContract, StoreBackends, BackendName);

// --- call log ---------------------------------------------------------------------------------

TYPED_TEST(StoreContract, UnknownCallHasNoLogAndNoJob) {
    EXPECT_FALSE(this->store().find_call(call_sid(1)).value());
    EXPECT_FALSE(this->store().find_job(call_sid(1)).value());
    EXPECT_TRUE(this->store().list_calls({}).value().empty());
    EXPECT_TRUE(this->store().find_webhooks(call_sid(1)).value().empty());
}

TYPED_TEST(StoreContract, RealtimeTranscriptCreatesTheCallThenReplacesItsText) {
    const CallLog created =
        this->store().save_realtime_transcript(call_sid(1), "hello", at(0)).value();
    EXPECT_EQ(created.status, CallStatus::waiting_for_recording);
    EXPECT_EQ(created.realtime_transcript, "hello");
    EXPECT_EQ(created.created_at, at(0));

    const CallLog updated =
        this->store().save_realtime_transcript(call_sid(1), "hello again", at(5)).value();
    EXPECT_EQ(updated.realtime_transcript, "hello again");
    EXPECT_EQ(updated.created_at, at(0));
    EXPECT_EQ(updated.updated_at, at(5));
    EXPECT_EQ(describe(this->call(1)), describe(updated));
    EXPECT_FALSE(this->store().find_job(call_sid(1)).value()) << "a transcript is not a job";
}

TYPED_TEST(StoreContract, ListsNewestFirstWithStatusFilterAndCursor) {
    // Calls 1..5 one second apart; 6 and 7 share call 5's time (ties: call_sid descending).
    for (int n = 1; n <= 7; ++n) {
        this->enqueue(n, at(std::min(n, 5)));
    }
    Job held = this->claim(Lane::io, "w", at(10)); // call 1, the earliest
    ASSERT_TRUE(this->finish(held, at(11), "msg_1"));

    auto sids = [](const std::vector<CallLog>& calls) {
        std::vector<std::string> out;
        for (const auto& c : calls)
            out.push_back(c.call_sid.str().substr(30));
        return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(sids(this->store().list_calls({}).value()),
              (V{"0007", "0006", "0005", "0004", "0003", "0002", "0001"}));

    CallQuery page{.limit = 3};
    EXPECT_EQ(sids(this->store().list_calls(page).value()), (V{"0007", "0006", "0005"}));
    page.before = call_sid(5);
    EXPECT_EQ(sids(this->store().list_calls(page).value()), (V{"0004", "0003", "0002"}));
    page.before = call_sid(2);
    EXPECT_EQ(sids(this->store().list_calls(page).value()), (V{"0001"}));
    page.before = call_sid(1);
    EXPECT_TRUE(this->store().list_calls(page).value().empty());

    EXPECT_EQ(sids(this->store().list_calls({.status = CallStatus::done}).value()), (V{"0001"}));
    EXPECT_EQ(sids(this->store()
                       .list_calls({.status = CallStatus::waiting_for_recording,
                                    .limit = 2,
                                    .before = call_sid(6)})
                       .value()),
              (V{"0005", "0004"}));
    EXPECT_TRUE(this->store().list_calls({.limit = 0}).value().empty());
}

TYPED_TEST(StoreContract, TimesRoundTripToTheMicrosecond) {
    const TimePoint odd = at(1) + std::chrono::nanoseconds(123'456'789);
    const TimePoint micro = std::chrono::floor<std::chrono::microseconds>(odd);
    this->enqueue(1, odd);
    EXPECT_EQ(this->call(1).created_at, micro);
    const Job job = this->job(1);
    EXPECT_EQ(job.run_at, micro);
    EXPECT_EQ(job.created_at, micro);

    const Job held = this->claim(Lane::io, "w", micro);
    EXPECT_EQ(held.lease_expires, micro + std::chrono::seconds(60));
    // A time before 1970 survives too.
    const TimePoint old = TimePoint{} - std::chrono::microseconds(1'500'001);
    this->store().save_realtime_transcript(call_sid(2), "x", old).value();
    EXPECT_EQ(this->call(2).created_at, old);
}

// --- enqueue ----------------------------------------------------------------------------------

TYPED_TEST(StoreContract, EnqueueCreatesTheCallAndAJobDueNow) {
    const auto result = this->store().enqueue_offline_stt(call_sid(1), recording_sid(9), at(3));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_TRUE(result->created);
    const Job& job = result->job;
    EXPECT_GT(job.id, 0);
    EXPECT_EQ(job.call_sid, call_sid(1));
    EXPECT_EQ(job.state, JobState::queued);
    EXPECT_EQ(job.step, JobStep::resolve);
    EXPECT_EQ(job.lane, Lane::io);
    EXPECT_EQ(job.recording_sid, recording_sid(9));
    EXPECT_EQ(job.run_at, at(3));
    EXPECT_EQ(job.generation, 0);
    EXPECT_EQ(job.lease_owner, "");
    EXPECT_EQ(describe(this->job(1)), describe(job));

    const CallLog call = this->call(1);
    EXPECT_EQ(call.status, CallStatus::waiting_for_recording);
    EXPECT_EQ(call.recording_sid, recording_sid(9));
    EXPECT_EQ(call.created_at, at(3));
}

TYPED_TEST(StoreContract, EnqueueTwiceKeepsOneJob) {
    const Job first = this->enqueue(1, at(0));
    const auto again = this->store().enqueue_offline_stt(call_sid(1), std::nullopt, at(9)).value();
    EXPECT_FALSE(again.created);
    EXPECT_EQ(describe(again.job), describe(first));
    EXPECT_EQ(this->store().count_jobs().value().queued, 1);
}

TYPED_TEST(StoreContract, EnqueueAgainFillsInAMissingRecordingSidOnly) {
    this->enqueue(1, at(0));
    const auto filled = this->store().enqueue_offline_stt(call_sid(1), recording_sid(1), at(1));
    ASSERT_TRUE(filled);
    EXPECT_FALSE(filled->created);
    EXPECT_EQ(filled->job.recording_sid, recording_sid(1));
    EXPECT_EQ(filled->job.run_at, at(0)) << "otherwise unchanged";
    EXPECT_EQ(this->call(1).recording_sid, recording_sid(1));

    const auto kept = this->store().enqueue_offline_stt(call_sid(1), recording_sid(2), at(2));
    EXPECT_EQ(kept.value().job.recording_sid, recording_sid(1));
    EXPECT_EQ(this->call(1).recording_sid, recording_sid(1));
}

TYPED_TEST(StoreContract, TheRecordingArrivingMakesAJobWaitingForItDueNow) {
    this->enqueue(1, at(0));
    Job waiting = this->claim(Lane::io, "w", at(0));
    waiting.run_at = at(30); // "not ready yet, will retry in 30s"
    ASSERT_TRUE(this->store().save_job(waiting, {}, at(0)).value());

    // A callback without the recording changes nothing; the recording-status callback does.
    const auto no_recording = this->store().enqueue_offline_stt(call_sid(1), std::nullopt, at(2));
    EXPECT_FALSE(no_recording.value().hurried);
    EXPECT_EQ(this->job(1).run_at, at(30));
    const auto ready = this->store().enqueue_offline_stt(call_sid(1), recording_sid(1), at(3));
    ASSERT_TRUE(ready);
    EXPECT_FALSE(ready->created);
    EXPECT_TRUE(ready->hurried);
    EXPECT_EQ(ready->job.run_at, at(3));
    EXPECT_EQ(ready->job.recording_sid, recording_sid(1));
    EXPECT_EQ(this->claim(Lane::io, "w", at(3)).call_sid, call_sid(1));
}

TYPED_TEST(StoreContract, ARunningDueOrTranscribingJobIsNotHurried) {
    this->enqueue(1, at(0));
    const auto due = this->store().enqueue_offline_stt(call_sid(1), recording_sid(1), at(1));
    EXPECT_FALSE(due.value().hurried) << "already due";
    Job held = this->claim(Lane::io, "w", at(1));
    EXPECT_FALSE(
        this->store().enqueue_offline_stt(call_sid(1), recording_sid(1), at(2)).value().hurried)
        << "running";
    held.step = JobStep::transcribe;
    held.lane = Lane::cpu;
    held.run_at = at(50);
    ASSERT_TRUE(this->store().save_job(held, {}, at(2)).value());
    EXPECT_FALSE(
        this->store().enqueue_offline_stt(call_sid(1), recording_sid(1), at(3)).value().hurried)
        << "past the download";
    EXPECT_EQ(this->job(1).run_at, at(50));
}

TYPED_TEST(StoreContract, EnqueueKeepsWhatAnExistingCallHolds) {
    this->store().save_realtime_transcript(call_sid(1), "live words", at(0)).value();
    const auto result = this->store().enqueue_offline_stt(call_sid(1), recording_sid(1), at(4));
    EXPECT_TRUE(result.value().created);
    const CallLog call = this->call(1);
    EXPECT_EQ(call.realtime_transcript, "live words");
    EXPECT_EQ(call.created_at, at(0));
    EXPECT_EQ(call.recording_sid, recording_sid(1));
}

// --- claims and leases ------------------------------------------------------------------------

TYPED_TEST(StoreContract, ClaimTakesADueJobOfItsLaneAndLeasesIt) {
    this->enqueue(1, at(10));
    EXPECT_FALSE(this->try_claim(Lane::io, "w1", at(9))) << "not due yet";
    EXPECT_FALSE(this->try_claim(Lane::cpu, "w1", at(10))) << "another lane";

    const Job held = this->claim(Lane::io, "w1", at(10));
    EXPECT_EQ(held.state, JobState::running);
    EXPECT_EQ(held.lease_owner, "w1");
    EXPECT_EQ(held.lease_expires, at(70));
    EXPECT_EQ(describe(this->job(1)), describe(held));
    EXPECT_EQ(this->store().count_jobs().value().running, 1);
}

TYPED_TEST(StoreContract, ClaimTakesTheEarliestRunAtFirst) {
    this->enqueue(1, at(3));
    this->enqueue(2, at(1));
    this->enqueue(3, at(2));
    EXPECT_EQ(this->claim(Lane::io, "w", at(5)).call_sid, call_sid(2));
    EXPECT_EQ(this->claim(Lane::io, "w", at(5)).call_sid, call_sid(3));
    EXPECT_EQ(this->claim(Lane::io, "w", at(5)).call_sid, call_sid(1));
    EXPECT_FALSE(this->try_claim(Lane::io, "w", at(5)));
}

TYPED_TEST(StoreContract, ALeasedJobIsNotClaimedAgainUntilTheLeaseExpires) {
    this->enqueue(1, at(0));
    const Job held = this->claim(Lane::io, "w1", at(0));
    EXPECT_FALSE(this->try_claim(Lane::io, "w2", at(1)));
    EXPECT_FALSE(this->try_claim(Lane::io, "w2", at(59.9)));
    const Job taken = this->claim(Lane::io, "w2", held.lease_expires);
    EXPECT_EQ(taken.id, held.id);
    EXPECT_EQ(taken.lease_owner, "w2");
}

TYPED_TEST(StoreContract, ClaimingOneCallsJobLeavesTheOthersAlone) {
    this->enqueue(1, at(0));
    this->enqueue(2, at(0));
    auto& store = this->store();
    auto mine = store.claim_call_job(call_sid(2), "cli", at(1), Seconds{60}).value();
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->call_sid, call_sid(2));
    EXPECT_EQ(mine->lease_owner, "cli");
    // Held: not again until the lease runs out; the other call's job is still free.
    EXPECT_FALSE(store.claim_call_job(call_sid(2), "cli", at(2), Seconds{60}).value());
    EXPECT_EQ(this->claim(Lane::io, "w1", at(2)).call_sid, call_sid(1));
    EXPECT_TRUE(store.claim_call_job(call_sid(2), "other", at(61), Seconds{60}).value());
    // A job that is not due yet, and a call without a job, give nothing.
    this->enqueue(3, at(100));
    EXPECT_FALSE(store.claim_call_job(call_sid(3), "cli", at(99), Seconds{60}).value());
    EXPECT_FALSE(store.claim_call_job(call_sid(4), "cli", at(99), Seconds{60}).value());
}

TYPED_TEST(StoreContract, AnOwnerWhoseLeaseWasTakenOverIsRefusedAndChangesNothing) {
    this->enqueue(1, at(0));
    Job zombie = this->claim(Lane::io, "w1", at(0));
    const Job taken = this->claim(Lane::io, "w2", at(61));
    const std::string job_before = describe(this->job(1));
    const std::string call_before = describe(this->call(1));

    EXPECT_FALSE(this->store().renew_job_lease(zombie, at(500)).value());
    zombie.step = JobStep::transcribe;
    EXPECT_FALSE(
        this->store()
            .save_job(zombie, {.status = CallStatus::transcribing, .last_error = "x"}, at(62))
            .value());
    EXPECT_FALSE(this->finish(zombie, at(63), "msg_zombie"));

    EXPECT_EQ(describe(this->job(1)), job_before);
    EXPECT_EQ(describe(this->call(1)), call_before);
    EXPECT_TRUE(this->store().find_webhooks(call_sid(1)).value().empty());
    // The new holder is unaffected.
    EXPECT_TRUE(this->store().renew_job_lease(taken, at(200)).value());
    EXPECT_TRUE(this->finish(taken, at(64), "msg_1"));
}

TYPED_TEST(StoreContract, RenewExtendsTheLease) {
    this->enqueue(1, at(0));
    const Job held = this->claim(Lane::io, "w1", at(0));
    ASSERT_TRUE(this->store().renew_job_lease(held, at(120)).value());
    EXPECT_EQ(this->job(1).lease_expires, at(120));
    EXPECT_FALSE(this->try_claim(Lane::io, "w2", at(119)));
    EXPECT_EQ(this->claim(Lane::io, "w2", at(120)).lease_owner, "w2");
}

TYPED_TEST(StoreContract, AReleasedOrUnclaimedJobCannotBeSavedOrRenewed) {
    Job queued = this->enqueue(1, at(0));
    queued.lease_owner = "w1";
    EXPECT_FALSE(this->store().renew_job_lease(queued, at(9)).value());
    EXPECT_FALSE(this->store().save_job(queued, {}, at(1)).value());

    const Job held = this->claim(Lane::io, "w1", at(0));
    ASSERT_TRUE(this->store().save_job(held, {}, at(1)).value());
    EXPECT_FALSE(this->store().save_job(held, {}, at(2)).value()) << "already released";
    EXPECT_FALSE(this->store().renew_job_lease(held, at(9)).value());
}

// --- progress ---------------------------------------------------------------------------------

TYPED_TEST(StoreContract, SaveJobQueuesTheProgressAndTheNextClaimResumesIt) {
    this->store().save_realtime_transcript(call_sid(1), "live", at(0)).value();
    this->enqueue(1, at(0));
    Job held = this->claim(Lane::io, "w1", at(1));
    held.step = JobStep::transcribe;
    held.lane = Lane::cpu;
    held.recording_sid = recording_sid(7);
    held.media_url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE7";
    held.ready_attempts = 2;
    held.transient_attempts = 1;
    held.format_index = 1;
    held.run_at = at(30);
    const CallUpdate update{.status = CallStatus::transcribing,
                            .recording_sid = recording_sid(7),
                            .recording_path = "recordings/CA1.mp3",
                            .recording_bytes = 524288,
                            .recording_duration_s = 12.5,
                            .recording_channels = 2,
                            .last_error = "not ready"};
    ASSERT_TRUE(this->store().save_job(held, update, at(2)).value());

    const Job saved = this->job(1);
    EXPECT_EQ(saved.state, JobState::queued);
    EXPECT_EQ(saved.lease_owner, "");
    EXPECT_EQ(saved.updated_at, at(2));
    EXPECT_EQ(saved.run_at, at(30));
    EXPECT_FALSE(this->try_claim(Lane::cpu, "w2", at(29)));
    EXPECT_FALSE(this->try_claim(Lane::io, "w2", at(30))) << "moved to the cpu lane";

    const Job resumed = this->claim(Lane::cpu, "w2", at(30));
    EXPECT_EQ(resumed.step, JobStep::transcribe);
    EXPECT_EQ(resumed.recording_sid, recording_sid(7));
    EXPECT_EQ(resumed.media_url, held.media_url);
    EXPECT_EQ(resumed.ready_attempts, 2);
    EXPECT_EQ(resumed.transient_attempts, 1);
    EXPECT_EQ(resumed.format_index, 1);

    const CallLog call = this->call(1);
    EXPECT_EQ(call.status, CallStatus::transcribing);
    EXPECT_EQ(call.recording_sid, recording_sid(7));
    EXPECT_EQ(call.recording_path, "recordings/CA1.mp3");
    EXPECT_EQ(call.recording_bytes, 524288);
    EXPECT_EQ(call.recording_duration_s, 12.5);
    EXPECT_EQ(call.recording_channels, 2);
    EXPECT_EQ(call.last_error, "not ready");
    EXPECT_EQ(call.realtime_transcript, "live") << "not in the update";
    EXPECT_EQ(call.final_transcript, "");
    EXPECT_EQ(call.updated_at, at(2));
}

TYPED_TEST(StoreContract, SaveJobWritesOnlyTheCallFieldsGiven) {
    this->enqueue(1, at(0), recording_sid(1));
    Job held = this->claim(Lane::io, "w", at(0));
    ASSERT_TRUE(this->store().save_job(held, {.last_error = "boom"}, at(1)).value());
    const CallLog before = this->call(1);
    held = this->claim(Lane::io, "w", at(1));
    ASSERT_TRUE(this->store().save_job(held, {.last_error = ""}, at(2)).value());
    CallLog after = this->call(1);
    EXPECT_EQ(after.last_error, "") << "an empty text clears";
    EXPECT_EQ(after.updated_at, at(2));
    after.last_error = before.last_error;
    after.updated_at = before.updated_at;
    EXPECT_EQ(describe(after), describe(before));
}

TYPED_TEST(StoreContract, FinishJobWritesTheCallAndTheWebhookTogether) {
    this->enqueue(1, at(0));
    const Job held = this->claim(Lane::io, "w", at(0));
    ASSERT_TRUE(this->finish(held, at(5), "msg_1", R"({"a":1})"));

    const Job done = this->job(1);
    EXPECT_EQ(done.state, JobState::done);
    EXPECT_EQ(done.step, JobStep::finished);
    EXPECT_EQ(done.lease_owner, "");
    const CallLog call = this->call(1);
    EXPECT_EQ(call.status, CallStatus::done);
    EXPECT_EQ(call.final_transcript, "hello");
    EXPECT_EQ(call.transcript_source, TranscriptSource::offline);
    const auto webhooks = this->store().find_webhooks(call_sid(1)).value();
    ASSERT_EQ(webhooks.size(), 1u);
    EXPECT_EQ(webhooks[0].id, "msg_1");
    EXPECT_EQ(webhooks[0].payload, R"({"a":1})");
    EXPECT_EQ(webhooks[0].state, DeliveryState::pending);
    EXPECT_EQ(webhooks[0].created_at, at(5));

    EXPECT_FALSE(this->try_claim(Lane::io, "w", at(1000))) << "a finished job is not due";
    const auto counts = this->store().count_jobs().value();
    EXPECT_EQ(counts.done, 1);
    EXPECT_EQ(counts.queued + counts.running + counts.failed, 0);
}

TYPED_TEST(StoreContract, AFailedJobEndsWithoutAWebhookWhenNoneIsGiven) {
    this->enqueue(1, at(0));
    Job held = this->claim(Lane::io, "w", at(0));
    held.state = JobState::failed;
    ASSERT_TRUE(this->store()
                    .finish_job(held, {.status = CallStatus::gave_up, .last_error = "gave up"},
                                std::nullopt, at(1))
                    .value());
    EXPECT_EQ(this->job(1).state, JobState::failed);
    EXPECT_EQ(this->call(1).status, CallStatus::gave_up);
    EXPECT_TRUE(this->store().find_webhooks(call_sid(1)).value().empty());
    EXPECT_EQ(this->store().count_jobs().value().failed, 1);
}

TYPED_TEST(StoreContract, AWebhookIdIsStoredOnce) {
    this->enqueue(1, at(0));
    ASSERT_TRUE(this->finish(this->claim(Lane::io, "w", at(0)), at(1), "msg_1", "first"));
    this->store().restart_job(call_sid(1), JobStep::transcribe, at(2)).value();
    ASSERT_TRUE(this->finish(this->claim(Lane::cpu, "w", at(2)), at(3), "msg_1", "second"));
    const auto webhooks = this->store().find_webhooks(call_sid(1)).value();
    ASSERT_EQ(webhooks.size(), 1u);
    EXPECT_EQ(webhooks[0].payload, "first");
    EXPECT_EQ(webhooks[0].created_at, at(1));
    EXPECT_EQ(this->job(1).state, JobState::done) << "the rest of the transaction still happened";
}

// --- restart ----------------------------------------------------------------------------------

TYPED_TEST(StoreContract, RestartRunsTheJobAgainFromTheGivenStep) {
    EXPECT_FALSE(this->store().restart_job(call_sid(1), JobStep::resolve, at(0)).value());
    this->enqueue(1, at(0));
    Job held = this->claim(Lane::io, "w", at(0));
    held.state = JobState::failed;
    held.ready_attempts = 5;
    held.transient_attempts = 2;
    held.format_index = 2;
    ASSERT_TRUE(this->store()
                    .finish_job(held, {.status = CallStatus::gave_up, .last_error = "gave up"},
                                std::nullopt, at(1))
                    .value());

    const auto again = this->store().restart_job(call_sid(1), JobStep::transcribe, at(7)).value();
    ASSERT_TRUE(again);
    EXPECT_EQ(describe(this->job(1)), describe(*again));
    EXPECT_EQ(again->id, held.id);
    EXPECT_EQ(again->state, JobState::queued);
    EXPECT_EQ(again->step, JobStep::transcribe);
    EXPECT_EQ(again->lane, Lane::cpu);
    EXPECT_EQ(again->ready_attempts + again->transient_attempts + again->format_index, 0);
    EXPECT_EQ(again->generation, 1);
    EXPECT_EQ(again->run_at, at(7));
    EXPECT_EQ(this->call(1).status, CallStatus::transcribing);
    EXPECT_EQ(this->call(1).last_error, "");

    const auto from_start = this->store().restart_job(call_sid(1), JobStep::resolve, at(8));
    EXPECT_EQ(from_start.value()->lane, Lane::io);
    EXPECT_EQ(from_start.value()->generation, 2);
    EXPECT_EQ(this->call(1).status, CallStatus::waiting_for_recording);
    EXPECT_EQ(this->claim(Lane::io, "w", at(8)).step, JobStep::resolve);
}

TYPED_TEST(StoreContract, RestartClearsTheTranscriptSourceAndKeepsTheTranscript) {
    this->enqueue(1, at(0));
    ASSERT_TRUE(this->finish(this->claim(Lane::io, "w", at(0)), at(1), "msg_1"));
    this->store().restart_job(call_sid(1), JobStep::transcribe, at(2)).value();
    const CallLog call = this->call(1);
    EXPECT_EQ(call.transcript_source, std::nullopt);
    EXPECT_EQ(call.final_transcript, "hello");
}

TYPED_TEST(StoreContract, RestartTakesTheLeaseFromARunningHolder) {
    this->enqueue(1, at(0));
    const Job stale = this->claim(Lane::io, "w1", at(0));
    this->store().restart_job(call_sid(1), JobStep::resolve, at(1)).value();
    EXPECT_FALSE(this->store().save_job(stale, {}, at(2)).value());

    // Even a new claim by the same owner does not revive the old generation's saves.
    const Job fresh = this->claim(Lane::io, "w1", at(2));
    EXPECT_EQ(fresh.generation, 1);
    EXPECT_FALSE(this->store().renew_job_lease(stale, at(100)).value());
    EXPECT_FALSE(this->finish(stale, at(3), "msg_stale"));
    EXPECT_TRUE(this->store().save_job(fresh, {}, at(3)).value());
}

// --- when to look again -----------------------------------------------------------------------

TYPED_TEST(StoreContract, NextJobDueIsTheEarliestRunAtOrLeaseExpiryOfItsLane) {
    EXPECT_FALSE(this->store().next_job_due(Lane::io).value());
    this->enqueue(1, at(20));
    this->enqueue(2, at(10));
    EXPECT_EQ(this->store().next_job_due(Lane::io).value(), at(10));
    EXPECT_FALSE(this->store().next_job_due(Lane::cpu).value());

    const Job held = this->claim(Lane::io, "w", at(10)); // call 2, lease until 70
    EXPECT_EQ(this->store().next_job_due(Lane::io).value(), at(20));
    Job first = this->claim(Lane::io, "w", at(20)); // call 1, lease until 80
    EXPECT_EQ(this->store().next_job_due(Lane::io).value(), at(70)) << "a lease expiry";

    first.lane = Lane::cpu;
    first.run_at = at(50);
    ASSERT_TRUE(this->store().save_job(first, {}, at(21)).value());
    EXPECT_EQ(this->store().next_job_due(Lane::cpu).value(), at(50));
    ASSERT_TRUE(this->finish(held, at(22), "msg_2"));
    EXPECT_FALSE(this->store().next_job_due(Lane::io).value());
}
// --- durability and concurrency ---------------------------------------------------------------

TYPED_TEST(StoreContract, ReopeningKeepsEverything) {
    this->store().save_realtime_transcript(call_sid(1), "live", at(0)).value();
    this->enqueue(1, at(0), recording_sid(1));
    this->enqueue(2, at(1));
    this->enqueue(3, at(2));
    ASSERT_TRUE(this->finish(this->claim(Lane::io, "w", at(3)), at(4), "msg_1"));
    Job second = this->claim(Lane::io, "w", at(5));
    second.step = JobStep::download;
    second.media_url = "https://example.test/RE";
    ASSERT_TRUE(this->store().save_job(second, {.status = CallStatus::downloading}, at(6)).value());
    this->claim(Lane::io, "w", at(7)); // still held when the "process" ends

    auto snapshot = [&](Store& store) {
        std::string out = describe(store.list_calls({}).value());
        for (int n = 1; n <= 3; ++n) {
            out += describe(store.find_job(call_sid(n)).value()) + "\n";
            out += describe(store.find_webhooks(call_sid(n)).value());
        }
        const auto counts = store.count_jobs().value();
        out +=
            fmt::format("{} {} {} {}\n", counts.queued, counts.running, counts.done, counts.failed);
        out += show(store.next_job_due(Lane::io).value()) + show(store.next_webhook_due().value());
        return out;
    };
    const std::string before = snapshot(this->store());
    this->m_store.reset();
    auto reopened = this->m_backend.open();
    EXPECT_EQ(snapshot(*reopened), before);
}

TYPED_TEST(StoreContract, StoresOnOneDatabaseRacingClaimsTakeEachJobOnce) {
    constexpr int k_jobs = 40;
    for (int n = 1; n <= k_jobs; ++n) {
        this->enqueue(n, at(n % 7));
    }
    // Two Store objects on one database, as two processes would have; two threads on each.
    auto other = this->m_backend.open();
    std::vector<Store*> stores{&this->store(), other.get(), &this->store(), other.get()};
    std::vector<std::vector<std::int64_t>> taken(stores.size());
    std::vector<std::string> errors(stores.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < stores.size(); ++i) {
        threads.emplace_back([&, i] {
            const std::string owner = fmt::format("worker-{}", i);
            for (;;) {
                auto job = stores[i]->claim_job(Lane::io, owner, at(100), k_lease);
                if (!job) {
                    errors[i] = job.error().message;
                    return;
                }
                if (!*job) return;
                taken[i].push_back((*job)->id);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();

    std::multiset<std::int64_t> all;
    for (std::size_t i = 0; i < stores.size(); ++i) {
        EXPECT_EQ(errors[i], "");
        all.insert(taken[i].begin(), taken[i].end());
    }
    EXPECT_EQ(all.size(), std::size_t{k_jobs});
    EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), std::size_t{k_jobs})
        << "a job was claimed twice";
    EXPECT_EQ(this->store().count_jobs().value().running, k_jobs);
}

} // namespace
} // namespace callscribe::store::test
