#include "stt/openai/openai_engine.hpp"

#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "net/retry.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <thread>
#include <unistd.h>
#include <utility>

namespace callscribe::stt::openai {

namespace {

using nlohmann::json;

std::string one_line(std::string_view text, std::size_t limit = 300) {
    std::string out(trim_whitespace(text.substr(0, limit)));
    std::ranges::replace_if(
        out, [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return out;
}

std::string endpoint_for(std::string base) {
    while (base.ends_with('/'))
        base.pop_back();
    if (!base.ends_with("/v1")) base += "/v1";
    return base + "/audio/transcriptions";
}

// The services mostly guess the format from the file name; the part's type is a courtesy.
std::string audio_content_type(const std::filesystem::path& file) {
    std::string extension = file.extension().string();
    std::ranges::transform(extension, extension.begin(),
                           [](unsigned char c) { return std::tolower(c); });
    if (extension == ".mp3") return "audio/mpeg";
    if (extension == ".wav") return "audio/wav";
    if (extension == ".flac") return "audio/flac";
    if (extension == ".ogg" || extension == ".oga") return "audio/ogg";
    if (extension == ".m4a" || extension == ".mp4") return "audio/mp4";
    if (extension == ".webm") return "audio/webm";

    char head[12] = {};
    std::ifstream(file, std::ios::binary).read(head, sizeof head);
    const std::string_view magic(head, sizeof head);
    if (magic.starts_with("RIFF") && magic.substr(8, 4) == "WAVE") return "audio/wav";
    if (magic.starts_with("ID3") ||
        (static_cast<unsigned char>(head[0]) == 0xff && (head[1] & 0xe0) == 0xe0)) {
        return "audio/mpeg";
    }
    return "application/octet-stream";
}

// OpenAI says {"error":{"message":...}}; FastAPI-based servers say {"detail":...}; others say
// something else, and then the body itself is the best message there is.
std::string service_message(std::string_view body) {
    const json parsed = json::parse(body, nullptr, false);
    if (parsed.is_object()) {
        if (const auto error = parsed.find("error"); error != parsed.end()) {
            if (error->is_object() && error->contains("message") &&
                (*error)["message"].is_string()) {
                return one_line((*error)["message"].get<std::string>());
            }
            if (error->is_string()) return one_line(error->get<std::string>());
        }
        if (const auto detail = parsed.find("detail"); detail != parsed.end()) {
            return one_line(detail->is_string() ? detail->get<std::string>() : detail->dump());
        }
    }
    return one_line(body);
}

bool is_number(const json& value) {
    return value.is_number();
}

// The segment a word belongs to: the one its middle falls in, else the nearest.
std::size_t segment_for(const std::vector<Segment>& segments, double middle) {
    const auto after = std::ranges::upper_bound(segments, middle, {}, &Segment::start_s);
    if (after == segments.begin()) return 0;
    const auto index = static_cast<std::size_t>(after - segments.begin()) - 1;
    if (middle <= segments[index].end_s || index + 1 == segments.size()) return index;
    const double gap_before = middle - segments[index].end_s;
    const double gap_after = segments[index + 1].start_s - middle;
    return gap_after < gap_before ? index + 1 : index;
}

// A folder of its own for one recording's channel files, removed with everything in it when
// this goes away (on success, on an error, on an exception).
class ScratchDir {
  public:
    static Result<ScratchDir> create(const std::filesystem::path& root, std::mt19937& random) {
        std::error_code ec;
        const std::filesystem::path parent =
            root.empty() ? std::filesystem::temp_directory_path(ec) : root;
        if (ec) return fail(fmt::format("no temporary folder: {}", ec.message()));
        for (int attempt = 0; attempt < 16; ++attempt) {
            const std::uint64_t tag = (std::uint64_t{random()} << 32) | random();
            std::filesystem::path dir =
                parent / fmt::format("callscribe-channels-{}-{:016x}", ::getpid(), tag);
            if (std::filesystem::create_directory(dir, ec)) return ScratchDir(std::move(dir));
            if (ec) {
                return fail(
                    fmt::format("cannot create a folder in {}: {}", parent.string(), ec.message()));
            }
        }
        return fail(fmt::format("cannot create a folder of its own in {}", parent.string()));
    }

    ScratchDir(ScratchDir&& other) noexcept : m_dir(std::exchange(other.m_dir, {})) {}
    ScratchDir& operator=(ScratchDir&&) = delete;
    ~ScratchDir() {
        if (m_dir.empty()) return;
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
        if (ec) log().warn("Cannot remove temporary folder {}: {}", m_dir.string(), ec.message());
    }

    const std::filesystem::path& path() const { return m_dir; }

  private:
    explicit ScratchDir(std::filesystem::path dir) : m_dir(std::move(dir)) {}
    std::filesystem::path m_dir;
};

} // namespace

Result<Transcript> parse_verbose_json(std::string_view body) {
    const json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded()) {
        return fail(fmt::format("transcription answer is not JSON: \"{}\"", one_line(body, 80)));
    }
    if (!parsed.is_object()) return fail("transcription answer is not a JSON object");

    Transcript transcript;
    transcript.engine = std::string(OpenAiEngine::k_name);
    std::string text;
    if (const auto it = parsed.find("text"); it != parsed.end()) {
        if (!it->is_string()) return fail("transcription answer: \"text\" is not a string");
        text = std::string(trim_whitespace(it->get<std::string>()));
    }
    if (const auto it = parsed.find("duration"); it != parsed.end() && !it->is_null()) {
        if (!is_number(*it)) return fail("transcription answer: \"duration\" is not a number");
        transcript.audio_s = it->get<double>();
    }

    if (const auto it = parsed.find("segments"); it != parsed.end() && !it->is_null()) {
        if (!it->is_array()) return fail("transcription answer: \"segments\" is not an array");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& item = (*it)[i];
            if (!item.is_object() || !item.contains("start") || !is_number(item["start"]) ||
                !item.contains("end") || !is_number(item["end"]) || !item.contains("text") ||
                !item["text"].is_string()) {
                return fail(fmt::format(
                    "transcription answer: segment {} lacks a numeric start/end or a text", i));
            }
            transcript.segments.push_back(
                Segment{.start_s = item["start"].get<double>(),
                        .end_s = item["end"].get<double>(),
                        .speaker = {},
                        .text = std::string(trim_whitespace(item["text"].get<std::string>())),
                        .words = {}});
        }
    } else if (parsed.find("text") == parsed.end()) {
        return fail(
            "transcription answer has neither \"text\" nor \"segments\" (not verbose_json)");
    }
    std::ranges::stable_sort(transcript.segments, {}, &Segment::start_s);
    if (transcript.segments.empty() && !text.empty()) {
        // A service that gives no segments still gave the words: one segment spans the audio.
        transcript.segments.push_back(Segment{
            .start_s = 0, .end_s = transcript.audio_s, .speaker = {}, .text = text, .words = {}});
    }
    if (transcript.audio_s == 0 && !transcript.segments.empty()) {
        transcript.audio_s = transcript.segments.back().end_s;
    }

    if (const auto it = parsed.find("words"); it != parsed.end() && !it->is_null()) {
        if (!it->is_array()) return fail("transcription answer: \"words\" is not an array");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& item = (*it)[i];
            if (!item.is_object() || !item.contains("start") || !is_number(item["start"]) ||
                !item.contains("end") || !is_number(item["end"]) || !item.contains("word") ||
                !item["word"].is_string()) {
                return fail(fmt::format(
                    "transcription answer: word {} lacks a numeric start/end or a word", i));
            }
            Word word{.start_s = item["start"].get<double>(),
                      .end_s = item["end"].get<double>(),
                      .text = std::string(trim_whitespace(item["word"].get<std::string>()))};
            if (transcript.segments.empty()) continue;
            auto& segment =
                transcript
                    .segments[segment_for(transcript.segments, (word.start_s + word.end_s) / 2)];
            segment.words.push_back(std::move(word));
        }
    }
    return transcript;
}

OpenAiEngine::OpenAiEngine(OpenAiSettings settings, std::shared_ptr<net::HttpClient> http,
                           SleepFunction sleep)
    : m_settings(std::move(settings)), m_endpoint(endpoint_for(m_settings.base_url)),
      m_http(std::move(http)), m_sleep(std::move(sleep)) {
    CALLSCRIBE_ASSERT(m_http != nullptr);
    if (!m_sleep) m_sleep = [](Seconds wait) { std::this_thread::sleep_for(wait); };
}

std::unique_ptr<Transcriber> OpenAiEngine::make_transcriber() const {
    return std::make_unique<OpenAiTranscriber>(*this);
}

OpenAiTranscriber::OpenAiTranscriber(const OpenAiEngine& engine)
    : m_engine(engine), m_random(std::random_device{}()) {}

Result<Transcript> OpenAiTranscriber::transcribe(const std::filesystem::path& recording) {
    audio::AudioInfo info;
    {
        auto reader = audio::PcmReader::open(recording);
        if (!reader) return reader.error();
        if (reader->channels() > 1) return transcribe_channels(recording, *reader);
        info = reader->source_info();
    }
    // Mono: the original bytes, so the service hears exactly what was recorded.
    auto transcript = transcribe_upload(recording, m_random);
    if (!transcript) return transcript;
    transcript->speech_s = info.frames > 0 && info.sample_rate > 0
                               ? static_cast<double>(info.frames) / info.sample_rate
                               : transcript->audio_s;
    return transcript;
}

Result<Transcript> OpenAiTranscriber::transcribe_channels(const std::filesystem::path& recording,
                                                          audio::PcmReader& reader) {
    const auto channels = static_cast<std::size_t>(reader.channels());
    const int rate = reader.rate();
    auto scratch = ScratchDir::create(m_engine.m_settings.temp_root, m_random);
    if (!scratch) return scratch.error();

    // Every channel streamed into its own file, chunk by chunk.
    std::vector<std::filesystem::path> files;
    std::vector<audio::WavWriter> writers;
    for (std::size_t c = 0; c < channels; ++c) {
        files.push_back(scratch->path() /
                        fmt::format("{}-channel{}.flac", recording.stem().string(), c + 1));
        auto writer = audio::WavWriter::create(files.back(), rate, 1, audio::OutputFormat::flac);
        if (!writer) return writer.error();
        writers.push_back(std::move(*writer));
    }
    const audio::AudioInfo& info = reader.source_info();
    const double total_s = info.frames > 0 && info.sample_rate > 0
                               ? static_cast<double>(info.frames) / info.sample_rate
                               : 0.0;
    std::int64_t frames = 0;
    std::vector<std::vector<float>> chunk;
    for (;;) {
        auto more = reader.next(chunk);
        if (!more) return more.error();
        if (!*more) break;
        for (std::size_t c = 0; c < channels; ++c) {
            if (auto written = writers[c].write(chunk[c]); !written) return written.error();
        }
        frames += static_cast<std::int64_t>(chunk[0].size());
        if (m_progress) m_progress(static_cast<double>(frames) / rate, total_s);
    }
    for (auto& writer : writers) {
        if (auto finished = writer.finish(); !finished) return finished.error();
    }
    writers.clear();
    const double audio_s = static_cast<double>(frames) / rate;

    // The uploads in parallel where transcription slots are free; each its own jitter generator.
    std::vector<Result<Transcript>> results(channels, fail("not transcribed"));
    std::vector<std::mt19937> randoms;
    for (std::size_t c = 0; c < channels; ++c)
        randoms.emplace_back(m_random());
    run_channels(int(channels), m_engine.m_settings.slots.get(), [&](int c) {
        results[std::size_t(c)] = transcribe_upload(files[std::size_t(c)], randoms[std::size_t(c)]);
    });

    Transcript merged;
    merged.engine = std::string(OpenAiEngine::k_name);
    merged.audio_s = audio_s;
    for (std::size_t c = 0; c < channels; ++c) {
        auto& transcript = results[c];
        if (!transcript) {
            Error error = transcript.error();
            error.message =
                fmt::format("{} channel {}: {}", recording.string(), c + 1, error.message);
            return error;
        }
        const std::string speaker = speaker_label(m_engine.m_settings.channel_labels, c);
        for (auto& segment : transcript->segments) {
            segment.speaker = speaker;
            merged.segments.push_back(std::move(segment));
        }
        merged.speech_s += audio_s;
    }
    std::ranges::stable_sort(merged.segments, {}, &Segment::start_s);
    return merged;
}

net::HttpRequest OpenAiTranscriber::make_request(const std::filesystem::path& file) const {
    const OpenAiSettings& settings = m_engine.m_settings;
    net::HttpRequest request{.method = "POST", .url = m_engine.m_endpoint};
    request.timeout = settings.timeout;
    if (!settings.api_key.empty()) request.bearer_token = settings.api_key;
    request.form = {
        net::FormPart{.name = "file",
                      .file = file,
                      .filename = file.filename().string(),
                      .content_type = audio_content_type(file)},
        net::FormPart{.name = "model", .value = settings.model},
        net::FormPart{.name = "response_format", .value = "verbose_json"},
        net::FormPart{.name = "timestamp_granularities[]", .value = "segment"},
        net::FormPart{.name = "timestamp_granularities[]", .value = "word"},
    };
    if (!settings.language.empty()) {
        request.form.push_back(net::FormPart{.name = "language", .value = settings.language});
    }
    return request;
}

Seconds OpenAiTranscriber::backoff(int attempt, std::mt19937& random) const {
    return net::jittered_backoff({m_engine.m_settings.initial_backoff, OpenAiEngine::k_max_backoff},
                                 attempt, random);
}

Result<Transcript> OpenAiTranscriber::transcribe_upload(const std::filesystem::path& file,
                                                        std::mt19937& random) const {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return fail(fmt::format("cannot read recording {}", file.string()));
    }
    const std::string where = net::redact_url(m_engine.m_endpoint);
    const net::HttpRequest request = make_request(file);
    const int attempts = std::max(1, m_engine.m_settings.max_attempts);

    for (int attempt = 1;; ++attempt) {
        Error failure;
        std::optional<Seconds> wait;
        auto response = m_engine.m_http->send(request);
        if (!response) {
            failure = response.error();
            if (!failure.retryable) return failure;
        } else if (response->status >= 200 && response->status < 300) {
            auto transcript = parse_verbose_json(response->body);
            if (!transcript) return fail(fmt::format("{} ({})", transcript.error().message, where));
            return transcript;
        } else {
            const int status = response->status;
            const std::string message = service_message(response->body);
            failure.message = fmt::format("transcription service answered {}{}{} ({})", status,
                                          message.empty() ? "" : ": ", message, where);
            failure.retryable = status == 429 || status == 408 || status >= 500;
            if (!failure.retryable) return failure;
            wait = net::retry_after(*response, OpenAiEngine::k_max_retry_after);
        }

        if (attempt >= attempts) {
            // The caller waits: a job reschedules itself instead of holding a worker.
            if (attempts > 1)
                failure.message += fmt::format(" (gave up after {} attempts)", attempts);
            failure.retryable = true;
            failure.retry_after = wait;
            return failure;
        }
        const Seconds delay = wait.value_or(backoff(attempt, random));
        log().warn("[STT openai] Transcription attempt {}/{} failed: {}; retrying in {:.1f}s",
                   attempt, attempts, failure.message, delay.count());
        m_engine.m_sleep(delay);
    }
}

} // namespace callscribe::stt::openai
