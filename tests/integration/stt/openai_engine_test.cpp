#include "stt/openai/openai_engine.hpp"

#include "audio/wav_writer.hpp"
#include "fakes/fake_stt_server.hpp"
#include "integration/audio/audio_test_support.hpp"
#include "net/curl/curl_http_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sndfile.h>

#include <fstream>
#include <iterator>

namespace callscribe::stt::openai {
namespace {

using fakes::FakeResponse;
using fakes::FakeSttReply;
using fakes::FakeSttServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path k_mp3 =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt01.mp3";
const std::filesystem::path k_wav =
    std::filesystem::path(CALLSCRIBE_EVAL_DIR) / "synth/phone/flt01.wav";

using test_support::read_file;

class OpenAiEngineTest : public audio::testing::TempDirTest {
  protected:
    void SetUp() override {
        TempDirTest::SetUp();
        m_scratch = path("scratch");
        ASSERT_TRUE(std::filesystem::exists(k_mp3)) << k_mp3;
    }

    // An engine against `server` whose waits are recorded in m_sleeps instead of slept.
    std::unique_ptr<OpenAiEngine> engine_for(const std::string& base_url, std::string api_key = {},
                                             int max_attempts = 4) {
        OpenAiSettings settings;
        settings.base_url = base_url;
        settings.api_key = Secret{std::move(api_key)};
        settings.max_attempts = max_attempts;
        return engine_with(std::move(settings));
    }

    std::unique_ptr<OpenAiEngine> engine_with(OpenAiSettings settings) {
        settings.timeout = Seconds{20};
        return std::make_unique<OpenAiEngine>(std::move(settings), m_http, [this](Seconds wait) {
            m_sleeps.push_back(wait.count());
        });
    }

    // An engine whose channel files go to a folder of the test's own, m_scratch.
    std::unique_ptr<OpenAiEngine> scratch_engine_for(const std::string& base_url,
                                                     std::vector<std::string> labels = {"Caller",
                                                                                        "Agent"}) {
        std::filesystem::create_directories(m_scratch);
        OpenAiSettings settings;
        settings.base_url = base_url;
        settings.channel_labels = std::move(labels);
        settings.temp_root = m_scratch;
        return engine_with(std::move(settings));
    }

    // One second of a Twilio-like dual-channel call at 8 kHz: 440 Hz on channel 1 (the caller),
    // 1000 Hz on channel 2 (the agent).
    std::filesystem::path stereo_call(const std::string& name = "CA1.wav") const {
        const auto file = path(name);
        const auto samples = audio::testing::tones(k_rate, 1.0, {440.0, 1000.0});
        EXPECT_TRUE(audio::write_wav(file, samples, k_rate, 2, audio::WavEncoding::pcm16));
        return file;
    }

    static constexpr int k_rate = 8000;
    std::filesystem::path m_scratch; // in the test's folder

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

// As `serve` runs it: one attempt, no waiting on the worker; the Retry-After goes to the job.
TEST_F(OpenAiEngineTest, WithOneAttemptARateLimitComesBackAtOnceWithItsRetryAfter) {
    FakeSttServer server;
    server.queue_failures(1, 429, {{"Retry-After", "90"}});
    auto transcript = transcribe(*engine_for(server.base_url(), {}, 1));
    ASSERT_FALSE(transcript);
    EXPECT_TRUE(transcript.error().retryable);
    ASSERT_TRUE(transcript.error().retry_after);
    EXPECT_DOUBLE_EQ(transcript.error().retry_after->count(), 90.0);
    EXPECT_THAT(transcript.error().message, Not(HasSubstr("gave up after")));
    EXPECT_TRUE(m_sleeps.empty());
    EXPECT_EQ(server.request_count(), 1u);
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

// Two-channel recordings.

// An uploaded file read back with libsndfile (PcmReader takes recordings, MP3 and WAV, only).
struct FlacFile {
    bool is_flac = false;
    int channels = 0;
    int rate = 0;
    std::vector<float> samples; // interleaved
};

FlacFile read_flac(const std::filesystem::path& file) {
    SF_INFO info{};
    SNDFILE* handle = sf_open(file.c_str(), SFM_READ, &info);
    EXPECT_NE(handle, nullptr) << file << ": " << sf_strerror(nullptr);
    if (handle == nullptr) return {};
    FlacFile out{.is_flac = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC,
                 .channels = info.channels,
                 .rate = info.samplerate,
                 .samples = std::vector<float>(static_cast<std::size_t>(info.frames) *
                                               static_cast<std::size_t>(info.channels))};
    EXPECT_EQ(sf_readf_float(handle, out.samples.data(), info.frames), info.frames);
    sf_close(handle);
    return out;
}

// The answer for one channel of the one-second call: these segments and words.
FakeSttReply reply_of(std::vector<fakes::FakeSttSegment> segments,
                      std::vector<fakes::FakeSttWord> words = {}) {
    FakeSttReply reply;
    reply.duration = 1.0;
    reply.segments = std::move(segments);
    reply.words = std::move(words);
    return reply;
}

TEST_F(OpenAiEngineTest, StereoUploadsEachChannelAsMono16kHzFlac) {
    FakeSttServer server;
    auto transcript = transcribe(*scratch_engine_for(server.base_url()), stereo_call("CA1.wav"));
    ASSERT_TRUE(transcript) << transcript.error().message;

    const auto uploads = server.uploads();
    ASSERT_EQ(uploads.size(), 2u);
    const double expected_hz[] = {440.0, 1000.0};
    for (std::size_t c = 0; c < uploads.size(); ++c) {
        SCOPED_TRACE("channel " + std::to_string(c + 1));
        EXPECT_EQ(uploads[c].filename, "CA1-channel" + std::to_string(c + 1) + ".flac");
        EXPECT_EQ(uploads[c].content_type, "audio/flac");
        ASSERT_GE(uploads[c].file.size(), 4u);
        EXPECT_EQ(uploads[c].file.substr(0, 4), "fLaC");

        const auto flac =
            read_flac(write_bytes("upload" + std::to_string(c + 1) + ".flac", uploads[c].file));
        EXPECT_TRUE(flac.is_flac);
        EXPECT_EQ(flac.channels, 1);
        EXPECT_EQ(flac.rate, 16000);
        EXPECT_NEAR(static_cast<double>(flac.samples.size()), 16000.0, 2.0);
        // Channel 1 went to the first upload, channel 2 to the second, each alone.
        EXPECT_NEAR(audio::testing::zero_crossing_hz(audio::testing::middle(flac.samples), 16000),
                    expected_hz[c], expected_hz[c] * 0.03);
    }
    EXPECT_TRUE(std::filesystem::is_empty(m_scratch));
}

TEST_F(OpenAiEngineTest, StereoSegmentsAreMergedByTimeWithSpeakers) {
    FakeSttServer server;
    server.queue_reply(reply_of({{0.0, 0.2, " Hi, my bill is wrong."}, {0.5, 0.7, " Thanks."}},
                                {{"Hi", 0.0, 0.05}, {"Thanks", 0.5, 0.6}}));
    server.queue_reply(
        reply_of({{0.25, 0.45, " Sorry to hear that."}, {0.8, 0.95, " You're welcome."}}));
    auto transcript = transcribe(*scratch_engine_for(server.base_url()), stereo_call());
    ASSERT_TRUE(transcript) << transcript.error().message;

    EXPECT_EQ(transcript->engine, "openai");
    EXPECT_NEAR(transcript->audio_s, 1.0, 0.001);
    EXPECT_NEAR(transcript->speech_s, 2.0, 0.002); // both channels uploaded whole
    ASSERT_EQ(transcript->segments.size(), 4u);
    std::vector<std::string> speakers;
    for (const auto& segment : transcript->segments)
        speakers.push_back(segment.speaker);
    EXPECT_THAT(speakers, ElementsAre("Caller", "Agent", "Caller", "Agent"));
    EXPECT_DOUBLE_EQ(transcript->segments[1].start_s, 0.25);
    ASSERT_EQ(transcript->segments[2].words.size(), 1u);
    EXPECT_EQ(transcript->segments[2].words[0].text, "Thanks");
    EXPECT_EQ(transcript->text(), "Caller: Hi, my bill is wrong.\n"
                                  "Agent: Sorry to hear that.\n"
                                  "Caller: Thanks.\n"
                                  "Agent: You're welcome.");
}

TEST_F(OpenAiEngineTest, StereoChannelsAreUploadedAtOnceWhenSlotsAreFree) {
    FakeSttServer server;
    server.queue_reply(reply_of({{0.0, 0.2, " Hello."}}));
    server.queue_reply(reply_of({{0.0, 0.2, " Hello."}}));
    std::filesystem::create_directories(m_scratch);
    OpenAiSettings settings;
    settings.base_url = server.base_url();
    settings.temp_root = m_scratch;
    settings.slots = std::make_shared<CoreSlots>(2);
    auto transcript =
        engine_with(std::move(settings))->make_transcriber()->transcribe(stereo_call());
    ASSERT_TRUE(transcript) << transcript.error().message;
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_EQ(transcript->text(), "Caller: Hello.\nAgent: Hello.");
    EXPECT_TRUE(std::filesystem::is_empty(m_scratch));
}

TEST_F(OpenAiEngineTest, StereoTiesKeepChannelOrder) {
    FakeSttServer server;
    server.queue_reply(reply_of({{0.0, 0.5, " Hello?"}}));
    server.queue_reply(reply_of({{0.0, 0.5, " Hello!"}}));
    auto transcript = transcribe(*scratch_engine_for(server.base_url()), stereo_call());
    ASSERT_TRUE(transcript) << transcript.error().message;
    EXPECT_EQ(transcript->text(), "Caller: Hello?\nAgent: Hello!");
}

TEST_F(OpenAiEngineTest, StereoHonoursCustomLabelsAndNamesUnlabelledChannels) {
    FakeSttServer server;
    server.queue_reply(reply_of({{0.0, 0.2, " Hi."}}));
    server.queue_reply(reply_of({{0.3, 0.5, " Hello."}}));
    auto transcript =
        transcribe(*scratch_engine_for(server.base_url(), {"Customer"}), stereo_call());
    ASSERT_TRUE(transcript) << transcript.error().message;
    EXPECT_EQ(transcript->text(), "Customer: Hi.\nChannel 2: Hello.");
}

TEST_F(OpenAiEngineTest, MonoIsUploadedAsItIsWithoutSpeakers) {
    FakeSttServer server;
    const auto file = path("mono.wav");
    ASSERT_TRUE(audio::write_wav(file, audio::testing::tones(k_rate, 1.0, {440.0}), k_rate, 1,
                                 audio::WavEncoding::mulaw));
    auto transcript = transcribe(*scratch_engine_for(server.base_url()), file);
    ASSERT_TRUE(transcript) << transcript.error().message;

    const auto uploads = server.uploads();
    ASSERT_EQ(uploads.size(), 1u);
    EXPECT_TRUE(uploads[0].file == read_bytes(file)); // no re-encoding
    EXPECT_EQ(uploads[0].filename, "mono.wav");
    EXPECT_EQ(uploads[0].content_type, "audio/wav");
    ASSERT_EQ(transcript->segments.size(), 2u);
    for (const auto& segment : transcript->segments)
        EXPECT_EQ(segment.speaker, "");
    EXPECT_NEAR(transcript->speech_s, 1.0, 0.001);
    EXPECT_TRUE(std::filesystem::is_empty(m_scratch)); // nothing was split
}

TEST_F(OpenAiEngineTest, StereoChannelFilesLiveInAFolderOfTheirOwnUntilTheEnd) {
    FakeSttServer server;
    OpenAiSettings settings;
    settings.base_url = server.base_url(); // temp_root left empty: the system's temporary folder
    auto engine = engine_with(std::move(settings));
    auto transcriber = engine->make_transcriber();

    const std::string prefix = "callscribe-channels-" + std::to_string(::getpid()) + "-";
    const auto ours = [&] {
        std::vector<std::filesystem::path> found;
        for (const auto& entry :
             std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
            if (entry.path().filename().string().starts_with(prefix)) found.push_back(entry);
        }
        return found;
    };
    std::vector<double> done;
    double total = -1;
    std::size_t folders_while_splitting = 0;
    transcriber->on_progress([&](double done_s, double total_s) {
        done.push_back(done_s);
        total = total_s;
        folders_while_splitting = ours().size();
    });
    auto transcript = transcriber->transcribe(stereo_call());
    ASSERT_TRUE(transcript) << transcript.error().message;

    EXPECT_EQ(folders_while_splitting, 1u);
    EXPECT_TRUE(ours().empty());
    ASSERT_FALSE(done.empty());
    EXPECT_TRUE(std::ranges::is_sorted(done));
    EXPECT_NEAR(done.back(), 1.0, 0.001);
    EXPECT_DOUBLE_EQ(total, 1.0);
}

TEST_F(OpenAiEngineTest, StereoFailureOfTheSecondChannelIsTheErrorAndCleansUp) {
    FakeSttServer server;
    server.queue_reply(reply_of({{0.0, 0.2, " Hi."}}));
    server.queue_response(FakeResponse::json(
        400, FakeSttServer::error_json("Audio file is too short", "invalid_request_error")));
    const auto recording = stereo_call();
    auto transcript = transcribe(*scratch_engine_for(server.base_url()), recording);
    ASSERT_FALSE(transcript);
    EXPECT_FALSE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr("400: Audio file is too short"));
    EXPECT_THAT(transcript.error().message, HasSubstr(recording.string() + " channel 2"));
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_TRUE(std::filesystem::is_empty(m_scratch));
}

TEST_F(OpenAiEngineTest, StereoRetryableFailureOfAChannelStaysRetryable) {
    FakeSttServer server;
    server.queue_reply(reply_of({{0.0, 0.2, " Hi."}}));
    server.queue_failures(2, 503);
    OpenAiSettings settings;
    settings.base_url = server.base_url();
    settings.max_attempts = 2;
    settings.temp_root = m_scratch;
    std::filesystem::create_directories(m_scratch);
    auto transcript =
        engine_with(std::move(settings))->make_transcriber()->transcribe(stereo_call());
    ASSERT_FALSE(transcript);
    EXPECT_TRUE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr("gave up after 2 attempts"));
    EXPECT_EQ(server.request_count(), 3u);
    EXPECT_TRUE(std::filesystem::is_empty(m_scratch));
}

TEST_F(OpenAiEngineTest, UndecodableRecordingIsANonRetryableErrorWithoutARequest) {
    FakeSttServer server;
    const auto file = write_bytes("CA2.mp3", "this is not audio at all, just some text");
    auto transcript = transcribe(*scratch_engine_for(server.base_url()), file);
    ASSERT_FALSE(transcript);
    EXPECT_FALSE(transcript.error().retryable);
    EXPECT_THAT(transcript.error().message, HasSubstr(file.string()));
    EXPECT_EQ(server.request_count(), 0u);
}

} // namespace
} // namespace callscribe::stt::openai
