#include "live/media_streams.hpp"
#include "net/url_encoding.hpp"
#include "support/captured_log.hpp"
#include "twilio/signature.hpp"
#include "unit/api/api_fixture.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace callscribe::api::test {
namespace {

class TwilioCallbacks : public ApiFixture {
  protected:
    static net::FormFields recording_status(std::string status = "completed") {
        return {{"AccountSid", k_account},
                {"CallSid", k_call.str()},
                {"RecordingSid", k_recording.str()},
                {"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + k_account +
                                     "/Recordings/" + k_recording.str()},
                {"RecordingStatus", std::move(status)},
                {"RecordingDuration", "53"},
                {"RecordingChannels", "2"},
                {"ErrorCode", "0"}};
    }
    static net::FormFields call_status(std::string status = "completed") {
        return {{"AccountSid", k_account},
                {"CallSid", k_call.str()},
                {"CallStatus", std::move(status)},
                {"From", "+15005550001"},
                {"To", "+15005550006"}};
    }

    std::int64_t job_count() {
        auto counts = store().count_jobs();
        EXPECT_TRUE(counts);
        return counts->queued + counts->running + counts->done + counts->failed;
    }
};

TEST_F(TwilioCallbacks, CompletedRecordingEnqueuesTheJobWithItsRecordingAndWakesTheWorkers) {
    const auto r = signed_post("/twilio/recording-status", recording_status());
    EXPECT_EQ(r.status, 204);
    EXPECT_TRUE(r.body.empty());
    auto job = store().find_job(k_call);
    ASSERT_TRUE(job && *job);
    EXPECT_EQ((*job)->recording_sid, k_recording);
    EXPECT_EQ((*job)->state, store::JobState::queued);
    EXPECT_EQ((*job)->run_at, m_clock.now());
    EXPECT_EQ(m_wakes, 1);
}

TEST_F(TwilioCallbacks, ARetriedCallbackLeavesOneJob) {
    EXPECT_EQ(signed_post("/twilio/recording-status", recording_status()).status, 204);
    EXPECT_EQ(signed_post("/twilio/recording-status", recording_status()).status, 204);
    EXPECT_EQ(signed_post("/twilio/call-status", call_status()).status, 204);
    EXPECT_EQ(job_count(), 1);
}

TEST_F(TwilioCallbacks, TheRecordingCallbackWakesAJobWaitingForTheRecording) {
    // The call ended first; the job found no ready recording and waits 30 s.
    EXPECT_EQ(signed_post("/twilio/call-status", call_status()).status, 204);
    auto held = store().claim_job(store::Lane::io, "w", m_clock.now(), Seconds{60}).value().value();
    held.run_at = m_clock.now() + std::chrono::seconds(30);
    ASSERT_TRUE(store().save_job(held, {}, m_clock.now()).value());
    const int wakes = m_wakes;

    EXPECT_EQ(signed_post("/twilio/recording-status", recording_status()).status, 204);
    const auto job = store().find_job(k_call).value().value();
    EXPECT_EQ(job.run_at, m_clock.now()) << "Twilio said the recording is there: due now";
    EXPECT_EQ(job.recording_sid, k_recording);
    EXPECT_EQ(m_wakes, wakes + 1);
}

TEST_F(TwilioCallbacks, MissingOrBadSignatureIs403AndChangesNothing) {
    const auto fields = recording_status();
    const std::string body = net::encode_form(fields);
    const auto missing = post("/twilio/recording-status", body);
    EXPECT_EQ(missing.status, 403);
    EXPECT_EQ(body_json(missing)["error"], "missing X-Twilio-Signature");
    const auto wrong_token = signed_post("/twilio/recording-status", fields, "another-token");
    EXPECT_EQ(wrong_token.status, 403);
    EXPECT_EQ(body_json(wrong_token)["error"], "X-Twilio-Signature does not match");
    const auto garbage =
        post("/twilio/recording-status", body, {{"x-twilio-signature", "not base64 at all"}});
    EXPECT_EQ(garbage.status, 403);
    // Signed for other parameters than the ones sent.
    auto tampered = recording_status();
    const auto signature = twilio::compute_signature(
        k_public_url + "/twilio/recording-status",
        twilio::FormParams(tampered.begin(), tampered.end()), Secret(k_auth_token));
    tampered[1].second = k_other_call.str();
    EXPECT_EQ(post("/twilio/recording-status", net::encode_form(tampered),
                   {{"x-twilio-signature", signature}})
                  .status,
              403);
    // Signed for another URL (the same path on another host).
    const auto elsewhere = twilio::compute_signature(
        "https://attacker.example/twilio/recording-status",
        twilio::FormParams(fields.begin(), fields.end()), Secret(k_auth_token));
    EXPECT_EQ(post("/twilio/recording-status", body, {{"x-twilio-signature", elsewhere}}).status,
              403);
    EXPECT_EQ(post("/twilio/call-status", net::encode_form(call_status())).status, 403);
    EXPECT_FALSE(find_call(k_call));
    EXPECT_FALSE(find_call(k_other_call));
    EXPECT_EQ(job_count(), 0);
    EXPECT_EQ(m_wakes, 0);
}

TEST_F(TwilioCallbacks, TheSignatureCoversTheRawQuery) {
    const std::string target = "/twilio/recording-status?tenant=a%20b&x=1";
    EXPECT_EQ(signed_post(target, recording_status()).status, 204);
    // The same signature presented without the query does not hold.
    const auto fields = recording_status();
    const auto signature = twilio::compute_signature(
        k_public_url + target, twilio::FormParams(fields.begin(), fields.end()),
        Secret(k_auth_token));
    EXPECT_EQ(post("/twilio/recording-status", net::encode_form(fields),
                   {{"x-twilio-signature", signature}})
                  .status,
              403);
}

TEST_F(TwilioCallbacks, AnotherAccountIs403) {
    auto fields = recording_status();
    fields[0].second = "AC" + std::string(32, 'f');
    EXPECT_EQ(signed_post("/twilio/recording-status", fields).status, 403);
    fields.erase(fields.begin());
    EXPECT_EQ(signed_post("/twilio/recording-status", fields).status, 403);
    EXPECT_FALSE(find_call(k_call));
}

TEST_F(TwilioCallbacks, WithoutAnAuthTokenSignaturesAreNotChecked) {
    m_settings.twilio_auth_token = Secret();
    EXPECT_EQ(post("/twilio/recording-status", net::encode_form(recording_status())).status, 204);
    EXPECT_TRUE(find_call(k_call));
}

TEST_F(TwilioCallbacks, MissingOrMalformedSidsAre400AndChangeNothing) {
    const auto with = [](net::FormFields fields, const std::string& name,
                         const std::string& value) {
        for (auto& [key, v] : fields) {
            if (key == name) v = value;
        }
        return fields;
    };
    const auto without = [](net::FormFields fields, const std::string& name) {
        std::erase_if(fields, [&](const auto& field) { return field.first == name; });
        return fields;
    };
    const auto base = recording_status();
    for (const auto& fields :
         {with(base, "CallSid", "CA123"), with(base, "CallSid", "../../etc/passwd"),
          with(base, "CallSid", "RE0123456789abcdef0123456789abcdef"), without(base, "CallSid"),
          with(base, "RecordingSid", "RE123"), without(base, "RecordingSid"),
          without(base, "RecordingStatus")}) {
        const auto r = signed_post("/twilio/recording-status", fields);
        EXPECT_EQ(r.status, 400) << net::encode_form(fields);
        EXPECT_TRUE(body_json(r).contains("error"));
    }
    EXPECT_EQ(signed_post("/twilio/call-status", with(call_status(), "CallSid", "CA123")).status,
              400);
    EXPECT_EQ(signed_post("/twilio/call-status", without(call_status(), "CallStatus")).status, 400);
    EXPECT_EQ(job_count(), 0);
}

TEST_F(TwilioCallbacks, InProgressAndUnknownRecordingStatusesDoNothing) {
    EXPECT_EQ(signed_post("/twilio/recording-status", recording_status("in-progress")).status, 204);
    EXPECT_EQ(signed_post("/twilio/recording-status", recording_status("paused")).status, 204);
    EXPECT_FALSE(find_call(k_call));
    EXPECT_EQ(m_wakes, 0);
}

TEST_F(TwilioCallbacks, AbsentAndFailedRecordingsStillEnqueueForTheFallbackWebhook) {
    EXPECT_EQ(signed_post("/twilio/recording-status", recording_status("absent")).status, 204);
    auto job = store().find_job(k_call);
    ASSERT_TRUE(job && *job);
    EXPECT_EQ((*job)->recording_sid, k_recording);

    auto failed = recording_status("failed");
    failed[1].second = k_other_call.str();
    std::erase_if(failed, [](const auto& f) { return f.first == "RecordingSid"; });
    EXPECT_EQ(signed_post("/twilio/recording-status", failed).status, 204);
    auto other = store().find_job(k_other_call);
    ASSERT_TRUE(other && *other);
    EXPECT_FALSE((*other)->recording_sid);
}

TEST_F(TwilioCallbacks, EveryEndedCallStatusEnqueues) {
    int n = 0;
    for (const char* status : {"completed", "busy", "failed", "no-answer", "canceled"}) {
        auto fields = call_status(status);
        const CallSid call = *CallSid::parse(fmt::format("CA{:032x}", ++n));
        fields[1].second = call.str();
        EXPECT_EQ(signed_post("/twilio/call-status", fields).status, 204) << status;
        auto job = store().find_job(call);
        ASSERT_TRUE(job && *job) << status;
    }
    EXPECT_EQ(m_wakes, 5);
}

TEST_F(TwilioCallbacks, CallStatusWithARecordingPassesItOn) {
    auto fields = call_status();
    fields.emplace_back("RecordingSid", k_recording.str());
    fields.emplace_back("RecordingUrl", "https://api.twilio.com/…");
    EXPECT_EQ(signed_post("/twilio/call-status", fields).status, 204);
    auto job = store().find_job(k_call);
    ASSERT_TRUE(job && *job);
    EXPECT_EQ((*job)->recording_sid, k_recording);
}

// Credentials go only to TWILIO_API_BASE: the media URL is built from it and the Recording SID
// when the job resolves the recording, never taken from a callback.
TEST_F(TwilioCallbacks, ACallbackSuppliedRecordingUrlIsNeverUsed) {
    auto fields = recording_status();
    for (auto& [name, value] : fields)
        if (name == "RecordingUrl") value = "http://attacker.example/steal";
    EXPECT_EQ(signed_post("/twilio/recording-status", fields).status, 204);
    auto job = store().find_job(k_call);
    ASSERT_TRUE(job && *job);
    EXPECT_EQ((*job)->recording_sid, k_recording);
    EXPECT_EQ((*job)->media_url, "") << "resolved later, from TWILIO_API_BASE";
}

// The call is in the log from its first callback (the page lists it), with no job yet.
TEST_F(TwilioCallbacks, CallsStillInProgressGetTheirDetailsButNoJob) {
    for (const char* status : {"queued", "initiated", "ringing", "answered", "in-progress"}) {
        EXPECT_EQ(signed_post("/twilio/call-status", call_status(status)).status, 204) << status;
        EXPECT_EQ(find_call(k_call)->details.call_status, status);
    }
    EXPECT_EQ(find_call(k_call)->status, store::CallStatus::waiting_for_recording);
    EXPECT_EQ(job_count(), 0);
    EXPECT_EQ(m_wakes, 0);
}

TEST_F(TwilioCallbacks, AreNotBehindTheApiToken) {
    m_settings.api_token = Secret("api-token");
    EXPECT_EQ(signed_post("/twilio/recording-status", recording_status()).status, 204);
}

TEST_F(TwilioCallbacks, OnlyPost) {
    const auto r = get("/twilio/recording-status");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.header("allow"), "POST");
}

// --- the call's details ----------------------------------------------------------------------

TEST_F(TwilioCallbacks, TheCallsDetailsFromItsCallbacksAreKeptAndShown) {
    m_settings.voice_continue = {config::VoiceContinue::Kind::dial_number, "+15551234567"};
    test_support::CapturedLog log;
    auto ringing = call_status("ringing");
    ringing.emplace_back("Direction", "inbound");
    ASSERT_EQ(signed_post("/twilio/voice", ringing).status, 200);
    auto completed = call_status("completed");
    completed.emplace_back("CallDuration", "63");
    ASSERT_EQ(signed_post("/twilio/call-status", completed).status, 204);

    const auto call = body_json(get("/api/calls/" + k_call.str()));
    EXPECT_EQ(call["from"], "+15005550001");
    EXPECT_EQ(call["to"], "+15005550006");
    EXPECT_EQ(call["direction"], "inbound");
    EXPECT_EQ(call["call_status"], "completed");
    EXPECT_EQ(call["call_duration_s"], 63);
    const auto lines = log.lines();
    EXPECT_TRUE(std::ranges::any_of(lines, [](const std::string& l) {
        return l.find("(inbound from +1500…01 to +1500…06)") != std::string::npos;
    }));
    EXPECT_TRUE(std::ranges::none_of(lines, [](const std::string& l) {
        return l.find("+15005550001") != std::string::npos;
    })) << "numbers are masked in logs";
}

TEST_F(TwilioCallbacks, AMalformedCallDurationIsLeftOutNotRefused) {
    auto completed = call_status("completed");
    completed.emplace_back("CallDuration", "sixty");
    EXPECT_EQ(signed_post("/twilio/call-status", completed).status, 204);
    EXPECT_EQ(job_count(), 1);
    EXPECT_EQ(find_call(k_call)->details.duration_s, std::nullopt);
    EXPECT_EQ(find_call(k_call)->details.call_status, "completed");
}

// --- the voice webhook ---------------------------------------------------------------------

net::FormFields incoming_call() {
    return {{"AccountSid", k_account}, {"CallSid", k_call.str()}, {"CallStatus", "ringing"},
            {"Direction", "inbound"},  {"From", "+15005550001"},  {"To", "+15005550006"}};
}

TEST_F(TwilioCallbacks, TheVoiceWebhookAnswersTwimlThatRecordsTranscribesAndGoesOn) {
    m_settings.voice_continue = {config::VoiceContinue::Kind::dial_number, "+15551234567"};
    const auto r = signed_post("/twilio/voice", incoming_call());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/xml; charset=utf-8");
    EXPECT_NE(r.body.find("<Transcription statusCallbackUrl=\"" + k_public_url +
                          "/twilio/transcription-status\""),
              std::string::npos)
        << r.body;
    EXPECT_NE(
        r.body.find("recordingStatusCallback=\"" + k_public_url + "/twilio/recording-status\""),
        std::string::npos);
    EXPECT_NE(r.body.find("<Dial>+15551234567</Dial>"), std::string::npos);
    EXPECT_EQ(job_count(), 0) << "the call has only begun";

    m_settings.twilio_transcription = false;
    const auto without = signed_post("/twilio/voice", incoming_call());
    EXPECT_EQ(without.body.find("<Transcription"), std::string::npos) << "CALLSCRIBE_REALTIME=none";
}

TEST_F(TwilioCallbacks, TheVoiceWebhookIsSignedAndNeedsWhereTheCallGoesOn) {
    test_support::CapturedLog log;
    EXPECT_EQ(signed_post("/twilio/voice", incoming_call(), "another-token").status, 403);
    const auto unset = signed_post("/twilio/voice", incoming_call());
    EXPECT_EQ(unset.status, 503);
    EXPECT_EQ(body_json(unset)["error"], "CALLSCRIBE_VOICE_CONTINUE is not set");
    const auto lines = log.lines();
    EXPECT_EQ(std::ranges::count_if(lines,
                                    [](const auto& l) {
                                        return l.find("CALLSCRIBE_VOICE_CONTINUE is not set") !=
                                               std::string::npos;
                                    }),
              1);
}

TEST_F(TwilioCallbacks, TheMediaStreamRouteTakesOnlyWebSocketUpgradesSignedOverTheWssUrl) {
    test_support::CapturedLog log;
    live::MediaStreams streams(live::MediaStreamSettings{.recordings_dir = m_dir / "recordings"});
    m_media_streams = &streams;

    const auto plain = get("/twilio/media");
    EXPECT_EQ(plain.status, 426);
    EXPECT_EQ(plain.header("upgrade"), "websocket");
    EXPECT_FALSE(plain.websocket);

    auto upgrade = make_request("GET", "/twilio/media");
    upgrade.websocket_upgrade = true;
    EXPECT_EQ(send(upgrade).status, 403) << "no signature";

    // Signed over the https:// URL (a callback's), not the stream's wss:// one.
    auto https_signed = upgrade;
    https_signed.headers.emplace_back(
        "x-twilio-signature",
        twilio::compute_signature(k_public_url + "/twilio/media", {}, Secret(k_auth_token)));
    EXPECT_EQ(send(https_signed).status, 403);
    EXPECT_TRUE(log.contains("[TWILIO] media stream refused: X-Twilio-Signature does not match "
                             "wss://callscribe.example.com/twilio/media"))
        << log.text();

    upgrade.headers.emplace_back(
        "x-twilio-signature", twilio::compute_signature("wss://callscribe.example.com/twilio/media",
                                                        {}, Secret(k_auth_token)));
    const auto accepted = send(upgrade);
    EXPECT_TRUE(accepted.websocket);
}

TEST_F(TwilioCallbacks, WithStreamTheVoiceWebhookStartsAStreamWhoseUpgradeIsAccepted) {
    live::MediaStreams streams(live::MediaStreamSettings{.recordings_dir = m_dir / "recordings"});
    m_media_streams = &streams;
    m_settings.voice_continue = {config::VoiceContinue::Kind::dial_number, "+15551234567"};
    m_settings.twilio_transcription = false;
    m_settings.voice_media_stream = true;
    const auto r = signed_post("/twilio/voice", incoming_call());
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("<Transcription"), std::string::npos) << r.body;
    const std::string stream_url = "wss://callscribe.example.com/twilio/media";
    EXPECT_NE(r.body.find("<Start><Stream url=\"" + stream_url + "\" track=\"both_tracks\"/>"),
              std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find("<Start><Recording channels=\"dual\""), std::string::npos)
        << "Twilio's recording stays the first source of the offline transcript";

    // Twilio signs the upgrade over the URL the TwiML gave it.
    auto upgrade = make_request("GET", "/twilio/media");
    upgrade.websocket_upgrade = true;
    upgrade.headers.emplace_back("x-twilio-signature",
                                 twilio::compute_signature(stream_url, {}, Secret(k_auth_token)));
    EXPECT_TRUE(send(upgrade).websocket);
}

TEST_F(TwilioCallbacks, WithoutMediaStreamsTheRouteIs503) {
    m_settings.twilio_auth_token = Secret();
    auto upgrade = make_request("GET", "/twilio/media");
    upgrade.websocket_upgrade = true;
    EXPECT_EQ(send(upgrade).status, 503);
}

} // namespace
} // namespace callscribe::api::test
