#include "stt/pocketsphinx/pocketsphinx_engine.hpp"

#include "audio/pcm_reader.hpp"
#include "core/log.hpp"

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <thread>

namespace callscribe::stt {
namespace {

// True when the dictionary file has at least one "WORD PHONE…" line.
bool has_a_word(const std::filesystem::path& dict) {
    std::ifstream in(dict);
    std::string word, phone;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        if (fields >> word >> phone && !word.starts_with(";;")) return true;
    }
    return false;
}

struct DecoderFree {
    void operator()(ps_decoder_t* ps) const { ps_free(ps); }
};
using DecoderPtr = std::unique_ptr<ps_decoder_t, DecoderFree>;

struct ConfigFree {
    void operator()(cmd_ln_t* c) const { cmd_ln_free_r(c); }
};

// PocketSphinx prints a great deal while loading; keep it out of the operator's log unless
// debugging, and keep errors.
void route_engine_log(void*, err_lvl_t level, const char* format, ...) {
    char line[1024];
    va_list args;
    va_start(args, format);
    int n = std::vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n <= 0) return;
    std::string_view text(line, std::min<std::size_t>(std::size_t(n), sizeof line - 1));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.remove_suffix(1);
    if (text.empty()) return;
    // An utterance that stops mid-word (a recording cut short) has no lattice path to its end:
    // PocketSphinx says so as an error, then gives the best path it has. Not the operator's
    // concern.
    const bool benign = text.find("DAG node corresponding to </s>") != std::string_view::npos;
    if (level >= ERR_ERROR && !benign) {
        log().error("[pocketsphinx] {}", text);
    } else {
        log().debug("[pocketsphinx] {}", text);
    }
}

// A word as the decoder spells it, or nothing for fillers and sentence markers.
std::optional<std::string> spoken_word(std::string_view w) {
    if (w.empty() || w.front() == '<' || w.front() == '[' || w.starts_with("++")) return {};
    if (auto paren = w.find('('); paren != std::string_view::npos) w = w.substr(0, paren);
    return std::string(w);
}

// One least-significant bit of noise, the same for every region: upsampled telephone audio has
// an empty band above 4 kHz whose log energies the model never saw, and a noise floor there
// helps (measured in bench/README.md). PocketSphinx's own -dither draws from one generator for
// the decoder's lifetime, so a region would decode differently depending on what came before.
// `state` carries the generator from one piece of a region to the next.
void add_dither(std::span<int16_t> pcm, std::uint32_t& state) {
    for (auto& s : pcm) {
        state = state * 1664525u + 1013904223u;
        int noise = int((state >> 31) & 1) - int((state >> 30) & 1); // -1, 0 or 1
        s = int16_t(std::clamp(int(s) + noise, -32768, 32767));
    }
}

void append_pcm16(std::span<const float> samples, std::vector<int16_t>& pcm) {
    for (float s : samples)
        pcm.push_back(int16_t(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f)));
}

class DecoderPool {
  public:
    // At most `cap` decoders loaded at once (each holds its own copy of the model).
    explicit DecoderPool(PocketSphinxSettings settings,
                         std::size_t cap = std::numeric_limits<std::size_t>::max())
        : m_settings(std::move(settings)), m_cap(cap) {}

    const PocketSphinxSettings& settings() const { return m_settings; }

    // An idle decoder, or a new one; nothing when `cap` are loaded and all are in use.
    std::optional<Result<DecoderPtr>> try_take() {
        {
            std::lock_guard lock(m_mutex);
            if (!m_idle.empty()) {
                DecoderPtr ps = std::move(m_idle.back());
                m_idle.pop_back();
                return Result<DecoderPtr>(std::move(ps));
            }
            if (m_loaded >= m_cap) return std::nullopt;
            ++m_loaded;
        }
        auto loaded = load();
        if (!loaded) {
            std::lock_guard lock(m_mutex);
            --m_loaded;
        }
        return loaded;
    }

    Result<DecoderPtr> take() {
        auto taken = try_take();
        CALLSCRIBE_ASSERT(taken); // only a capped pool says "none"
        return std::move(*taken);
    }

    void give_back(DecoderPtr ps) {
        std::lock_guard lock(m_mutex);
        m_idle.push_back(std::move(ps));
    }

  private:
    Result<DecoderPtr> load() const {
        for (const auto& [what, path] : {std::pair{"acoustic model", m_settings.hmm},
                                         std::pair{"language model", m_settings.lm},
                                         std::pair{"dictionary", m_settings.dict}}) {
            std::error_code ec;
            if (!std::filesystem::exists(path, ec))
                return fail(fmt::format("pocketsphinx {} not found: {}", what, path.string()));
        }
        // PocketSphinx loads an empty dictionary without complaint and then hears nothing, so
        // every call would silently fall back to its realtime transcript.
        if (!has_a_word(m_settings.dict))
            return fail(fmt::format("pocketsphinx dictionary {} has no words (expected lines "
                                    "like \"hello HH AH L OW\")",
                                    m_settings.dict.string()));
        std::vector<std::string> args = {"-hmm",  m_settings.hmm.string(),
                                         "-lm",   m_settings.lm.string(),
                                         "-dict", m_settings.dict.string()};
        // The settings' own options replace the preset's of the same name (PocketSphinx
        // refuses an option given twice).
        const auto& preset = preset_options(m_settings.preset);
        std::map<std::string, std::string> options(preset.begin(), preset.end());
        for (const auto& [key, value] : m_settings.options)
            options[key] = value;
        for (const auto& [key, value] : options)
            args.insert(args.end(), {key, value});
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());

        std::unique_ptr<cmd_ln_t, ConfigFree> config(
            cmd_ln_parse_r(nullptr, ps_args(), int(argv.size()), argv.data(), TRUE));
        if (!config) return fail("pocketsphinx: invalid decoder options (see the log above)");
        DecoderPtr ps(ps_init(config.get()));
        if (!ps)
            return fail(fmt::format("pocketsphinx: cannot load the model from {}",
                                    m_settings.hmm.string()));
        return ps;
    }

    PocketSphinxSettings m_settings;
    std::size_t m_cap;
    std::mutex m_mutex;
    std::size_t m_loaded = 0; // guarded by m_mutex; a decoder dropped after a failure still counts
    std::vector<DecoderPtr> m_idle;
};

// One channel on its way through voice-activity detection into the decoder.
class ChannelDecoder {
  public:
    ChannelDecoder(const ChannelDecoder&) = delete; // the VAD's callbacks hold `this`
    ChannelDecoder& operator=(const ChannelDecoder&) = delete;
    ChannelDecoder(ps_decoder_t* ps, std::string speaker, const PocketSphinxSettings& settings,
                   std::vector<Segment>& out)
        : m_ps(ps), m_speaker(std::move(speaker)), m_out(out),
          m_frame_rate(cmd_ln_int32_r(ps_get_config(ps), "-frate")),
          m_vad(settings.vad, {[this](double s) { m_start_s = s; },
                               [this](std::span<const float> x) { append(x); },
                               [this](double) { decode_region(); }}) {}

    void feed(std::span<const float> samples, bool skip_silence, double max_region_s, int rate) {
        if (skip_silence) return m_vad.feed(samples);
        // Without VAD the channel is cut into fixed regions so memory stays bounded.
        for (float s : samples) {
            append({&s, 1});
            if (m_pcm.size() >= std::size_t(max_region_s * rate)) {
                decode_region();
                m_start_s = m_position_s;
            }
        }
    }

    void finish(bool skip_silence) {
        if (skip_silence) {
            m_vad.finish();
        } else {
            decode_region();
        }
    }

    const Error* error() const { return m_error ? &*m_error : nullptr; }
    double speech_seconds() const { return m_speech_s; }

  private:
    void append(std::span<const float> samples) {
        append_pcm16(samples, m_pcm);
        m_position_s += samples.size() / 16000.0;
    }

    void decode_region() {
        std::vector<int16_t> pcm;
        pcm.swap(m_pcm);
        if (pcm.empty() || m_error) return;
        std::uint32_t dither = 1;
        add_dither(pcm, dither);
        m_speech_s += pcm.size() / 16000.0;
        if (ps_start_utt(m_ps) < 0) {
            m_error =
                fail(fmt::format("pocketsphinx cannot start the region at {:.2f}s", m_start_s));
            return;
        }
        bool processed = ps_process_raw(m_ps, pcm.data(), pcm.size(), FALSE, TRUE) >= 0;
        // Always close the utterance, or the decoder stays mid-utterance for good.
        if (ps_end_utt(m_ps) < 0 || !processed) {
            m_error = fail(fmt::format("pocketsphinx failed on the region at {:.2f}s", m_start_s));
            return;
        }
        Segment segment;
        segment.speaker = m_speaker;
        for (ps_seg_t* seg = ps_seg_iter(m_ps); seg; seg = ps_seg_next(seg)) {
            auto word = spoken_word(ps_seg_word(seg));
            if (!word) continue;
            int first = 0, last = 0;
            ps_seg_frames(seg, &first, &last);
            segment.words.push_back({m_start_s + double(first) / m_frame_rate,
                                     m_start_s + double(last + 1) / m_frame_rate,
                                     std::move(*word)});
        }
        if (segment.words.empty()) return;
        segment.start_s = segment.words.front().start_s;
        segment.end_s = segment.words.back().end_s;
        for (const auto& w : segment.words) {
            if (!segment.text.empty()) segment.text += ' ';
            segment.text += w.text;
        }
        m_out.push_back(std::move(segment));
    }

    ps_decoder_t* m_ps;
    std::string m_speaker;
    std::vector<Segment>& m_out;
    int m_frame_rate;
    audio::VoiceActivityDetector m_vad;
    std::vector<int16_t> m_pcm;
    double m_start_s = 0;
    double m_position_s = 0;
    double m_speech_s = 0;
    std::optional<Error> m_error;
};

class PocketSphinxTranscriber final : public Transcriber {
  public:
    PocketSphinxTranscriber(std::shared_ptr<DecoderPool> pool) : m_pool(std::move(pool)) {}
    ~PocketSphinxTranscriber() override {
        if (m_ps) m_pool->give_back(std::move(m_ps));
    }

    void on_progress(ProgressFn progress) override { m_progress = std::move(progress); }

    Result<Transcript> transcribe(const std::filesystem::path& recording) override {
        if (!m_ps) {
            auto ps = m_pool->take();
            if (!ps) return ps.error();
            m_ps = std::move(*ps);
        }
        auto first = audio::PcmReader::open(recording);
        if (!first) return first.error();
        const auto& settings = m_pool->settings();
        const int channels = first->channels();
        std::vector<char> decoder_failed(static_cast<std::size_t>(channels), 0);

        // Each channel has a decoder of its own (the transcriber's for channel 0, one borrowed
        // from the pool for the others), so channels can run on cores of their own.
        auto transcript = transcribe_channels(
            "pocketsphinx", recording, *first, settings.slots.get(),
            [&](audio::PcmReader& reader, int c, ChannelTranscript& out) {
                DecoderPtr borrowed;
                if (c > 0) {
                    auto ps = m_pool->take();
                    if (!ps) {
                        out.error = ps.error();
                        return;
                    }
                    borrowed = std::move(*ps);
                }
                ChannelDecoder decoder(c > 0 ? borrowed.get() : m_ps.get(),
                                       channels == 1
                                           ? std::string()
                                           : speaker_label(settings.channel_labels, std::size_t(c)),
                                       settings, out.segments);
                decode_channel(reader, c, recording, decoder, out);
                if (decoder.error()) decoder_failed[std::size_t(c)] = 1;
                out.speech_s = decoder.speech_seconds();
                // A decoder that failed is not trusted again: it is dropped, not given back.
                if (borrowed && !decoder.error()) m_pool->give_back(std::move(borrowed));
            });
        if (decoder_failed[0]) m_ps.reset(); // the next transcription loads anew
        return transcript;
    }

  private:
    // Feeds channel `c` of `reader` to `decoder` to the end; errors go to `out`.
    void decode_channel(audio::PcmReader& reader, int c, const std::filesystem::path& recording,
                        ChannelDecoder& decoder, ChannelTranscript& out) const {
        const auto& settings = m_pool->settings();
        if (!read_channel(reader, c, recording, c == 0 ? m_progress : ProgressFn{}, out,
                          [&](std::span<const float> samples) {
                              decoder.feed(samples, settings.skip_silence,
                                           settings.vad.max_region_s, reader.rate());
                              return true;
                          }))
            return;
        decoder.finish(settings.skip_silence);
        if (const Error* e = decoder.error())
            out.error = fail(fmt::format("{}: {}", recording.string(), e->message));
    }

    std::shared_ptr<DecoderPool> m_pool;
    DecoderPtr m_ps;
    ProgressFn m_progress;
};

// Live audio. The final words come from decoding the whole utterance at its end, exactly as a
// recording's region is decoded (the cepstral mean of the whole utterance, the same dither), so
// the live transcript is as good as the offline one. Partial results come from a second,
// streaming pass that runs only when they are asked for: a live transcription that is behind
// stops asking and pays for one pass. The streaming pass has decoders of its own: one that has
// decoded in pieces keeps state that makes its next whole-utterance decode worse (measured: 81 %
// word errors instead of 12 % on an eval utterance), and the recordings' decoders must not
// depend on what the live calls did. A track holds decoders only while it is asked for partial
// results or decoding the end, so a silent track costs none; and the streaming decoders are
// capped at two per core (each is a copy of the model, tens of MiB): past that, a track shows
// no partial words until one is free.
class PocketSphinxUtterances final : public UtteranceDecoder {
  public:
    PocketSphinxUtterances(std::shared_ptr<DecoderPool> pool,
                           std::shared_ptr<DecoderPool> streaming)
        : m_pool(std::move(pool)), m_streaming_pool(std::move(streaming)) {}
    ~PocketSphinxUtterances() override {
        if (m_streaming) ps_end_utt(m_streamer.get());
        if (m_streamer) m_streaming_pool->give_back(std::move(m_streamer));
    }

    Result<void> feed(std::span<const float> samples) override {
        if (m_pcm.empty()) m_dither = 1;
        const std::size_t from = m_pcm.size();
        append_pcm16(samples, m_pcm);
        add_dither(std::span(m_pcm).subspan(from), m_dither);
        return {};
    }

    std::string partial() override {
        if (m_pcm.size() == m_streamed) return {};
        if (!m_streamer) {
            // All the streaming decoders are busy with other tracks: no partial words for now.
            auto ps = m_streaming_pool->try_take();
            if (!ps || !*ps) return {};
            m_streamer = std::move(**ps);
        }
        if (!m_streaming) {
            if (ps_start_utt(m_streamer.get()) < 0) return {};
            m_streaming = true;
        }
        const std::span<const int16_t> fresh = std::span(m_pcm).subspan(m_streamed);
        m_streamed = m_pcm.size();
        if (ps_process_raw(m_streamer.get(), fresh.data(), fresh.size(), FALSE, FALSE) < 0)
            return {};
        const char* hyp = ps_get_hyp(m_streamer.get(), nullptr);
        return hyp ? spoken_text(hyp) : std::string();
    }

    Result<std::string> finish() override {
        std::vector<int16_t> pcm;
        pcm.swap(m_pcm);
        m_streamed = 0;
        if (m_streaming) { // the streaming pass's guess gives way to the whole decode
            ps_end_utt(m_streamer.get());
            m_streaming = false;
            m_streaming_pool->give_back(std::move(m_streamer));
        }
        if (pcm.empty()) return words(std::string());
        auto ps = m_pool->take();
        if (!ps) return ps.error();
        if (ps_start_utt(ps->get()) < 0)
            return fail("pocketsphinx cannot start an utterance"); // the decoder is dropped
        const bool processed = ps_process_raw(ps->get(), pcm.data(), pcm.size(), FALSE, TRUE) >= 0;
        if (ps_end_utt(ps->get()) < 0 || !processed)
            return fail("pocketsphinx failed on live audio");
        const char* hyp = ps_get_hyp(ps->get(), nullptr);
        std::string text = hyp ? spoken_text(hyp) : std::string();
        m_pool->give_back(std::move(*ps));
        return words(std::move(text));
    }

  private:
    // The hypothesis without fillers and sentence markers.
    static std::string spoken_text(std::string_view hyp) {
        std::string text;
        while (!hyp.empty()) {
            const auto space = hyp.find(' ');
            auto word = spoken_word(hyp.substr(0, space));
            hyp = space == std::string_view::npos ? std::string_view{} : hyp.substr(space + 1);
            if (!word) continue;
            if (!text.empty()) text += ' ';
            text += *word;
        }
        return text;
    }

    std::shared_ptr<DecoderPool> m_pool;           // for the whole utterance
    std::shared_ptr<DecoderPool> m_streaming_pool; // for partial results
    DecoderPtr m_streamer;
    std::vector<int16_t> m_pcm; // the utterance so far, dithered
    std::size_t m_streamed = 0; // how much of it the streaming pass has seen
    bool m_streaming = false;
    std::uint32_t m_dither = 1;
};

class PocketSphinxEngine final : public Engine {
  public:
    explicit PocketSphinxEngine(std::shared_ptr<DecoderPool> pool)
        : m_pool(pool), m_live_pool(std::make_shared<DecoderPool>(live_settings(*pool))),
          m_streaming_pool(std::make_shared<DecoderPool>(
              live_settings(*pool), 2 * std::max(1U, std::thread::hardware_concurrency()))) {}
    std::string_view name() const override { return "pocketsphinx"; }
    std::unique_ptr<Transcriber> make_transcriber() const override {
        return std::make_unique<PocketSphinxTranscriber>(m_pool);
    }
    Result<std::unique_ptr<UtteranceDecoder>> make_utterance_decoder() const override {
        return std::unique_ptr<UtteranceDecoder>(
            std::make_unique<PocketSphinxUtterances>(m_live_pool, m_streaming_pool));
    }

  private:
    static PocketSphinxSettings live_settings(const DecoderPool& pool) {
        auto settings = pool.settings();
        settings.preset = Preset::live;
        return settings;
    }

    std::shared_ptr<DecoderPool> m_pool;
    std::shared_ptr<DecoderPool> m_live_pool; // loaded when the first live utterance ends
    std::shared_ptr<DecoderPool> m_streaming_pool;
};

} // namespace

std::optional<Preset> parse_preset(std::string_view name) {
    if (name == "fast") return Preset::fast;
    if (name == "accurate") return Preset::accurate;
    if (name == "live") return Preset::live;
    return std::nullopt;
}

const std::vector<std::pair<std::string, std::string>>& preset_options(Preset preset) {
    // Both: our own VAD cuts the silence, and PocketSphinx's noise and silence removal keep
    // state from one utterance to the next, so the same audio would decode differently
    // depending on what came before (on telephone audio they also cost accuracy).
    static const std::vector<std::pair<std::string, std::string>> accurate = {
        {"-remove_noise", "no"},
        {"-remove_silence", "no"},
    };
    // Fast: no second (flat) search pass, caps on active HMMs and word exits per frame, a wider
    // phone-loop lookahead and tighter lookahead beams.
    static const std::vector<std::pair<std::string, std::string>> fast = [] {
        auto options = accurate;
        options.insert(options.end(), {{"-fwdflat", "no"},
                                       {"-maxhmmpf", "3000"},
                                       {"-maxwpf", "10"},
                                       {"-pl_window", "20"},
                                       {"-lpbeam", "1e-30"},
                                       {"-lponlybeam", "1e-20"}});
        return options;
    }();
    // Live: fast with half the active HMMs per frame, so that the live transcript of 20 calls
    // fits two cores (bench/media).
    static const std::vector<std::pair<std::string, std::string>> live = [] {
        auto options = fast;
        std::erase_if(options, [](const auto& o) { return o.first == "-maxhmmpf"; });
        options.emplace_back("-maxhmmpf", "1500");
        return options;
    }();
    switch (preset) {
    case Preset::fast:
        return fast;
    case Preset::accurate:
        return accurate;
    case Preset::live:
        return live;
    }
    return fast;
}

PocketSphinxSettings pocketsphinx_defaults(const std::filesystem::path& model_dir) {
    PocketSphinxSettings s;
    s.hmm = model_dir / "en-us";
    s.lm = model_dir / "en-us.lm.bin";
    s.dict = model_dir / "cmudict-en-us.dict";
    return s;
}

Result<std::unique_ptr<Engine>> make_pocketsphinx_engine(PocketSphinxSettings settings) {
    static std::once_flag routed;
    std::call_once(routed, [] {
        err_set_logfp(nullptr); // or ps_init prints its whole configuration to stderr
        err_set_callback(route_engine_log, nullptr);
    });
    auto pool = std::make_shared<DecoderPool>(std::move(settings));
    auto first = pool->take();
    if (!first) return first.error();
    pool->give_back(std::move(*first));
    return std::unique_ptr<Engine>(std::make_unique<PocketSphinxEngine>(std::move(pool)));
}

} // namespace callscribe::stt
