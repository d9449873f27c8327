// GET /api/calls/{sid}/download when the recording is not on this machine's disk: fetched from a
// scripted Twilio on 127.0.0.1 over real HTTP, saved into the recordings folder, served from
// there.
#include "api/recording_fallback.hpp"
#include "core/base64.hpp"
#include "fakes/fake_http_server.hpp"
#include "fakes/scripted_twilio.hpp"
#include "net/curl/curl_http_client.hpp"
#include "support/temp_dir.hpp"
#include "unit/api/api_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace callscribe::api::test {
namespace {

using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using fakes::ScriptedTwilio;
using namespace std::chrono_literals;

class RecordingFallbackTest : public ApiFixture {
  protected:
    RecordingFallbackTest() {
        m_api = std::make_unique<twilio::RecordingApi>(
            fakes::twilio_settings("http://127.0.0.1:" + std::to_string(m_server.port())), m_http);
        m_fallback =
            std::make_unique<RecordingFallback>(*m_api, m_dir / "recordings", Seconds{10}, m_clock);
        m_recording_fallback = m_fallback.get();
    }

    void add_call(std::optional<RecordingSid> recording) {
        ASSERT_TRUE(store().enqueue_offline_stt(fakes::k_call, recording, m_clock.now()));
    }
    net::ServerResponse download(net::ServerHeaders headers = {}) {
        return get("/api/calls/" + fakes::k_call.str() + "/download", std::move(headers));
    }
    int media_requests() {
        std::lock_guard lock(m_twilio.mutex);
        return m_twilio.media_requests;
    }
    // Neither Twilio's address nor any credential appears in the answer.
    void expect_nothing_of_twilio(const net::ServerResponse& response) {
        std::string all = response.body;
        for (const auto& [name, value] : response.headers)
            all += name + ": " + value + "\n";
        for (const std::string& secret :
             {fakes::k_token, fakes::basic_auth_header().substr(6), fakes::k_account,
              std::to_string(m_server.port()), std::string("127.0.0.1")})
            EXPECT_EQ(all.find(secret), std::string::npos) << secret << " in " << all;
    }
    std::vector<std::filesystem::path> recordings() {
        std::vector<std::filesystem::path> found;
        for (const auto& entry : std::filesystem::directory_iterator(m_dir / "recordings"))
            found.push_back(entry.path().filename());
        return found;
    }

    ScriptedTwilio m_twilio;
    FakeHttpServer m_server{[this](const FakeRequest& r) { return m_twilio.answer(r); }};
    net::curl::CurlHttpClient m_http;
    std::unique_ptr<twilio::RecordingApi> m_api;
    std::unique_ptr<RecordingFallback> m_fallback;
};

TEST_F(RecordingFallbackTest, FetchesTheRecordingOnceAndServesItFromDisk) {
    add_call(fakes::k_recording);
    const auto first = download();
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_TRUE(first.file);
    EXPECT_EQ(test_support::read_file(first.file->path), fakes::audio_bytes());
    EXPECT_EQ(first.header("content-type"), "audio/mpeg");
    expect_nothing_of_twilio(first);
    EXPECT_EQ(recordings(), std::vector<std::filesystem::path>{fakes::k_call.str() + ".mp3"});

    const auto part = download({{"range", "bytes=0-9"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.file->length, 10u);
    EXPECT_EQ(media_requests(), 1) << "the second request was served from disk";
}

TEST_F(RecordingFallbackTest, A404MovesOnToTheNextFormAtOnce) {
    m_twilio.media = [](int, const std::string& form) {
        if (form == ".mp3")
            return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, fakes::audio_bytes()};
        return FakeResponse::json(404, R"({"code":20404,"message":"not found","status":404})");
    };
    add_call(fakes::k_recording);
    const auto response = download();
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(media_requests(), 2);
}

TEST_F(RecordingFallbackTest, RefusedCredentialsAre502WithoutTwilioDetails) {
    m_twilio.media = [](int, const std::string&) {
        return FakeResponse::json(401, R"({"code":20003,"message":"Authenticate","status":401})");
    };
    add_call(fakes::k_recording);
    const auto response = download();
    EXPECT_EQ(response.status, 502);
    EXPECT_NE(body_json(response)["error"].get<std::string>().find("credentials"),
              std::string::npos);
    expect_nothing_of_twilio(response);
    EXPECT_TRUE(recordings().empty());
}

TEST_F(RecordingFallbackTest, WithoutARecordingSidItIsNotKnownYet) {
    add_call(std::nullopt);
    const auto response = download();
    EXPECT_EQ(response.status, 404);
    EXPECT_NE(body_json(response)["error"].get<std::string>().find("not known yet"),
              std::string::npos);
    EXPECT_EQ(media_requests(), 0);
}

TEST_F(RecordingFallbackTest, ConcurrentRequestsDownloadOnce) {
    m_twilio.media = [](int, const std::string&) {
        FakeResponse slow{200, {{"Content-Type", "audio/mpeg"}}, fakes::audio_bytes()};
        slow.delay = 300ms;
        return slow;
    };
    add_call(fakes::k_recording);
    router(); // built before the threads share it
    std::vector<int> statuses(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < statuses.size(); ++i)
        threads.emplace_back([&, i] { statuses[i] = download().status; });
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(statuses, std::vector<int>(4, 200));
    EXPECT_EQ(media_requests(), 1);
    EXPECT_EQ(recordings().size(), 1u);
}

} // namespace
} // namespace callscribe::api::test
