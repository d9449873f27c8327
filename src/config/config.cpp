#include "config/config.hpp"

#include "config/parsers.hpp"
#include "config/raw_values.hpp"
#include "core/base64.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <thread>
#include <utility>

#ifndef CALLSCRIBE_PS_MODEL_DIR
#define CALLSCRIBE_PS_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
#endif

namespace callscribe::config {

namespace {

constexpr std::string_view k_default_ready_backoff = "3,5,5,10,10";
constexpr std::string_view k_default_webhook_backoff = "5,300,1800,7200,18000,36000,36000";
constexpr std::string_view k_openai_url = "https://api.openai.com";
constexpr std::string_view k_webhook_secret_prefix = "whsec_";
constexpr int k_max_workers = 256;
constexpr int k_max_database_pool = 1000;
constexpr Seconds k_min_lease{2};
constexpr int k_min_connections = 16;
constexpr int k_max_connections = 1'000'000;

std::string without_trailing_slashes(std::string url) {
    while (url.ends_with('/') && !url.ends_with("://"))
        url.pop_back();
    return url;
}

// Reads the merged raw values and turns every problem into one ConfigError line of the form
//   NAME="value" (from FILE): problem        or, for secrets,   NAME (value not shown): problem
// Echoed values pass through redact(), so a secret pasted into the wrong variable and URL
// passwords are not repeated.
class Reader {
  public:
    Reader(RawValues values, std::vector<std::string> secrets)
        : m_values(std::move(values)), m_secrets(std::move(secrets)) {}

    // The value of a single-valued variable, or nullopt when unset.
    std::optional<std::string> text(std::string_view name) const {
        const RawValue* raw = find(name);
        if (raw == nullptr) return std::nullopt;
        if (raw->is_array) fail(name, "takes a single value, not an array");
        return raw->text;
    }

    // The items of a list variable ("a,b" or a TOML array), or nullopt when unset.
    std::optional<std::vector<std::string>> list(std::string_view name) const {
        const RawValue* raw = find(name);
        if (raw == nullptr) return std::nullopt;
        return raw->is_array ? raw->items : split_list(raw->text);
    }

    template <class T> T value_or_fail(std::string_view name, Result<T> parsed) const {
        if (!parsed) fail(name, parsed.error().message);
        return std::move(*parsed);
    }

    Secret secret(std::string_view name) const {
        auto value = text(name);
        if (!value) return {};
        bool clean = std::none_of(value->begin(), value->end(), [](char c) {
            auto u = static_cast<unsigned char>(c);
            return std::isspace(u) != 0 || std::iscntrl(u) != 0;
        });
        if (!clean) fail(name, "contains whitespace or control characters (a stray newline?)");
        return Secret{*value};
    }

    [[noreturn]] void fail(std::string_view name, std::string_view problem) const {
        const RawValue* raw = find(name);
        std::string subject(name);
        if (raw != nullptr && !is_secret(name)) subject.append("=").append(in_quotes(raw->text));
        if (raw != nullptr && is_secret(name)) subject += " (value not shown)";
        if (raw != nullptr && !raw->origin.empty())
            subject.append(" (from ").append(raw->origin).append(")");
        throw ConfigError(std::string(name),
                          redact(fmt::format("{}: {}", subject, problem), m_secrets));
    }

    // For problems between variables: the message names them and shows no value.
    [[noreturn]] void fail_plain(std::string_view name, std::string_view message) const {
        throw ConfigError(std::string(name), redact(std::string(message), m_secrets));
    }

  private:
    const RawValue* find(std::string_view name) const {
        auto it = m_values.find(name);
        return it == m_values.end() ? nullptr : &it->second;
    }

    RawValues m_values;
    std::vector<std::string> m_secrets;
};

std::vector<std::string> all_secrets(const Environment& env, const RawValues& values) {
    std::vector<std::string> secrets = secret_values(env);
    for (const auto& [name, raw] : values) {
        if (is_secret(name)) secrets.push_back(raw.text);
    }
    return secrets;
}

std::string http_url(const Reader& r, std::string_view name, std::string fallback) {
    auto text = r.text(name);
    if (!text) return fallback;
    auto url = r.value_or_fail(name, parse_http_url(*text));
    // Paths are appended to a base URL: a query would end up in the middle of every request's.
    if (url.find('?') != std::string::npos)
        r.fail(name, "is a base URL and takes no ?query (http[s]://host[:port][/path])");
    return without_trailing_slashes(std::move(url));
}

std::vector<Seconds> delays(const Reader& r, std::string_view name, std::string_view fallback) {
    auto items = r.list(name);
    if (!items) return *parse_delays(split_list(fallback));
    return r.value_or_fail(name, parse_delays(*items));
}

std::filesystem::path path_or(const Reader& r, std::string_view name,
                              std::filesystem::path fallback) {
    auto text = r.text(name);
    return text ? std::filesystem::path(*text) : fallback;
}

TwilioSettings read_twilio(const Reader& r) {
    TwilioSettings s;
    if (auto sid = r.text("TWILIO_ACCOUNT_SID")) {
        if (!is_sid(*sid, "AC")) {
            r.fail("TWILIO_ACCOUNT_SID", "is not an Account SID (AC followed by 32 hex digits)");
        }
        s.account_sid = *sid;
    }
    s.auth_token = r.secret("TWILIO_AUTH_TOKEN");
    if (auto key = r.text("TWILIO_API_KEY")) {
        if (!is_sid(*key, "SK")) {
            r.fail("TWILIO_API_KEY", "is not an API key SID (SK followed by 32 hex digits)");
        }
        s.api_key = *key;
    }
    s.api_secret = r.secret("TWILIO_API_SECRET");
    if (!s.api_key.empty() && s.api_secret.empty()) {
        r.fail_plain("TWILIO_API_SECRET",
                     "TWILIO_API_KEY is set but TWILIO_API_SECRET is not (set both or neither)");
    }
    if (s.api_key.empty() && !s.api_secret.empty()) {
        r.fail_plain("TWILIO_API_KEY",
                     "TWILIO_API_SECRET is set but TWILIO_API_KEY is not (set both or neither)");
    }
    s.api_base = http_url(r, "TWILIO_API_BASE", s.api_base);
    return s;
}

StorageSettings read_storage(const Reader& r) {
    StorageSettings s;
    s.data_dir = path_or(r, "CALLSCRIBE_DATA_DIR", s.data_dir);
    if (auto pool = r.text("CALLSCRIBE_DATABASE_POOL")) {
        s.database_pool =
            r.value_or_fail("CALLSCRIBE_DATABASE_POOL", parse_int(*pool, 1, k_max_database_pool));
    }
    auto url = r.text("CALLSCRIBE_DATABASE_URL");
    if (!url) {
        s.database_url = "sqlite://" + (s.data_dir / "callscribe.db").string();
        return s;
    }
    const bool postgres = url->starts_with("postgresql://") || url->starts_with("postgres://");
    if (!postgres && !url->starts_with("sqlite://")) {
        r.fail("CALLSCRIBE_DATABASE_URL",
               "must start with sqlite:// (e.g. sqlite://./data/db) or postgresql:// (e.g. "
               "postgresql://user@host/db)");
    }
    if (url->size() == std::string_view("sqlite://").size()) {
        r.fail("CALLSCRIBE_DATABASE_URL", "needs a file path after sqlite://");
    }
    s.database_url = *url;
    return s;
}

HttpSettings read_http(const Reader& r) {
    HttpSettings s;
    if (auto listen = r.text("CALLSCRIBE_LISTEN")) {
        s.listen = r.value_or_fail("CALLSCRIBE_LISTEN", parse_listen(*listen));
    }
    s.public_url = http_url(r, "CALLSCRIBE_PUBLIC_URL", "http://" + s.listen);
    s.api_token = r.secret("CALLSCRIBE_API_TOKEN");
    if (auto cap = r.text("CALLSCRIBE_MAX_CONNECTIONS"); cap && *cap != "auto") {
        s.max_connections = r.value_or_fail("CALLSCRIBE_MAX_CONNECTIONS",
                                            parse_int(*cap, k_min_connections, k_max_connections));
    }
    return s;
}

VoiceSettings read_voice(const Reader& r) {
    VoiceSettings s;
    if (auto next = r.text("CALLSCRIBE_VOICE_CONTINUE"); next && !next->empty())
        s.next = r.value_or_fail("CALLSCRIBE_VOICE_CONTINUE", parse_voice_continue(*next));
    if (auto realtime = r.text("CALLSCRIBE_REALTIME")) {
        if (*realtime != "twilio" && *realtime != "stream" && *realtime != "none")
            r.fail("CALLSCRIBE_REALTIME", "must be \"twilio\", \"stream\" or \"none\"");
        s.realtime = *realtime;
    }
    if (auto workers = r.text("CALLSCRIBE_LIVE_WORKERS")) {
        s.live_workers =
            r.value_or_fail("CALLSCRIBE_LIVE_WORKERS", parse_int(*workers, 0, k_max_workers));
    } else {
        s.live_workers =
            std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, k_max_workers);
    }
    return s;
}

WebhookSettings read_webhook(const Reader& r) {
    WebhookSettings s;
    if (auto version = r.text("CALLSCRIBE_WEBHOOK_VERSION"))
        s.version = r.value_or_fail("CALLSCRIBE_WEBHOOK_VERSION", parse_int(*version, 1, 2));
    if (auto url = r.text("CALLSCRIBE_WEBHOOK_URL")) {
        s.url = r.value_or_fail("CALLSCRIBE_WEBHOOK_URL", parse_http_url(*url));
    }
    Secret written = r.secret("CALLSCRIBE_WEBHOOK_SECRET");
    if (!written.empty()) {
        const std::string& text = written.reveal();
        if (!text.starts_with(k_webhook_secret_prefix)) {
            r.fail("CALLSCRIBE_WEBHOOK_SECRET",
                   "must be \"whsec_\" followed by base64 (Standard Webhooks)");
        }
        auto key = decode_base64(std::string_view(text).substr(k_webhook_secret_prefix.size()));
        if (!key) {
            r.fail("CALLSCRIBE_WEBHOOK_SECRET",
                   fmt::format("the part after \"whsec_\" {}", key.error().message));
        }
        if (key->empty()) r.fail("CALLSCRIBE_WEBHOOK_SECRET", "has an empty key after \"whsec_\"");
        s.secret = Secret{std::move(*key)};
    }
    s.backoff = delays(r, "CALLSCRIBE_WEBHOOK_BACKOFF", k_default_webhook_backoff);
    return s;
}

JobSettings read_jobs(const Reader& r) {
    JobSettings s;
    s.ready_backoff = delays(r, "CALLSCRIBE_READY_BACKOFF", k_default_ready_backoff);
    if (auto wait = r.text("CALLSCRIBE_NOT_FOUND_WAIT")) {
        s.not_found_wait = r.value_or_fail("CALLSCRIBE_NOT_FOUND_WAIT", parse_seconds(*wait));
    }
    if (auto lease = r.text("CALLSCRIBE_JOB_LEASE")) {
        s.lease = r.value_or_fail("CALLSCRIBE_JOB_LEASE", parse_seconds(*lease));
        if (s.lease < k_min_lease)
            r.fail("CALLSCRIBE_JOB_LEASE",
                   fmt::format("must be at least {} seconds (a worker renews it every third; a "
                               "shorter one expires under a running step)",
                               k_min_lease.count()));
    }
    if (auto workers = r.text("CALLSCRIBE_WORKERS")) {
        s.workers = r.value_or_fail("CALLSCRIBE_WORKERS", parse_int(*workers, 1, k_max_workers));
    } else {
        s.workers =
            std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, k_max_workers);
    }
    return s;
}

SttSettings read_stt(const Reader& r) {
    SttSettings s;
    if (auto engine = r.text("CALLSCRIBE_STT_ENGINE")) {
        if (std::ranges::find(k_stt_engine_names, *engine) == k_stt_engine_names.end()) {
            r.fail("CALLSCRIBE_STT_ENGINE",
                   fmt::format("must be one of: {}", fmt::join(k_stt_engine_names, ", ")));
        }
        s.engine = *engine;
    }
    s.ps_model_dir = path_or(r, "CALLSCRIBE_PS_MODEL_DIR", CALLSCRIBE_PS_MODEL_DIR);
    s.ps_hmm = path_or(r, "CALLSCRIBE_PS_HMM", s.ps_model_dir / "en-us");
    s.ps_lm = path_or(r, "CALLSCRIBE_PS_LM", s.ps_model_dir / "en-us.lm.bin");
    s.ps_dict = path_or(r, "CALLSCRIBE_PS_DICT", s.ps_model_dir / "cmudict-en-us.dict");
    if (auto preset = r.text("CALLSCRIBE_PS_PRESET")) {
        if (*preset != "fast" && *preset != "accurate") {
            r.fail("CALLSCRIBE_PS_PRESET", "must be one of: fast, accurate");
        }
        s.ps_preset = *preset;
    }
    s.url = http_url(r, "CALLSCRIBE_STT_URL", s.url);
    if (auto model = r.text("CALLSCRIBE_STT_MODEL")) s.model = *model;
    s.api_key = r.secret("OPENAI_API_KEY");
    if (s.engine == "openai" && s.api_key.empty() && s.url == k_openai_url) {
        r.fail_plain("OPENAI_API_KEY",
                     fmt::format("OPENAI_API_KEY is required when CALLSCRIBE_STT_ENGINE=openai "
                                 "uses {} (set it, or point CALLSCRIBE_STT_URL elsewhere)",
                                 k_openai_url));
    }
    if (auto language = r.text("CALLSCRIBE_STT_LANGUAGE")) {
        bool ok = *language == "auto" || (language->size() >= 2 && language->size() <= 3 &&
                                          std::all_of(language->begin(), language->end(),
                                                      [](char c) { return c >= 'a' && c <= 'z'; }));
        if (!ok) {
            r.fail("CALLSCRIBE_STT_LANGUAGE",
                   "is not a language code such as \"en\" (ISO 639-1) or \"auto\"");
        }
        s.language = *language;
    }
    if (auto prompt = r.text("CALLSCRIBE_STT_PROMPT")) s.prompt = *prompt;
    s.whisper_model = path_or(r, "CALLSCRIBE_WHISPER_MODEL", {});
    if (s.engine == "whisper" && s.whisper_model.empty()) {
        r.fail_plain("CALLSCRIBE_WHISPER_MODEL",
                     "CALLSCRIBE_WHISPER_MODEL is required when CALLSCRIBE_STT_ENGINE=whisper (a "
                     "ggml model file: `callscribe models fetch base.en` downloads one)");
    }
    if (auto threads = r.text("CALLSCRIBE_WHISPER_THREADS")) {
        s.whisper_threads =
            r.value_or_fail("CALLSCRIBE_WHISPER_THREADS", parse_int(*threads, 1, 256));
    }
    s.model_base_url = http_url(r, "CALLSCRIBE_MODEL_BASE_URL", s.model_base_url);
    if (auto labels = r.list("CALLSCRIBE_CHANNEL_LABELS")) {
        bool ok = !labels->empty() && labels->size() <= 2 &&
                  std::none_of(labels->begin(), labels->end(),
                               [](const std::string& l) { return l.empty(); });
        if (!ok) {
            r.fail("CALLSCRIBE_CHANNEL_LABELS",
                   "needs 1 or 2 non-empty labels, e.g. \"Caller,Agent\"");
        }
        s.channel_labels = std::move(*labels);
    }
    return s;
}

std::string join_delays(const std::vector<Seconds>& delays) {
    std::string out;
    for (const auto& d : delays)
        out.append(out.empty() ? "" : ",").append(fmt::format("{}", d.count()));
    return out;
}

std::string shown(const Secret& secret) {
    return secret.empty() ? "" : fmt::format("{}", secret);
}

} // namespace

Config load_config(const Environment& env, const std::optional<std::filesystem::path>& toml_file) {
    RawValues values = read_raw_values(env, toml_file);
    std::vector<std::string> secrets = all_secrets(env, values);
    Reader reader(std::move(values), std::move(secrets));

    Config config;
    config.twilio = read_twilio(reader);
    config.storage = read_storage(reader);
    config.http = read_http(reader);
    config.voice = read_voice(reader);
    config.webhook = read_webhook(reader);
    config.jobs = read_jobs(reader);
    config.stt = read_stt(reader);
    return config;
}

std::string describe(const Config& c) {
    std::string labels;
    for (const auto& l : c.stt.channel_labels)
        labels.append(labels.empty() ? "" : ",").append(l);
    const std::vector<std::pair<std::string_view, std::string>> lines{
        {"TWILIO_ACCOUNT_SID", c.twilio.account_sid},
        {"TWILIO_AUTH_TOKEN", shown(c.twilio.auth_token)},
        {"TWILIO_API_KEY", c.twilio.api_key},
        {"TWILIO_API_SECRET", shown(c.twilio.api_secret)},
        {"TWILIO_API_BASE", c.twilio.api_base},
        {"CALLSCRIBE_DATA_DIR", c.storage.data_dir.string()},
        {"CALLSCRIBE_DATABASE_URL", c.storage.database_url},
        {"CALLSCRIBE_DATABASE_POOL", std::to_string(c.storage.database_pool)},
        {"CALLSCRIBE_LISTEN", c.http.listen},
        {"CALLSCRIBE_PUBLIC_URL", c.http.public_url},
        {"CALLSCRIBE_API_TOKEN", shown(c.http.api_token)},
        {"CALLSCRIBE_MAX_CONNECTIONS",
         c.http.max_connections > 0 ? std::to_string(c.http.max_connections) : "auto"},
        {"CALLSCRIBE_VOICE_CONTINUE", c.voice.next.target},
        {"CALLSCRIBE_REALTIME", c.voice.realtime},
        {"CALLSCRIBE_LIVE_WORKERS", std::to_string(c.voice.live_workers)},
        {"CALLSCRIBE_WEBHOOK_URL", c.webhook.url},
        {"CALLSCRIBE_WEBHOOK_SECRET", shown(c.webhook.secret)},
        {"CALLSCRIBE_WEBHOOK_VERSION", std::to_string(c.webhook.version)},
        {"CALLSCRIBE_READY_BACKOFF", join_delays(c.jobs.ready_backoff)},
        {"CALLSCRIBE_NOT_FOUND_WAIT", fmt::format("{}", c.jobs.not_found_wait.count())},
        {"CALLSCRIBE_WEBHOOK_BACKOFF", join_delays(c.webhook.backoff)},
        {"CALLSCRIBE_JOB_LEASE", fmt::format("{}", c.jobs.lease.count())},
        {"CALLSCRIBE_STT_ENGINE", c.stt.engine},
        {"CALLSCRIBE_PS_MODEL_DIR", c.stt.ps_model_dir.string()},
        {"CALLSCRIBE_PS_HMM", c.stt.ps_hmm.string()},
        {"CALLSCRIBE_PS_LM", c.stt.ps_lm.string()},
        {"CALLSCRIBE_PS_DICT", c.stt.ps_dict.string()},
        {"CALLSCRIBE_PS_PRESET", c.stt.ps_preset},
        {"CALLSCRIBE_STT_URL", c.stt.url},
        {"CALLSCRIBE_STT_MODEL", c.stt.model},
        {"OPENAI_API_KEY", shown(c.stt.api_key)},
        {"CALLSCRIBE_STT_LANGUAGE", c.stt.language},
        {"CALLSCRIBE_STT_PROMPT", c.stt.prompt},
        {"CALLSCRIBE_WHISPER_MODEL", c.stt.whisper_model.string()},
        {"CALLSCRIBE_WHISPER_THREADS",
         c.stt.whisper_threads > 0 ? std::to_string(c.stt.whisper_threads) : "auto"},
        {"CALLSCRIBE_MODEL_BASE_URL", c.stt.model_base_url},
        {"CALLSCRIBE_CHANNEL_LABELS", labels},
        {"CALLSCRIBE_WORKERS", std::to_string(c.jobs.workers)},
    };
    std::string out;
    for (const auto& [name, value] : lines) {
        // URL passwords (a database URL may carry one) are as secret as the secrets.
        out += fmt::format("{} = {}\n", name, value.empty() ? "(not set)" : redact(value, {}));
    }
    return out;
}

} // namespace callscribe::config
