#include "stt/whisper/whisper_engine.hpp"

#include "audio/pcm_reader.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "stt/speech_windows.hpp"

#include <whisper.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace callscribe::stt::whisper {
namespace {

struct ContextFree {
    void operator()(whisper_context* ctx) const { whisper_free(ctx); }
};
struct StateFree {
    void operator()(whisper_state* state) const { whisper_free_state(state); }
};
using ContextPtr = std::unique_ptr<whisper_context, ContextFree>;
using StatePtr = std::unique_ptr<whisper_state, StateFree>;

// whisper.cpp and ggml report every step of loading; keep that out of the operator's log unless
// debugging, and keep warnings and errors.
void route_engine_log(ggml_log_level level, const char* text, void*) {
    std::string_view line = text ? text : "";
    while (!line.empty() && (line.back() == '\n' || line.back() == ' '))
        line.remove_suffix(1);
    if (line.empty()) return;
    if (level == GGML_LOG_LEVEL_ERROR) {
        log().error("[whisper] {}", line);
    } else if (level == GGML_LOG_LEVEL_WARN) {
        log().warn("[whisper] {}", line);
    } else {
        log().debug("[whisper] {}", line);
    }
}

// "[BLANK_AUDIO]", "(music)", "[inaudible]": what Whisper writes when it hears no words.
bool is_annotation(std::string_view text) {
    return text.size() >= 2 && ((text.front() == '[' && text.back() == ']') ||
                                (text.front() == '(' && text.back() == ')'));
}

// The loaded model. Every channel transcription makes a whisper_state of its own and frees it
// after: a state carries the random generator of its temperature fallback from one call to the
// next, so a reused state would make the same recording come out differently depending on what
// that state decoded before. Making one costs milliseconds next to the decoding itself.
class Model {
  public:
    Model(ContextPtr ctx, WhisperSettings settings)
        : m_ctx(std::move(ctx)), m_settings(std::move(settings)) {}

    whisper_context* context() const { return m_ctx.get(); }
    const WhisperSettings& settings() const { return m_settings; }

    Result<StatePtr> make_state() const {
        StatePtr state(whisper_init_state(m_ctx.get()));
        if (!state)
            return fail_retryable(
                fmt::format("{}: whisper.cpp cannot make a decoding state (out of "
                            "memory?)",
                            m_settings.model.string()));
        return state;
    }

  private:
    ContextPtr m_ctx;
    WhisperSettings m_settings;
};

// One channel: voice activity → windows → whisper_full, segments mapped back to the channel's
// time line and judged by the guards.
class ChannelTranscriber {
  public:
    ChannelTranscriber(Model& model, whisper_state* state, std::string speaker)
        : m_model(model), m_state(state), m_speaker(std::move(speaker)),
          m_guard(model.settings().guards) {}

    Result<void> transcribe_window(const SpeechWindow& window, ChannelTranscript& out) {
        const WhisperSettings& settings = m_model.settings();
        whisper_context* ctx = m_model.context();
        whisper_full_params params = whisper_full_default_params(WHISPER_SAMPLING_GREEDY);
        params.n_threads = std::max(1, settings.threads);
        params.no_context = true; // each window on its own: a loop cannot carry over
        params.print_progress = false;
        params.print_realtime = false;
        params.print_timestamps = false;
        params.print_special = false;
        params.token_timestamps = settings.word_times;
        params.suppress_nst = true;
        params.no_speech_thold = float(settings.guards.no_speech_threshold);
        params.language = settings.language.c_str();
        params.initial_prompt = settings.prompt.empty() ? nullptr : settings.prompt.c_str();
        out.speech_s += double(window.samples.size()) / WHISPER_SAMPLE_RATE;

        const Stopwatch in_model;
        const int rc = whisper_full_with_state(ctx, m_state, params, window.samples.data(),
                                               int(window.samples.size()));
        out.model_s += in_model.elapsed().count();
        if (rc != 0)
            return fail(fmt::format("whisper failed on the window at {:.2f}s (error {})",
                                    window.to_source(0), rc));
        if (settings.language != "auto") {
            out.language = settings.language;
        } else if (out.language.empty()) {
            const int id = whisper_full_lang_id_from_state(m_state);
            if (const char* code = id >= 0 ? whisper_lang_str(id) : nullptr) out.language = code;
        }

        const whisper_token eot = whisper_token_eot(ctx);
        const int n = whisper_full_n_segments_from_state(m_state);
        for (int i = 0; i < n; ++i) {
            const std::string text(
                trim_whitespace(whisper_full_get_segment_text_from_state(m_state, i)));
            if (text.empty()) continue;
            double logprob_sum = 0;
            int tokens = 0;
            std::vector<Word> words;
            const int n_tokens = whisper_full_n_tokens_from_state(m_state, i);
            for (int j = 0; j < n_tokens; ++j) {
                const whisper_token_data data =
                    whisper_full_get_token_data_from_state(m_state, i, j);
                if (data.id >= eot) continue; // timestamps and special tokens
                logprob_sum += data.plog;
                ++tokens;
                const std::string_view piece =
                    whisper_full_get_token_text_from_state(ctx, m_state, i, j);
                const double t0 = window.to_source(double(data.t0) / 100.0);
                const double t1 = window.to_source(double(data.t1) / 100.0);
                if (words.empty() || piece.starts_with(' ')) {
                    if (!trim_whitespace(piece).empty())
                        words.push_back({t0, t1, std::string(trim_whitespace(piece))});
                } else {
                    words.back().text += piece; // the rest of a word, or its punctuation
                    words.back().end_s = std::max(words.back().end_s, t1);
                }
            }
            const double no_speech = whisper_full_get_segment_no_speech_prob_from_state(m_state, i);
            const double mean_logprob = tokens > 0 ? logprob_sum / tokens : 0.0;
            DropReason reason = m_guard.judge(text, no_speech, mean_logprob);
            if (reason == DropReason::none && settings.guards.enabled && is_annotation(text))
                reason = DropReason::no_speech;
            if (reason != DropReason::none) {
                out.dropped.add(reason);
                log().debug("[whisper] dropped a segment ({}): {}", int(reason), text);
                continue;
            }

            Segment segment;
            segment.speaker = m_speaker;
            segment.text = text;
            segment.start_s = window.to_source(
                double(whisper_full_get_segment_t0_from_state(m_state, i)) / 100.0);
            segment.end_s =
                std::max(segment.start_s,
                         window.to_source(
                             double(whisper_full_get_segment_t1_from_state(m_state, i)) / 100.0));
            // Word times inside their segment and in order, whatever the token times said.
            double at = segment.start_s;
            for (auto& word : words) {
                word.start_s = std::clamp(word.start_s, at, segment.end_s);
                word.end_s = std::clamp(word.end_s, word.start_s, segment.end_s);
                at = word.start_s;
            }
            if (settings.word_times) segment.words = std::move(words);
            out.segments.push_back(std::move(segment));
        }
        return {};
    }

    void run(audio::PcmReader& reader, int channel, const ProgressFn& progress,
             const std::filesystem::path& recording, ChannelTranscript& out) {
        const WhisperSettings& settings = m_model.settings();
        SpeechWindowPacker packer(
            {.rate = reader.rate(), .max_s = settings.window_s, .gap_s = 0.25},
            [&](const SpeechWindow& w) { return transcribe_window(w, out); });
        audio::VoiceActivitySettings vad_settings = settings.vad;
        vad_settings.rate = reader.rate();
        audio::VoiceActivityDetector vad(vad_settings,
                                         {[&](double s) { packer.start_region(s); },
                                          [&](std::span<const float> x) { packer.add_samples(x); },
                                          [&](double) { packer.end_region(); }});
        const bool read = read_channel(reader, channel, recording, progress, out,
                                       [&](std::span<const float> samples) {
                                           vad.feed(samples);
                                           return packer.error() == nullptr;
                                       });
        if (!read && out.error) return;
        vad.finish();
        packer.finish();
        if (const Error* e = packer.error())
            out.error = fail(fmt::format("{}: {}", recording.string(), e->message));
    }

  private:
    Model& m_model;
    whisper_state* m_state;
    std::string m_speaker;
    SegmentGuard m_guard;
};

class WhisperTranscriber final : public Transcriber {
  public:
    explicit WhisperTranscriber(std::shared_ptr<Model> model) : m_model(std::move(model)) {}

    void on_progress(ProgressFn progress) override { m_progress = std::move(progress); }

    Result<Transcript> transcribe(const std::filesystem::path& recording) override {
        auto first = audio::PcmReader::open(recording);
        if (!first) return first.error();
        const auto& labels = m_model->settings().channel_labels;
        const int channels = first->channels();
        return transcribe_channels(
            "whisper", recording, *first, m_model->settings().slots.get(),
            [&](audio::PcmReader& reader, int c, ChannelTranscript& out) {
                auto state = m_model->make_state();
                if (!state) {
                    out.error = state.error();
                    return;
                }
                ChannelTranscriber channel(*m_model, state->get(),
                                           channels == 1 ? std::string()
                                                         : speaker_label(labels, std::size_t(c)));
                channel.run(reader, c, c == 0 ? m_progress : ProgressFn{}, recording, out);
            });
    }

  private:
    std::shared_ptr<Model> m_model;
    ProgressFn m_progress;
};

// Live audio: Whisper decodes whole windows, so an utterance is decoded when it ends (no
// partial results), under the same guards as a recording's windows.
class WhisperUtterances final : public UtteranceDecoder {
  public:
    explicit WhisperUtterances(std::shared_ptr<Model> model) : m_model(std::move(model)) {}

    Result<void> feed(std::span<const float> samples) override {
        // The caller's voice-activity detector cuts utterances well below a window; past one,
        // the rest would not fit, and is left to the offline transcript.
        const auto window = std::size_t(m_model->settings().window_s * WHISPER_SAMPLE_RATE);
        const std::size_t room = window - std::min(window, m_samples.size());
        m_samples.insert(m_samples.end(), samples.begin(),
                         samples.begin() + std::ptrdiff_t(std::min(room, samples.size())));
        return {};
    }

    std::string partial() override { return {}; }

    Result<std::string> finish() override {
        SpeechWindow window;
        window.samples.swap(m_samples);
        if (window.samples.empty()) return words(std::string());
        window.pieces.push_back({.window_s = 0,
                                 .source_s = 0,
                                 .length_s = double(window.samples.size()) / WHISPER_SAMPLE_RATE});
        auto state = m_model->make_state();
        if (!state) return state.error();
        ChannelTranscript out;
        ChannelTranscriber channel(*m_model, state->get(), "");
        if (auto done = channel.transcribe_window(window, out); !done) return done.error();
        std::string text;
        for (const auto& segment : out.segments) {
            if (!text.empty()) text += ' ';
            text += segment.text;
        }
        return words(std::move(text));
    }

  private:
    std::shared_ptr<Model> m_model;
    std::vector<float> m_samples;
};

class WhisperEngine final : public Engine {
  public:
    explicit WhisperEngine(std::shared_ptr<Model> model) : m_model(std::move(model)) {}
    std::string_view name() const override { return "whisper"; }
    std::unique_ptr<Transcriber> make_transcriber() const override {
        return std::make_unique<WhisperTranscriber>(m_model);
    }
    Result<std::unique_ptr<UtteranceDecoder>> make_utterance_decoder() const override {
        return std::unique_ptr<UtteranceDecoder>(std::make_unique<WhisperUtterances>(m_model));
    }

  private:
    std::shared_ptr<Model> m_model;
};

} // namespace

std::string whisper_version() {
    return ::whisper_version();
}

Result<std::unique_ptr<Engine>> make_whisper_engine(WhisperSettings settings) {
    static std::once_flag routed;
    std::call_once(routed, [] { whisper_log_set(route_engine_log, nullptr); });

    const std::string file = settings.model.string();
    if (settings.model.empty())
        return fail(
            "the whisper engine needs a model file: set CALLSCRIBE_WHISPER_MODEL (callscribe "
            "models fetch base.en gives one)");
    auto info = inspect_model_file(settings.model);
    if (!info) return info.error();
    if (settings.language != "auto" && whisper_lang_id(settings.language.c_str()) < 0)
        return fail(fmt::format("language \"{}\" is not one Whisper knows", settings.language));
    if (!info->multilingual && settings.language != "en" && settings.language != "auto")
        return fail(fmt::format("{}: an English-only model cannot transcribe language \"{}\"", file,
                                settings.language));

    whisper_context_params params = whisper_context_default_params();
    params.use_gpu = false;
    ContextPtr ctx(whisper_init_from_file_with_params_no_state(file.c_str(), params));
    if (!ctx) return fail(fmt::format("{}: whisper.cpp cannot load the model", file));
    log().info("whisper: {} model {} ({} weights, {}), {} thread(s) per channel", info->size_name,
               file, info->weight_type, info->multilingual ? "multilingual" : "English-only",
               std::max(1, settings.threads));

    auto model = std::make_shared<Model>(std::move(ctx), std::move(settings));
    // A state can be made (memory for its buffers): fail now, not at the first call.
    if (auto state = model->make_state(); !state) return state.error();
    return std::unique_ptr<Engine>(std::make_unique<WhisperEngine>(std::move(model)));
}

} // namespace callscribe::stt::whisper
