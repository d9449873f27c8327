// The whisper engine on whisper.cpp with a model the test generates (random weights: the words
// mean nothing, so these tests assert structure, times and errors, never words).

#include "audio/wav_writer.hpp"
#include "stt/whisper/model_file.hpp"
#include "stt/whisper/whisper_engine.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <thread>

namespace callscribe::stt::whisper {
namespace {

using test_support::TempDir;

const std::string k_eval = CALLSCRIBE_EVAL_DIR;
const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";
const std::string k_mono = k_eval + "/real/phone/real_ls_1272-128104-0000.mp3";

class WhisperEngineTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_dir = std::make_unique<TempDir>();
        auto written = write_test_model(*s_dir / "test-model.bin");
        ASSERT_TRUE(written) << written.error().message;
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    static std::filesystem::path model() { return *s_dir / "test-model.bin"; }

    static std::unique_ptr<Engine> engine(WhisperSettings settings = {}) {
        if (settings.model.empty()) settings.model = model();
        auto e = make_whisper_engine(std::move(settings));
        EXPECT_TRUE(e) << e.error().message;
        return e ? std::move(*e) : nullptr;
    }

    // A copy of the model with its bytes changed by `edit`.
    static std::filesystem::path edited(const std::string& name,
                                        const std::function<void(std::string&)>& edit) {
        std::string bytes = test_support::read_file(model());
        edit(bytes);
        auto path = *s_dir / name;
        test_support::write_file(path, bytes);
        return path;
    }

    static std::string error_for(const std::filesystem::path& file) {
        auto e = make_whisper_engine({.model = file});
        EXPECT_FALSE(e) << file;
        return e ? std::string() : e.error().message;
    }

    static inline std::unique_ptr<TempDir> s_dir;
};

void expect_times_in_order_and_inside(const Transcript& t) {
    for (const auto& s : t.segments) {
        EXPECT_GE(s.start_s, 0);
        EXPECT_LE(s.start_s, s.end_s) << s.text;
        EXPECT_LE(s.end_s, t.audio_s + 0.01) << s.text;
        double at = s.start_s;
        for (const auto& w : s.words) {
            EXPECT_GE(w.start_s, at) << w.text;
            EXPECT_LE(w.start_s, w.end_s) << w.text;
            EXPECT_LE(w.end_s, s.end_s) << w.text;
            at = w.start_s;
        }
    }
    for (std::size_t i = 1; i < t.segments.size(); ++i)
        EXPECT_LE(t.segments[i - 1].start_s, t.segments[i].start_s);
}

TEST_F(WhisperEngineTest, TheGeneratedModelIsAWholeWhisperModel) {
    auto info = inspect_model_file(model());
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_FALSE(info->multilingual);
    EXPECT_EQ(info->weight_type, "f16");
    EXPECT_EQ(info->tensors, 11 + 15 + 24); // 11 whole-model, 15 per encoder, 24 per decoder layer
    EXPECT_EQ(info->header.n_vocab, 51864);
}

TEST_F(WhisperEngineTest, AMonoRecordingGivesSegmentsWithTimesInsideTheAudio) {
    auto e = engine();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->name(), "whisper");
    auto t = e->make_transcriber()->transcribe(k_mono);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->engine, "whisper");
    EXPECT_EQ(t->language, "en");
    EXPECT_GT(t->audio_s, 5);
    EXPECT_GT(t->speech_s, 1);
    EXPECT_LE(t->speech_s, t->audio_s + 0.01);
    ASSERT_FALSE(t->segments.empty());
    for (const auto& s : t->segments)
        EXPECT_TRUE(s.speaker.empty());
    expect_times_in_order_and_inside(*t);
}

TEST_F(WhisperEngineTest, TwoChannelsBecomeTurnsOfBothSpeakers) {
    auto e = engine();
    ASSERT_TRUE(e);
    auto t = e->make_transcriber()->transcribe(k_demo_call);
    ASSERT_TRUE(t) << t.error().message;
    std::set<std::string> speakers;
    for (const auto& s : t->segments)
        speakers.insert(s.speaker);
    EXPECT_EQ(speakers, (std::set<std::string>{"Agent", "Caller"}));
    expect_times_in_order_and_inside(*t);
}

TEST_F(WhisperEngineTest, ChannelsInParallelGiveWhatTheyGiveOneAfterTheOther) {
    auto serial = engine()->make_transcriber()->transcribe(k_demo_call);
    auto parallel = engine({.slots = std::make_shared<CoreSlots>(2)})
                        ->make_transcriber()
                        ->transcribe(k_demo_call);
    ASSERT_TRUE(serial && parallel);
    EXPECT_EQ(serial->text(), parallel->text());
    EXPECT_EQ(serial->segments.size(), parallel->segments.size());
}

TEST_F(WhisperEngineTest, ASilentRecordingGivesNoTextAndCostsTheModelNothing) {
    TempDir dir;
    std::vector<float> silence(16000 * 20, 0.0f);
    for (std::size_t i = 0; i < silence.size(); ++i)
        silence[i] = (i % 7 == 0) ? 1e-4f : -1e-4f; // a line's hiss, far below speech
    ASSERT_TRUE(
        audio::write_wav(dir / "silence.wav", silence, 16000, 1, audio::WavEncoding::pcm16));
    auto t = engine()->make_transcriber()->transcribe(dir / "silence.wav");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_TRUE(t->segments.empty());
    EXPECT_EQ(t->text(), "");
    EXPECT_EQ(t->speech_s, 0);
    EXPECT_NEAR(t->audio_s, 20, 0.1);
}

TEST_F(WhisperEngineTest, OneLoadedModelServesConcurrentTranscriptionsAlike) {
    auto e = engine();
    ASSERT_TRUE(e);
    auto expected = e->make_transcriber()->transcribe(k_mono);
    ASSERT_TRUE(expected);
    std::vector<std::string> texts(4);
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < texts.size(); ++i)
            threads.emplace_back([&, i] {
                auto t = e->make_transcriber()->transcribe(k_mono);
                texts[i] = t ? t->text() : "error: " + t.error().message;
            });
    }
    for (const auto& text : texts)
        EXPECT_EQ(text, expected->text());
}

TEST_F(WhisperEngineTest, ProgressIsReportedInAudioSeconds) {
    auto transcriber = engine()->make_transcriber();
    double last = 0, total = 0;
    transcriber->on_progress([&](double done, double of) {
        EXPECT_GE(done, last);
        last = done;
        total = of;
    });
    auto t = transcriber->transcribe(k_mono);
    ASSERT_TRUE(t);
    EXPECT_NEAR(last, t->audio_s, 0.01);
    EXPECT_GT(total, 0);
}

TEST_F(WhisperEngineTest, ABadRecordingIsAnErrorNamingIt) {
    TempDir dir;
    test_support::write_file(dir / "notes.txt", "not audio at all");
    auto t = engine()->make_transcriber()->transcribe(dir / "notes.txt");
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().message.find("notes.txt"), std::string::npos) << t.error().message;
}

TEST_F(WhisperEngineTest, EveryBadModelIsOneLineNamingTheFile) {
    TempDir dir;
    test_support::write_file(dir / "empty.bin", "");
    const auto half = edited("half.bin", [](std::string& b) { b.resize(b.size() / 2); });
    const auto header_only = edited("header.bin", [](std::string& b) { b.resize(60); });
    const auto bad_vocab = edited("vocab.bin", [](std::string& b) { b[4] = char(0x7f); });
    const auto bad_ftype = edited("ftype.bin", [](std::string& b) { b[44] = 5; });
    // The last tensor cut off whole: every byte left is valid, one tensor is missing.
    const auto short_one = edited("short.bin", [](std::string& b) {
        b.resize(b.size() -
                 (64 * 4 + 4 * 3 + 4 + std::string("decoder.blocks.0.cross_attn.out.bias").size()));
    });
    const struct {
        std::filesystem::path file;
        std::string says;
    } cases[] = {
        {dir / "missing.bin", "no such file"},
        {dir.path(), "is a directory"},
        {dir / "empty.bin", "empty file"},
        {k_demo_call, "not a ggml Whisper model"},
        {half, "truncated"},
        {header_only, "truncated"},
        {bad_vocab, "implausible header: n_vocab"},
        {bad_ftype, "implausible header: ftype"},
        {short_one, "is missing"},
    };
    for (const auto& c : cases) {
        const std::string message = error_for(c.file);
        EXPECT_TRUE(message.starts_with(c.file.string() + ": ")) << message;
        EXPECT_NE(message.find(c.says), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST_F(WhisperEngineTest, AnEnglishOnlyModelRefusesAnotherLanguage) {
    const std::string message =
        make_whisper_engine({.model = model(), .language = "de"}).error().message;
    EXPECT_NE(message.find("English-only"), std::string::npos) << message;
    EXPECT_TRUE(make_whisper_engine({.model = model(), .language = "auto"}));
}

TEST_F(WhisperEngineTest, AMultilingualModelDetectsAndStoresTheLanguage) {
    TempDir dir;
    ASSERT_TRUE(write_test_model(dir / "multi.bin", {.multilingual = true}));
    auto info = inspect_model_file(dir / "multi.bin");
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->multilingual);
    auto e = engine({.model = dir / "multi.bin", .language = "auto"});
    ASSERT_TRUE(e);
    auto t = e->make_transcriber()->transcribe(k_mono);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->language.size(), 2u) << t->language; // whichever it heard, as an ISO 639-1 code
}

} // namespace
} // namespace callscribe::stt::whisper
