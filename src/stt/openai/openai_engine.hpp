#pragma once
// Engine for any OpenAI-compatible transcription service: `POST {base_url}/v1/audio/transcriptions`
// (OpenAI's Whisper API, and self-hosted servers that speak it: faster-whisper-server,
// whisper.cpp's server, ...). The recording is uploaded as multipart/form-data, streamed from
// disk, and the `verbose_json` answer becomes a Transcript with segment and word times.
//
// Channels: a mono recording is uploaded as it is, byte for byte, and its segments have no
// speaker. A two-channel recording (Twilio's dual-channel calls: caller on channel 1, agent on
// channel 2) is split first: each channel is streamed, at 16 kHz, into its own FLAC file in a
// private folder under `temp_root`, each file is uploaded on its own (at the same time when
// `slots` has a free one), and the segments come back
// merged by start time with `speaker` set from `channel_labels` ("Channel N" past the labels).
// The folder is removed when the transcription ends, whether it succeeded or not.
//
// Ownership and threads: the engine shares the HttpClient it is given and is thread-safe; each
// OpenAiTranscriber keeps a reference to its engine, which must outlive it, and is used by one
// thread at a time.
//
// Failures: 429, 408, 5xx and transport errors are retried up to `max_attempts` times in all,
// waiting `Retry-After` seconds when the service sends it and otherwise an exponential backoff
// with full jitter; when the attempts are spent the last failure comes back retryable, with the
// service's Retry-After in Error::retry_after (the service runs with one attempt: its job
// reschedules itself rather than sleep on a transcription worker). Any other
// status is a non-retryable Error carrying the service's own message; so is a 2xx answer that is
// not verbose_json, and a recording that cannot be read.

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"
#include "stt/channel_runner.hpp"
#include "stt/transcriber.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::audio {
class PcmReader;
}

namespace callscribe::stt::openai {

struct OpenAiSettings {
    // e.g. "https://api.openai.com" or "http://127.0.0.1:8000"; a trailing "/v1" is accepted.
    std::string base_url;
    std::string model = "whisper-1";
    Secret api_key{};       // sent as "Authorization: Bearer ..." when not empty
    std::string language{}; // ISO-639-1 hint such as "en"; empty lets the service detect it
    Seconds timeout{300};   // per attempt, upload included
    int max_attempts = 4;   // 1: no waiting inside transcribe()
    Seconds initial_backoff{1};
    // Speakers of channel 1, 2, ... of a two-channel recording.
    std::vector<std::string> channel_labels{"Caller", "Agent"};
    // Where the per-channel files of a two-channel recording are written, each recording in a
    // folder of its own named "callscribe-channels-{pid}-{random}"; empty means
    // std::filesystem::temp_directory_path().
    std::filesystem::path temp_root{};
    // Where the channels' uploads may run at once; nullptr: one after the other. The sleep
    // function is then called from more than one thread.
    std::shared_ptr<CoreSlots> slots{};
};

// How the engine waits between attempts; tests pass a fake that records and returns at once.
using SleepFunction = std::function<void(Seconds)>;

// A verbose_json body as a Transcript (engine "openai"): segment texts trimmed, words placed in
// the segment they fall in. An Error (not retryable) says what is wrong with the body.
Result<Transcript> parse_verbose_json(std::string_view body);

class OpenAiEngine final : public Engine {
  public:
    static constexpr std::string_view k_name = "openai";
    // Waiting longer than this for a Retry-After is not waiting but giving up slowly.
    static constexpr Seconds k_max_retry_after{600};
    static constexpr Seconds k_max_backoff{60};

    // `sleep` defaults to std::this_thread::sleep_for.
    OpenAiEngine(OpenAiSettings settings, std::shared_ptr<net::HttpClient> http,
                 SleepFunction sleep = {});

    std::string_view name() const override { return k_name; }
    std::unique_ptr<Transcriber> make_transcriber() const override;

    const OpenAiSettings& settings() const { return m_settings; }
    // The full URL requests go to: base_url + "/v1/audio/transcriptions".
    const std::string& endpoint() const { return m_endpoint; }

  private:
    friend class OpenAiTranscriber;

    OpenAiSettings m_settings;
    std::string m_endpoint;
    std::shared_ptr<net::HttpClient> m_http;
    SleepFunction m_sleep;
};

class OpenAiTranscriber final : public Transcriber {
  public:
    explicit OpenAiTranscriber(const OpenAiEngine& engine);

    // A mono recording is uploaded as it is; a two-channel one channel by channel (see the top of
    // this header). A recording the audio decoder cannot open (it reads MP3 and WAV) is a
    // non-retryable error, and no request is made; a failed channel fails the whole recording
    // with that channel's error.
    Result<Transcript> transcribe(const std::filesystem::path& recording) override;

    // Called while a two-channel recording is being split: seconds written per channel so far,
    // out of the recording's length (0 when the file does not say).
    void on_progress(ProgressFn progress) override { m_progress = std::move(progress); }

  private:
    // Uploads one audio file and returns its transcript, retrying as the header says.
    Result<Transcript> transcribe_upload(const std::filesystem::path& file,
                                         std::mt19937& random) const;
    // Splits `reader`'s channels into FLAC files, uploads each, and merges the segments.
    Result<Transcript> transcribe_channels(const std::filesystem::path& recording,
                                           audio::PcmReader& reader);

    net::HttpRequest make_request(const std::filesystem::path& file) const;
    Seconds backoff(int attempt, std::mt19937& random) const;

    const OpenAiEngine& m_engine;
    std::mt19937 m_random; // jitter and folder names; one per transcriber, so no lock
    ProgressFn m_progress;
};

} // namespace callscribe::stt::openai
