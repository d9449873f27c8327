#include "stt/openai/openai_engine.hpp"

#include "fakes/fake_stt_server.hpp"
#include "net/curl/curl_http_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace callscribe::stt::openai {
namespace {

using fakes::FakeResponse;
using fakes::FakeSttServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path k_mp3 =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt01.mp3";
const std::filesystem::path k_wav =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt01.wav";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

class OpenAiEngineTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(std::filesystem::exists(k_mp3)) << k_mp3; }

    // An engine against `server` whose waits are recorded in m_sleeps instead of slept.
    std::unique_ptr<OpenAiEngine> engine_for(const std::string& base_url, std::string api_key = {},
                                             int max_attempts = 4) {
        OpenAiSettings settings;
        settings.base_url = base_url;
        settings.api_key = Secret{std::move(api_key)};
        settings.max_attempts = max_attempts;
        settings.timeout = Seconds{20};
        return std::make_unique<OpenAiEngine>(std::move(settings), m_http, [this](Seconds wait) {
            m_sleeps.push_back(wait.count());
        });
    }

    Result<Transcript> transcribe(const OpenAiEngine& engine,
                                  const std::filesystem::path& file = k_mp3) {
        return engine.make_transcriber()->transcribe(file);
    }

    std::shared_ptr<net::HttpClient> m_http = std::make_shared<net::curl::CurlHttpClient>();
    std::vector<double> m_sleeps;
};

TEST_F(OpenAiEngineTest, HappyPathGivesSegmentsWordsAndText) {
    FakeSttServer server;
    auto engine = engine_for(server.base_url());
    EXPECT_EQ(engine->name(), "openai");

    auto transcript = transcribe(*engine);
    ASSERT_TRUE(transcript) << transcript.error().message;
    EXPECT_EQ(transcript->engine, "openai");
    EXPECT_DOUBLE_EQ(transcript->audio_s, 5.0);
    ASSERT_EQ(transcript->segments.size(), 2u);
    EXPECT_EQ(transcript->segments[0].text, "Hello there.");
    EXPECT_DOUBLE_EQ(transcript->segments[0].start_s, 0.0);
    EXPECT_DOUBLE_EQ(transcript->segments[0].end_s, 2.5);
    EXPECT_EQ(transcript->segments[1].text, "How can I help you today?");
    EXPECT_EQ(transcript->segments[0].speaker, "");
    ASSERT_EQ(transcript->segments[0].words.size(), 2u);
    EXPECT_EQ(transcript->segments[0].words[1].text, "there");
    EXPECT_DOUBLE_EQ(transcript->segments[0].words[1].start_s, 0.5);
    ASSERT_EQ(transcript->segments[1].words.size(), 6u);
    EXPECT_EQ(transcript->segments[1].words[5].text, "today");
    EXPECT_EQ(transcript->text(), "Hello there. How can I help you today?");
    EXPECT_TRUE(m_sleeps.empty());
}

TEST_F(OpenAiEngineTest, SendsBearerKeyModelAndVerboseJsonFields) {
    FakeSttServer server("sk-test-123");
    OpenAiSettings settings{.base_url = server.base_url() + "/", // a trailing slash is fine
                            .model = "whisper-large-v3",
                            .api_key = Secret{"sk-test-123"},
                            .language = "en"};
    OpenAiEngine engine(settings, m_http,
                        [this](Seconds wait) { m_sleeps.push_back(wait.count()); });
    auto transcript = transcribe(engine);
    ASSERT_TRUE(transcript) << transcript.error().message;

    const auto uploads = server.uploads();
    ASSERT_EQ(uploads.size(), 1u);
    EXPECT_EQ(uploads[0].authorization, "Bearer sk-test-123");
    EXPECT_EQ(uploads[0].model, "whisper-large-v3");
    EXPECT_EQ(uploads[0].language, "en");
    EXPECT_EQ(uploads[0].response_format, "verbose_json");
    EXPECT_THAT(uploads[0].timestamp_granularities, ElementsAre("segment", "word"));
}

TEST_F(OpenAiEngineTest, DefaultsToWhisper1WithoutKeyOrLanguage) {
    FakeSttServer server;
    auto transcript = transcribe(*engine_for(server.base_url()));
    ASSERT_TRUE(transcript) << transcript.error().message;
    const auto uploads = server.uploads();
    ASSERT_EQ(uploads.size(), 1u);
    EXPECT_EQ(uploads[0].model, "whisper-1");
    EXPECT_EQ(uploads[0].authorization, std::nullopt);
    EXPECT_EQ(uploads[0].language, std::nullopt);
}

TEST_F(OpenAiEngineTest, UploadsTheWholeFileWithItsNameAndType) {
    FakeSttServer server;
    auto engine = engine_for(server.base_url() + "/v1"); // a base URL ending in /v1 is fine too
    ASSERT_TRUE(transcribe(*engine, k_mp3));
    ASSERT_TRUE(transcribe(*engine, k_wav));

    const auto uploads = server.uploads();
    ASSERT_EQ(uploads.size(), 2u);
    const std::string mp3 = read_file(k_mp3);
    ASSERT_GT(mp3.size(), 1000u);
    EXPECT_EQ(uploads[0].file.size(), mp3.size());
    EXPECT_TRUE(uploads[0].file == mp3);
    EXPECT_EQ(uploads[0].filename, "flt01.mp3");
    EXPECT_EQ(uploads[0].content_type, "audio/mpeg");
    EXPECT_EQ(uploads[1].file.size(), std::filesystem::file_size(k_wav));
    EXPECT_EQ(uploads[1].filename, "flt01.wav");
    EXPECT_EQ(uploads[1].content_type, "audio/wav");
}

TEST_F(OpenAiEngineTest, RateLimitWaitsForRetryAfterThenSucceeds) {
    FakeSttServer server;
    server.queue_failures(2, 429, {{"Retry-After", "7"}});
    auto transcript = transcribe(*engine_for(server.base_url()));
    ASSERT_TRUE(transcript) << transcript.error().message;
    EXPECT_EQ(transcript->segments.size(), 2u);
    EXPECT_THAT(m_sleeps, ElementsAre(7.0, 7.0));
    EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(OpenAiEngineTest, ServerErrorIsRetriedWithJitteredBackoffThenSucceeds) {
    FakeSttServer server;
    server.queue_failures(2, 503);
    auto transcript = transcribe(*engine_for(server.base_url()));
    ASSERT_TRUE(transcript) << transcript.error().message;
    ASSERT_EQ(m_sleeps.size(), 2u);
    EXPECT_GE(m_sleeps[0], 0.0);
    EXPECT_LE(m_sleeps[0], 1.0); // initial_backoff
    EXPECT_GE(m_sleeps[1], 0.0);
    EXPECT_LE(m_sleeps[1], 2.0); // doubled
    EXPECT_EQ(server.request_count(), 3u);
    // Every attempt carried the whole file.
    for (const auto& upload : server.uploads())
        EXPECT_EQ(upload.file.size(), std::filesystem::file_size(k_mp3));
}

TEST_F(OpenAiEngineTest, AttemptsExhaustedIsARetryableError) {
    FakeSttServer server;
    server.queue_failures(4, 503);
    auto transcript = transcribe(*engine_for(server.base_url(), {}, 4));
    ASSERT_FALSE(transcript);
    EXPECT_TRUE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr("503"));
    EXPECT_THAT(transcript.error().message, HasSubstr("gave up after 4 attempts"));
    EXPECT_EQ(server.request_count(), 4u);
    EXPECT_EQ(m_sleeps.size(), 3u);
}

TEST_F(OpenAiEngineTest, BadRequestIsNotRetriedAndCarriesTheServiceMessage) {
    FakeSttServer server;
    server.queue_response(FakeResponse::json(
        400, FakeSttServer::error_json("Invalid file format. Supported formats: ['flac', 'mp3']",
                                       "invalid_request_error")));
    auto transcript = transcribe(*engine_for(server.base_url()));
    ASSERT_FALSE(transcript);
    EXPECT_FALSE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message,
                HasSubstr("400: Invalid file format. Supported formats: ['flac', 'mp3']"));
    EXPECT_THAT(transcript.error().message,
                HasSubstr(server.base_url() + "/v1/audio/transcriptions"));
    EXPECT_EQ(transcript.error().message.find('\n'), std::string::npos);
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_TRUE(m_sleeps.empty());
}

TEST_F(OpenAiEngineTest, WrongApiKeyIsANonRetryableError) {
    FakeSttServer server("sk-right");
    auto transcript = transcribe(*engine_for(server.base_url(), "sk-wrong"));
    ASSERT_FALSE(transcript);
    EXPECT_FALSE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr("401: Incorrect API key provided."));
    EXPECT_THAT(transcript.error().message, ::testing::Not(HasSubstr("sk-wrong")));
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_TRUE(server.uploads().empty());
}

TEST_F(OpenAiEngineTest, NonJsonSuccessBodyIsAClearError) {
    FakeSttServer server;
    server.queue_response(FakeResponse::text(200, "<html>proxy says hi</html>"));
    auto transcript = transcribe(*engine_for(server.base_url()));
    ASSERT_FALSE(transcript);
    EXPECT_FALSE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr("not JSON"));
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(OpenAiEngineTest, WrongShapedSuccessBodyIsAClearError) {
    FakeSttServer server;
    server.queue_response(FakeResponse::json(200, R"({"text":"hi","segments":[{"start":"0"}]})"));
    auto transcript = transcribe(*engine_for(server.base_url()));
    ASSERT_FALSE(transcript);
    EXPECT_FALSE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr("segment 0"));
}

TEST_F(OpenAiEngineTest, HangUpIsRetriedThenSucceeds) {
    FakeSttServer server;
    FakeResponse hang_up;
    hang_up.close_without_answer = true;
    server.queue_response(hang_up);
    auto transcript = transcribe(*engine_for(server.base_url()));
    ASSERT_TRUE(transcript) << transcript.error().message;
    EXPECT_EQ(m_sleeps.size(), 1u);
    EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(OpenAiEngineTest, UnreachableServiceIsARetryableError) {
    const std::string base = "http://127.0.0.1:" + std::to_string(fakes::closed_port());
    auto transcript = transcribe(*engine_for(base, "sk-secret", 2));
    ASSERT_FALSE(transcript);
    EXPECT_TRUE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr(base + "/v1/audio/transcriptions"));
    EXPECT_THAT(transcript.error().message, HasSubstr("gave up after 2 attempts"));
    EXPECT_THAT(transcript.error().message, ::testing::Not(HasSubstr("sk-secret")));
    EXPECT_EQ(m_sleeps.size(), 1u);
}

TEST_F(OpenAiEngineTest, MissingRecordingIsANonRetryableErrorWithoutARequest) {
    FakeSttServer server;
    auto transcript = transcribe(*engine_for(server.base_url()), "/nonexistent/CA1.mp3");
    ASSERT_FALSE(transcript);
    EXPECT_FALSE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr("/nonexistent/CA1.mp3"));
    EXPECT_EQ(server.request_count(), 0u);
}

} // namespace
} // namespace callscribe::stt::openai
