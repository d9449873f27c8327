// The offline engine on real speech: Debian's PocketSphinx, its en-us model, the eval set.

#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "stt/word_error_rate.hpp"
#include "support/command.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace callscribe::stt {
namespace {

const std::string k_eval = CALLSCRIBE_EVAL_DIR;
const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";

struct Utterance {
    std::string file;
    std::string text;
};
// Telephone versions (8 kHz, mu-law, MP3 32 kbps) of eval utterances; with the default settings
// these four score about 14 % WER together (the whole synth subset about 30 %).
const Utterance k_invoice{"/synth/phone/flt06.mp3",
                          "i'm calling about the invoice we received last week it looks like we "
                          "were charged twice"};
const Utterance k_order{
    "/synth/phone/flt12.mp3",
    "your order will arrive between nine in the morning and one in the afternoon"};
const Utterance k_birthday{"/synth/phone/flt09.mp3",
                           "my date of birth is march second nineteen eighty seven"};
const Utterance k_cleaning{"/synth/phone/flt02.mp3",
                           "i'd like to schedule a cleaning for next monday morning if you have "
                           "anything available"};

std::unique_ptr<Engine>
engine(PocketSphinxSettings settings = pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR)) {
    auto e = make_pocketsphinx_engine(std::move(settings));
    EXPECT_TRUE(e) << e.error().message;
    return std::move(*e);
}

std::vector<float> samples_8k(const std::string& file) {
    auto reader = audio::PcmReader::open(file, 8000);
    EXPECT_TRUE(reader) << reader.error().message;
    std::vector<float> out;
    std::vector<std::vector<float>> chunk;
    while (*reader->next(chunk))
        out.insert(out.end(), chunk[0].begin(), chunk[0].end());
    return out;
}

TEST(PocketSphinxEngine, TelephoneUtterancesStayWithinAWordErrorBound) {
    auto transcriber = engine()->make_transcriber();
    WordErrors total;
    for (const auto& u : {k_invoice, k_order, k_birthday, k_cleaning}) {
        auto t = transcriber->transcribe(k_eval + u.file);
        ASSERT_TRUE(t) << t.error().message;
        EXPECT_EQ(t->engine, "pocketsphinx");
        total += word_errors(u.text, t->text());
    }
    EXPECT_LT(total.rate(), 0.3) << total.errors() << " errors in " << total.reference_words;
}

TEST(PocketSphinxEngine, SegmentsCarryOrderedWordTimesInsideTheRecording) {
    auto t = engine()->make_transcriber()->transcribe(k_eval + k_cleaning.file);
    ASSERT_TRUE(t) << t.error().message;
    ASSERT_FALSE(t->segments.empty());
    EXPECT_NEAR(t->audio_s, 5.505, 0.01);
    double previous = 0;
    for (const auto& s : t->segments) {
        EXPECT_TRUE(s.speaker.empty());
        ASSERT_FALSE(s.words.empty());
        EXPECT_DOUBLE_EQ(s.start_s, s.words.front().start_s);
        EXPECT_DOUBLE_EQ(s.end_s, s.words.back().end_s);
        for (const auto& w : s.words) {
            EXPECT_GE(w.start_s, previous) << w.text;
            EXPECT_GT(w.end_s, w.start_s) << w.text;
            EXPECT_LE(w.end_s, t->audio_s + 0.01) << w.text;
            EXPECT_EQ(w.text.find_first_of("<[("), std::string::npos) << w.text;
            previous = w.start_s;
        }
    }
}

TEST(PocketSphinxEngine, TwoChannelCallIsTranscribedPerChannelAndMergedByTime) {
    auto t = engine()->make_transcriber()->transcribe(k_demo_call);
    ASSERT_TRUE(t) << t.error().message;
    std::vector<std::string> turns;
    double previous = -1;
    for (const auto& s : t->segments) {
        EXPECT_GE(s.start_s, previous);
        previous = s.start_s;
        if (turns.empty() || turns.back() != s.speaker) turns.push_back(s.speaker);
    }
    EXPECT_EQ(turns, (std::vector<std::string>{"Agent", "Caller", "Agent", "Caller", "Agent"}));
    // The caller's first words start after the agent's first sentence (0.8 s + 6.7 s).
    for (const auto& s : t->segments)
        if (s.speaker == "Caller") {
            EXPECT_GT(s.start_s, 7.5);
        }
}

TEST(PocketSphinxEngine, ChannelLabelsAreConfigurable) {
    auto settings = pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR);
    settings.channel_labels = {"Customer"};
    auto t = engine(settings)->make_transcriber()->transcribe(k_demo_call);
    ASSERT_TRUE(t) << t.error().message;
    std::set<std::string> speakers;
    for (const auto& s : t->segments)
        speakers.insert(s.speaker);
    EXPECT_EQ(speakers, (std::set<std::string>{"Customer", "Channel 2"}));
}

TEST(PocketSphinxEngine, SilenceIsSkippedBeforeTheDecoder) {
    // Two utterances with 20 s of quiet line noise between them: more than half is silence.
    test_support::TempDir dir;
    auto first = samples_8k(k_eval + k_invoice.file), second = samples_8k(k_eval + k_order.file);
    std::vector<float> call = first;
    for (int i = 0; i < 20 * 8000; ++i)
        call.push_back(0.0005f * float((i * 7919) % 200 - 100) / 100);
    call.insert(call.end(), second.begin(), second.end());
    auto file = dir / "half-silent.wav";
    ASSERT_TRUE(audio::write_wav(file, call, 8000, 1, audio::WavEncoding::mulaw));

    auto t = engine()->make_transcriber()->transcribe(file);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_NEAR(t->audio_s, call.size() / 8000.0, 0.01);
    EXPECT_LT(t->speech_s, 0.5 * t->audio_s);
    EXPECT_GT(t->speech_s, (first.size() + second.size()) / 8000.0 * 0.8);
    EXPECT_LT(word_errors(k_invoice.text + " " + k_order.text, t->text()).rate(), 0.3) << t->text();
    ASSERT_GE(t->segments.size(), 2u);
    EXPECT_GT(t->segments.back().start_s, first.size() / 8000.0 + 19); // times stay absolute

    auto settings = pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR);
    settings.skip_silence = false;
    auto all = engine(settings)->make_transcriber()->transcribe(file);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_NEAR(all->speech_s, all->audio_s, 0.01);
}

TEST(PocketSphinxEngine, ARecordingDecodesTheSameWhateverCameBefore) {
    auto transcriber = engine()->make_transcriber();
    auto first = transcriber->transcribe(k_eval + k_invoice.file);
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(transcriber->transcribe(k_demo_call)); // both channels through the same decoder
    auto again = transcriber->transcribe(k_eval + k_invoice.file);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->text(), first->text());
    ASSERT_EQ(again->segments.size(), first->segments.size());
    EXPECT_DOUBLE_EQ(again->segments[0].start_s, first->segments[0].start_s);
}

TEST(PocketSphinxEngine, BadFileIsAnErrorAndTheTranscriberGoesOn) {
    test_support::TempDir dir;
    test_support::write_file(dir / "noise.wav", std::string(5000, '\x7f'));
    auto transcriber = engine()->make_transcriber();
    auto bad = transcriber->transcribe(dir / "noise.wav");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("noise.wav"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(bad.error().retryable);
    auto good = transcriber->transcribe(k_eval + k_order.file);
    ASSERT_TRUE(good) << good.error().message;
    EXPECT_FALSE(good->text().empty());
}

TEST(PocketSphinxEngine, MissingModelFailsAtCreationNamingThePath) {
    auto e = make_pocketsphinx_engine(pocketsphinx_defaults("/nonexistent/models"));
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("/nonexistent/models/en-us"), std::string::npos)
        << e.error().message;
}

// Loaded without complaint by PocketSphinx, an empty dictionary would hear nothing in every call.
TEST(PocketSphinxEngine, ADictionaryWithoutWordsFailsAtCreationNamingIt) {
    test_support::TempDir dir;
    test_support::write_file(dir / "comments.dict", ";; only a comment\n\n");
    for (const auto& dict : {std::filesystem::path("/dev/null"), dir / "comments.dict"}) {
        auto settings = pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR);
        settings.dict = dict;
        auto e = make_pocketsphinx_engine(std::move(settings));
        ASSERT_FALSE(e) << dict;
        EXPECT_EQ(e.error().message,
                  "pocketsphinx dictionary " + dict.string() +
                      " has no words (expected lines like \"hello HH AH L OW\")");
    }
}

TEST(PocketSphinxEngine, TranscribersOnTwoThreadsAgreeWithOneThread) {
    auto e = engine();
    auto expected_a = e->make_transcriber()->transcribe(k_eval + k_invoice.file);
    auto expected_b = e->make_transcriber()->transcribe(k_eval + k_birthday.file);
    ASSERT_TRUE(expected_a && expected_b);
    std::string a, b;
    std::thread ta([&] { a = e->make_transcriber()->transcribe(k_eval + k_invoice.file)->text(); });
    std::thread tb(
        [&] { b = e->make_transcriber()->transcribe(k_eval + k_birthday.file)->text(); });
    ta.join();
    tb.join();
    EXPECT_EQ(a, expected_a->text());
    EXPECT_EQ(b, expected_b->text());
}

} // namespace
} // namespace callscribe::stt
