#include "unit/api/api_fixture.hpp"

#include "net/url_encoding.hpp"
#include "stt/formats.hpp"
#include "support/temp_dir.hpp"
#include "twilio/signature.hpp"

namespace callscribe::api::test {

ApiFixture::ApiFixture() {
    auto opened = store::open_store("sqlite://" + (m_dir / "callscribe.db").string());
    if (!opened) throw std::runtime_error(opened.error().message);
    m_store = std::move(*opened);
    m_settings = ApiSettings{.public_url = k_public_url,
                             .api_token = Secret(),
                             .account_sid = k_account,
                             .twilio_auth_token = Secret(k_auth_token),
                             .data_dir = m_dir.path()};
}

Router& ApiFixture::router() {
    if (!m_router) {
        m_context =
            std::make_unique<ApiContext>(ApiContext{.store = *m_store,
                                                    .settings = m_settings,
                                                    .clock = m_clock,
                                                    .wake = [this] { ++m_wakes; },
                                                    .metrics = m_metrics,
                                                    .recording_fallback = m_recording_fallback,
                                                    .live_partials = &m_live_partials,
                                                    .media_streams = m_media_streams});
        m_router = std::make_unique<Router>(make_api_router(*m_context));
    }
    return *m_router;
}

std::optional<store::CallLog> ApiFixture::find_call(const CallSid& call) {
    auto found = m_store->find_call(call);
    EXPECT_TRUE(found) << found.error().message;
    return found ? *found : std::nullopt;
}

void ApiFixture::add_transcribed_call(const CallSid& call, const std::string& recording_bytes) {
    auto enqueued = m_store->enqueue_offline_stt(call, k_recording, m_clock.now());
    ASSERT_TRUE(enqueued);
    auto job = m_store->claim_call_job(call, "test", m_clock.now(), Seconds{60});
    ASSERT_TRUE(job && *job);
    const std::string relative = "recordings/" + call.str() + ".mp3";
    std::filesystem::create_directories(m_dir / "recordings");
    test_support::write_file(m_dir / relative, recording_bytes);
    stt::Transcript transcript;
    transcript.engine = "pocketsphinx";
    transcript.audio_s = 4;
    transcript.segments = {{0.5, 1.5, "Caller", "hello there", {{0.5, 1.0, "hello"}}},
                           {2.0, 3.25, "Agent", "thanks for calling", {}}};
    store::Job finished = **job;
    finished.state = store::JobState::done;
    finished.step = store::JobStep::finished;
    auto saved = m_store->finish_job(
        finished,
        store::CallUpdate{.status = store::CallStatus::done,
                          .recording_path = relative,
                          .recording_bytes = static_cast<std::int64_t>(recording_bytes.size()),
                          .recording_duration_s = 4.0,
                          .recording_channels = 2,
                          .final_transcript = transcript.text(),
                          .final_transcript_json = stt::render(transcript, stt::Format::json),
                          .transcript_source = store::TranscriptSource::offline},
        std::nullopt, m_clock.now());
    ASSERT_TRUE(saved && *saved);
}

net::ServerResponse ApiFixture::signed_post(const std::string& target,
                                            const net::FormFields& fields,
                                            const std::string& token) {
    const auto signature = twilio::compute_signature(
        k_public_url + target, twilio::FormParams(fields.begin(), fields.end()), Secret(token));
    return post(
        target, net::encode_form(fields),
        {{"content-type", "application/x-www-form-urlencoded"}, {"x-twilio-signature", signature}});
}

nlohmann::json ApiFixture::body_json(const net::ServerResponse& response) {
    auto parsed = nlohmann::json::parse(response.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << response.body;
    return parsed;
}

} // namespace callscribe::api::test
