#pragma once
// Configuration: the environment and an optional TOML file → one validated settings struct per
// area. This is the only component that knows variable names; every other class takes the
// settings struct it needs.
//
// Contract
// - Sources: the environment (passed in as a map; `process_environment()` is the only code that
//   reads the real one) and, optionally, a TOML file that sets the same keys, written either as
//   the variable name (`TWILIO_ACCOUNT_SID = "AC…"`) or in lower case (`twilio_account_sid`).
//   The environment wins. An empty value counts as unset (so an empty variable does not hide
//   the file's value).
// - TOML values may be strings, integers, floats, booleans or arrays (lists: backoff delays and
//   channel labels); a string list may also be written "3,5,10".
// - Failure: `load_config` throws `ConfigError` on the first problem: unknown TOML key, TOML
//   syntax error (`FILE:LINE:COL: message`), missing file, or an invalid value. `what()` is one
//   line naming the variable; it never contains a secret's value. Nothing is half-configured.
// - Pure: no I/O beyond reading the TOML file; paths are not checked for existence here.
// - Thread safety: all functions are reentrant; `Config` is a plain value.

#include "core/clock.hpp"
#include "core/secret.hpp"

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::config {

struct TwilioSettings {
    std::string account_sid; // TWILIO_ACCOUNT_SID: AC + 32 hex digits, or empty
    Secret auth_token;       // TWILIO_AUTH_TOKEN
    std::string api_key;     // TWILIO_API_KEY: SK + 32 hex digits, or empty (set with api_secret)
    Secret api_secret;       // TWILIO_API_SECRET
    std::string api_base = "https://api.twilio.com"; // TWILIO_API_BASE, no trailing '/'
};

struct StorageSettings {
    std::filesystem::path data_dir = "./data"; // CALLSCRIBE_DATA_DIR
    // CALLSCRIBE_DATABASE_URL, default sqlite://{data_dir}/callscribe.db; or postgresql://… (any
    // libpq URI; also postgres://)
    std::string database_url;
    int database_pool = 8; // CALLSCRIBE_DATABASE_POOL 1..1000: PostgreSQL connections per process
};

struct HttpSettings {
    std::string listen = "127.0.0.1:8080"; // CALLSCRIBE_LISTEN: host:port or [v6]:port
    std::string public_url; // CALLSCRIBE_PUBLIC_URL, default http://{listen}, no trailing '/'
    Secret api_token;       // CALLSCRIBE_API_TOKEN; empty = /api/* is open
    // CALLSCRIBE_MAX_CONNECTIONS 16..1,000,000; 0 ("auto") = the descriptor limit less 128.
    int max_connections = 0;
};

// Where POST /twilio/voice sends the call once callscribe's recording (and transcription) have
// started (CALLSCRIBE_VOICE_CONTINUE).
struct VoiceContinue {
    enum class Kind { none, dial_number, dial_sip, redirect };
    Kind kind = Kind::none; // none: not set; /twilio/voice answers 503
    std::string target;     // "+15551234567", "sip:desk@example.com" or "https://…/twiml"
};

struct VoiceSettings {
    VoiceContinue next;
    // CALLSCRIBE_REALTIME: the live transcript /twilio/voice starts: "twilio" (Twilio's
    // Real-Time Transcription, the default), "stream" (a Media Stream to /twilio/media, which
    // also gives callscribe its own recording of the call) or "none".
    std::string realtime = "twilio";
    // CALLSCRIBE_LIVE_WORKERS 0..256, default hardware_concurrency(): threads that transcribe
    // media streams as they arrive; 0: streams are recorded, not transcribed live.
    int live_workers = 1;
};

struct WebhookSettings {
    std::string url; // CALLSCRIBE_WEBHOOK_URL; empty = no webhook
    // CALLSCRIBE_WEBHOOK_SECRET is written "whsec_<base64>" (Standard Webhooks); this holds the
    // DECODED key bytes, i.e. the HMAC-SHA256 key itself. Empty = deliveries are unsigned.
    Secret secret;
    std::vector<Seconds>
        backoff; // CALLSCRIBE_WEBHOOK_BACKOFF, default 5,300,1800,7200,18000,36000,36000
    // One attempt's limit; Standard Webhooks recommends 15–30 s. Not read from the
    // environment: the outbox's lease is sized for it.
    Seconds timeout{15};
    int version = 2; // CALLSCRIBE_WEBHOOK_VERSION: the payload's version, 1 or 2
};

struct JobSettings {
    std::vector<Seconds> ready_backoff; // CALLSCRIBE_READY_BACKOFF, default 3,5,5,10,10
    Seconds not_found_wait{5};          // CALLSCRIBE_NOT_FOUND_WAIT
    int workers = 1; // CALLSCRIBE_WORKERS 1..256, default hardware_concurrency() (at least 1)
    // CALLSCRIBE_JOB_LEASE: how long a worker holds a job without renewing it (it renews every
    // third of it); a crashed worker's job is taken over after this long. > 0.
    Seconds lease{60};
};

// The values CALLSCRIBE_STT_ENGINE accepts. Settings cannot see the engines (they depend on the
// settings); stt/engines.cpp's table must name the same engines in the same order, which
// tests/unit/stt/engine_registry_test.cpp checks.
inline constexpr std::array<std::string_view, 3> k_stt_engine_names{"pocketsphinx", "whisper",
                                                                    "openai"};

struct SttSettings {
    std::string engine = "pocketsphinx"; // CALLSCRIBE_STT_ENGINE: pocketsphinx | whisper | openai
    std::filesystem::path ps_model_dir;  // CALLSCRIBE_PS_MODEL_DIR, default: build-time folder
    std::filesystem::path ps_hmm;        // CALLSCRIBE_PS_HMM, default {model_dir}/en-us
    std::filesystem::path ps_lm;         // CALLSCRIBE_PS_LM, default {model_dir}/en-us.lm.bin
    std::filesystem::path ps_dict;  // CALLSCRIBE_PS_DICT, default {model_dir}/cmudict-en-us.dict
    std::string ps_preset = "fast"; // CALLSCRIBE_PS_PRESET: fast | accurate (bench/README.md)
    std::string url = "https://api.openai.com"; // CALLSCRIBE_STT_URL, no trailing '/'
    std::string model = "whisper-1";            // CALLSCRIBE_STT_MODEL
    Secret api_key;                             // OPENAI_API_KEY
    std::string language = "en";         // CALLSCRIBE_STT_LANGUAGE: ISO 639-1, or "auto" to detect
    std::string prompt;                  // CALLSCRIBE_STT_PROMPT: names and products (whisper)
    std::filesystem::path whisper_model; // CALLSCRIBE_WHISPER_MODEL: a ggml .bin
    int whisper_threads = 0; // CALLSCRIBE_WHISPER_THREADS per channel; 0: cores / workers
    // CALLSCRIBE_MODEL_BASE_URL: where `callscribe models fetch` downloads from
    std::string model_base_url = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";
    std::vector<std::string> channel_labels{"Caller", "Agent"}; // CALLSCRIBE_CHANNEL_LABELS, 1 or 2
};

struct Config {
    TwilioSettings twilio;
    StorageSettings storage;
    HttpSettings http;
    VoiceSettings voice;
    WebhookSettings webhook;
    JobSettings jobs;
    SttSettings stt;
};

// A configuration problem. `what()` is the one line to print (it names the variable, TOML key
// or file); `subject()` is that name alone.
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string subject, const std::string& message)
        : std::runtime_error(message), m_subject(std::move(subject)) {}
    const std::string& subject() const { return m_subject; }

  private:
    std::string m_subject;
};

using Environment = std::map<std::string, std::string>;

// The process environment as a map (reads ::environ; the only code that does).
Environment process_environment();

// Merges `env` over `toml_file` (when given), applies defaults and validates. Throws ConfigError.
Config load_config(const Environment& env,
                   const std::optional<std::filesystem::path>& toml_file = std::nullopt);

// One "KEY = value" line per variable, in k_variables' order, with derived defaults filled
// in and secrets shown as *** (or "(not set)"). For `--print-config`.
std::string describe(const Config& config);

} // namespace callscribe::config
