#include "stt/formats.hpp"
#include "unit/api/api_fixture.hpp"
#include "webhook/payload.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace callscribe::api::test {
namespace {

using json = nlohmann::json;

class CallRoutes : public ApiFixture {
  protected:
    CallSid numbered(int n) { return *CallSid::parse(fmt::format("CA{:032x}", n)); }

    // n calls, one second apart: numbered(1) is the oldest.
    void add_calls(int n) {
        for (int i = 1; i <= n; ++i) {
            ASSERT_TRUE(store().enqueue_offline_stt(numbered(i), std::nullopt, m_clock.now()));
            m_clock.advance(Seconds{1});
        }
    }
};

TEST_F(CallRoutes, ListIsNewestFirstWithACursor) {
    add_calls(5);
    auto page = get("/api/calls?limit=2");
    ASSERT_EQ(page.status, 200) << page.body;
    auto body = body_json(page);
    ASSERT_EQ(body["calls"].size(), 2u);
    EXPECT_EQ(body["calls"][0]["call_sid"], numbered(5).str());
    EXPECT_EQ(body["calls"][1]["call_sid"], numbered(4).str());
    EXPECT_EQ(body["next_before"], numbered(4).str());

    body = body_json(get("/api/calls?limit=2&before=" + body["next_before"].get<std::string>()));
    ASSERT_EQ(body["calls"].size(), 2u);
    EXPECT_EQ(body["calls"][0]["call_sid"], numbered(3).str());
    body = body_json(get("/api/calls?limit=2&before=" + body["next_before"].get<std::string>()));
    ASSERT_EQ(body["calls"].size(), 1u);
    EXPECT_EQ(body["calls"][0]["call_sid"], numbered(1).str());
    EXPECT_TRUE(body["next_before"].is_null());

    body = body_json(get("/api/calls"));
    EXPECT_EQ(body["calls"].size(), 5u);
    EXPECT_TRUE(body["next_before"].is_null());
}

// The page's list shows each call's webhook state without a request per call.
TEST_F(CallRoutes, ListShowsEachCallsWebhooksAndWhetherWebhooksAreConfigured) {
    m_settings.webhook_configured = true;
    add_calls(1);
    ASSERT_TRUE(store().enqueue_offline_stt(k_call, std::nullopt, m_clock.now()));
    auto job = store().claim_call_job(k_call, "test", m_clock.now(), Seconds{60}).value().value();
    job.state = store::JobState::failed;
    job.step = store::JobStep::finished;
    const auto call = store().find_call(k_call).value().value();
    ASSERT_TRUE(store().finish_job(
        job, {.status = store::CallStatus::gave_up},
        webhook::make_delivery(call, 0, {store::TranscriptSource::none, ""}, {}, m_clock.now()),
        m_clock.now()));
    const auto body = body_json(get("/api/calls"));
    EXPECT_EQ(body["webhook_configured"], true);
    ASSERT_EQ(body["calls"].size(), 2u);
    EXPECT_EQ(body["calls"][0]["call_sid"], k_call.str());
    ASSERT_EQ(body["calls"][0]["webhooks"].size(), 1u);
    EXPECT_EQ(body["calls"][0]["webhooks"][0]["state"], "pending");
    EXPECT_EQ(body["calls"][0]["webhooks"][0]["id"], "msg_" + k_call.str() + "_0");
    EXPECT_EQ(body["calls"][1]["webhooks"], json::array());
}

TEST_F(CallRoutes, ListFiltersByStatus) {
    add_calls(2);
    add_transcribed_call(k_call, "ID3 audio");
    auto body = body_json(get("/api/calls?status=done"));
    ASSERT_EQ(body["calls"].size(), 1u);
    EXPECT_EQ(body["calls"][0]["call_sid"], k_call.str());
    EXPECT_EQ(body["calls"][0]["status"], "done");
    EXPECT_EQ(body_json(get("/api/calls?status=waiting_for_recording"))["calls"].size(), 2u);
    EXPECT_EQ(body_json(get("/api/calls?status=gave_up"))["calls"].size(), 0u);
}

TEST_F(CallRoutes, ListRejectsBadParameters) {
    for (const char* query : {"status=finished", "limit=0", "limit=201", "limit=ten",
                              "limit=", "limit=-1", "limit=5x", "before=CA123", "before=..%2F"}) {
        const auto r = get(std::string("/api/calls?") + query);
        EXPECT_EQ(r.status, 400) << query;
        EXPECT_TRUE(body_json(r).contains("error")) << query;
    }
}

TEST_F(CallRoutes, OneCallShowsItsLogJobAndWebhooks) {
    add_transcribed_call(k_call, "ID3 audio");
    const auto r = get("/api/calls/" + k_call.str());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto body = body_json(r);
    EXPECT_EQ(body["call_sid"], k_call.str());
    EXPECT_EQ(body["status"], "done");
    EXPECT_EQ(body["recording_sid"], k_recording.str());
    EXPECT_EQ(body["recording"]["on_disk"], true);
    EXPECT_EQ(body["recording"]["bytes"], 9);
    EXPECT_EQ(body["recording"]["channels"], 2);
    EXPECT_EQ(body["recording"]["download_url"], "/api/calls/" + k_call.str() + "/download");
    EXPECT_EQ(body["transcript_source"], "offline");
    EXPECT_EQ(body["final_transcript"], "Caller: hello there\nAgent: thanks for calling");
    EXPECT_EQ(body["created_at"], "2026-01-01T00:00:00Z");
    EXPECT_EQ(body["job"]["state"], "done");
    EXPECT_EQ(body["job"]["step"], "finished");
    EXPECT_EQ(body["job"]["ready_attempts"], 0);
    EXPECT_TRUE(body["job"]["lease_owner"].is_null());
    EXPECT_TRUE(body["webhooks"].is_array());
    EXPECT_EQ(body["webhook_configured"], false) << "the page says so instead of \"delivered\"";
    EXPECT_FALSE(body.contains("final_transcript_json"));
}

TEST_F(CallRoutes, AJobWaitingForTwilioShowsItsAttemptsAndWhenItRunsNext) {
    ASSERT_TRUE(store().enqueue_offline_stt(k_call, k_recording, m_clock.now()));
    auto job = store().claim_call_job(k_call, "host:1:serve", m_clock.now(), Seconds{60});
    ASSERT_TRUE(job && *job);
    store::Job waiting = **job;
    waiting.ready_attempts = 2;
    waiting.run_at = m_clock.now() + std::chrono::seconds(5);
    ASSERT_TRUE(
        store().save_job(waiting, store::CallUpdate{.last_error = "not ready"}, m_clock.now()));
    const auto body = body_json(get("/api/calls/" + k_call.str()));
    EXPECT_EQ(body["job"]["state"], "queued");
    EXPECT_EQ(body["job"]["step"], "resolve");
    EXPECT_EQ(body["job"]["ready_attempts"], 2);
    EXPECT_EQ(body["job"]["run_at"], "2026-01-01T00:00:05Z");
    EXPECT_EQ(body["job"]["last_error"], "not ready");
    EXPECT_EQ(body["job"]["recording_sid"], k_recording.str());
}

TEST_F(CallRoutes, UnknownCallsAre404) {
    for (const std::string suffix : {"", "/transcript", "/download"}) {
        const auto r = get("/api/calls/" + k_call.str() + suffix);
        EXPECT_EQ(r.status, 404) << suffix;
        EXPECT_EQ(body_json(r)["error"], "no call " + k_call.str());
    }
    EXPECT_EQ(post("/api/calls/" + k_call.str() + "/retranscribe").status, 404);
    EXPECT_FALSE(find_call(k_call));
}

TEST_F(CallRoutes, MalformedSidsAre400AndTouchNothing) {
    add_transcribed_call(k_call, "ID3 audio");
    for (const std::string sid :
         {"CA123", "..%2F..%2Fetc", "..%2F..%2Fetc%2Fpasswd", "%2E%2E", "..",
          "RE0123456789abcdef0123456789abcdef", "CA0123456789abcdef0123456789abcdeg",
          "ca0123456789abcdef0123456789abcdef", "CA0123456789abcdef0123456789abcdef%00",
          "CA0123456789abcdef0123456789abcdef0", "%43A0123456789abcdef0123456789abcde"}) {
        for (const std::string suffix : {"", "/transcript", "/download"}) {
            const auto r = get("/api/calls/" + sid + suffix);
            EXPECT_EQ(r.status, 400) << sid << suffix;
            EXPECT_EQ(body_json(r)["error"], "not a Call SID (CA + 32 hex digits)");
        }
        EXPECT_EQ(post("/api/calls/" + sid + "/end", "{}").status, 400) << sid;
        EXPECT_EQ(post("/api/calls/" + sid + "/retranscribe").status, 400) << sid;
    }
    auto counts = store().count_jobs();
    ASSERT_TRUE(counts);
    EXPECT_EQ(counts->done, 1);
    EXPECT_EQ(counts->queued, 0);
}

TEST_F(CallRoutes, EndSavesTheRealtimeTranscriptAndEnqueues) {
    const auto r = post(
        "/api/calls/" + k_call.str() + "/end",
        json{{"realtime_transcript", "hello from the agent"}, {"recording_sid", k_recording.str()}}
            .dump());
    ASSERT_EQ(r.status, 202) << r.body;
    const auto body = body_json(r);
    EXPECT_EQ(body["created"], true);
    EXPECT_EQ(body["call"]["realtime_transcript"], "hello from the agent");
    EXPECT_EQ(body["job"]["state"], "queued");
    EXPECT_EQ(body["job"]["recording_sid"], k_recording.str());
    EXPECT_EQ(m_wakes, 1);
    const auto call = find_call(k_call);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->realtime_transcript, "hello from the agent");

    // Again (the agent retried): still one job, the transcript updated.
    const auto again = post("/api/calls/" + k_call.str() + "/end",
                            json{{"realtime_transcript", "hello again"}}.dump());
    EXPECT_EQ(again.status, 202);
    EXPECT_EQ(body_json(again)["created"], false);
    EXPECT_EQ(find_call(k_call)->realtime_transcript, "hello again");
}

TEST_F(CallRoutes, EndWithoutATranscriptOnlyEnqueues) {
    EXPECT_EQ(post("/api/calls/" + k_call.str() + "/end", "{}").status, 202);
    EXPECT_EQ(post("/api/calls/" + k_other_call.str() + "/end",
                   R"({"realtime_transcript": null, "recording_sid": null})")
                  .status,
              202);
    auto job = store().find_job(k_call);
    ASSERT_TRUE(job && *job);
    EXPECT_FALSE((*job)->recording_sid);
}

TEST_F(CallRoutes, EndRejectsBadBodies) {
    for (const std::string body :
         {"", "not json", "[1, 2]", "\"text\"", "{\"realtime_transcript\": 5}",
          "{\"realtime_transcript\": [\"a\"]}", "{\"recording_sid\": \"RE123\"}",
          "{\"recording_sid\": 7}", "{\"recording_sid\": \"CA0123456789abcdef0123456789abcdef\"}",
          "{\"realtime_transcript\": \"unterminated}"}) {
        const auto r = post("/api/calls/" + k_call.str() + "/end", body);
        EXPECT_EQ(r.status, 400) << body;
        EXPECT_TRUE(body_json(r).contains("error")) << body;
    }
    EXPECT_FALSE(find_call(k_call));
}

TEST_F(CallRoutes, RetranscribeFromTheRecordingOnDisk) {
    add_transcribed_call(k_call, "ID3 audio");
    const auto r = post("/api/calls/" + k_call.str() + "/retranscribe");
    ASSERT_EQ(r.status, 202) << r.body;
    const auto body = body_json(r);
    EXPECT_EQ(body["from"], "transcribe");
    EXPECT_EQ(body["job"]["state"], "queued");
    EXPECT_EQ(body["job"]["step"], "transcribe");
    EXPECT_EQ(body["job"]["lane"], "cpu");
    EXPECT_EQ(body["job"]["generation"], 1);
    EXPECT_EQ(m_wakes, 1);
}

TEST_F(CallRoutes, RetranscribeWithoutTheRecordingStartsFromResolve) {
    add_transcribed_call(k_call, "ID3 audio");
    std::filesystem::remove(m_dir / ("recordings/" + k_call.str() + ".mp3"));
    const auto body = body_json(post("/api/calls/" + k_call.str() + "/retranscribe"));
    EXPECT_EQ(body["from"], "resolve");
    EXPECT_EQ(body["job"]["step"], "resolve");
    EXPECT_EQ(body["job"]["lane"], "io");
}

TEST_F(CallRoutes, RetranscribeACallWithoutAJobCreatesIt) {
    ASSERT_TRUE(store().save_realtime_transcript(k_call, "heard live", m_clock.now()));
    const auto r = post("/api/calls/" + k_call.str() + "/retranscribe");
    EXPECT_EQ(r.status, 202) << r.body;
    auto job = store().find_job(k_call);
    ASSERT_TRUE(job && *job);
}

TEST_F(CallRoutes, TranscriptInEveryFormat) {
    add_transcribed_call(k_call, "ID3 audio");
    const std::string base = "/api/calls/" + k_call.str() + "/transcript";
    auto txt = get(base);
    ASSERT_EQ(txt.status, 200) << txt.body;
    EXPECT_EQ(txt.header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(txt.body, "Caller: hello there\nAgent: thanks for calling\n");
    EXPECT_EQ(get(base + "?format=txt").body, txt.body);

    auto as_json = get(base + "?format=json");
    EXPECT_EQ(as_json.header("content-type"), "application/json");
    EXPECT_EQ(body_json(as_json)["segments"].size(), 2u);
    EXPECT_EQ(body_json(as_json)["segments"][0]["words"][0]["word"], "hello");

    auto srt = get(base + "?format=srt");
    EXPECT_EQ(srt.header("content-type"), "application/x-subrip; charset=utf-8");
    EXPECT_EQ(srt.body, "1\n00:00:00,500 --> 00:00:01,500\nCaller: hello there\n\n"
                        "2\n00:00:02,000 --> 00:00:03,250\nAgent: thanks for calling\n\n");

    auto vtt = get(base + "?format=vtt");
    EXPECT_EQ(vtt.header("content-type"), "text/vtt; charset=utf-8");
    EXPECT_EQ(vtt.body, "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\n<v Caller>hello there\n\n"
                        "00:00:02.000 --> 00:00:03.250\n<v Agent>thanks for calling\n\n");
}

TEST_F(CallRoutes, TranscriptInAnUnknownFormatIs400) {
    add_transcribed_call(k_call, "ID3 audio");
    for (const char* format : {"pdf", "TXT", "", "vtt%00"}) {
        const auto r = get("/api/calls/" + k_call.str() + "/transcript?format=" + format);
        EXPECT_EQ(r.status, 400) << format;
        EXPECT_EQ(body_json(r)["error"], "format must be txt, json, srt or vtt");
    }
}

TEST_F(CallRoutes, NoTranscriptYetIs404SayingWhy) {
    ASSERT_TRUE(store().save_realtime_transcript(k_call, "heard live", m_clock.now()));
    ASSERT_TRUE(store().enqueue_offline_stt(k_call, std::nullopt, m_clock.now()));
    const auto r = get("/api/calls/" + k_call.str() + "/transcript?format=vtt");
    EXPECT_EQ(r.status, 404);
    const std::string error = body_json(r)["error"];
    EXPECT_NE(error.find("no transcript yet: the call is waiting for Twilio to finish its "
                         "recording"),
              std::string::npos)
        << error;
    EXPECT_NE(error.find("realtime transcript is in GET /api/calls/" + k_call.str()),
              std::string::npos)
        << error;
}

TEST_F(CallRoutes, AGivenUpCallSaysWhyItHasNoTranscript) {
    ASSERT_TRUE(store().enqueue_offline_stt(k_call, k_recording, m_clock.now()));
    auto job = store().claim_call_job(k_call, "test", m_clock.now(), Seconds{60});
    ASSERT_TRUE(job && *job);
    store::Job failed = **job;
    failed.state = store::JobState::failed;
    failed.step = store::JobStep::finished;
    ASSERT_TRUE(store().finish_job(failed,
                                   store::CallUpdate{.status = store::CallStatus::gave_up,
                                                     .last_error = "recording RE… is absent"},
                                   std::nullopt, m_clock.now()));
    const auto r = get("/api/calls/" + k_call.str() + "/transcript");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(body_json(r)["error"],
              "no transcript: the offline job gave up (recording RE… is absent)");
}

} // namespace
} // namespace callscribe::api::test
