#pragma once
// Internal to src/config: the known variables, and their raw values merged from the
// environment and a TOML file before validation.

#include "config/config.hpp"

#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::config {

struct Variable {
    std::string_view name;
    bool secret = false;
};

// Every variable load_config reads, grouped by area (describe() follows this order).
inline constexpr std::array k_variables{
    Variable{"TWILIO_ACCOUNT_SID"},
    Variable{"TWILIO_AUTH_TOKEN", true},
    Variable{"TWILIO_API_KEY"},
    Variable{"TWILIO_API_SECRET", true},
    Variable{"TWILIO_API_BASE"},
    Variable{"CALLSCRIBE_DATA_DIR"},
    Variable{"CALLSCRIBE_DATABASE_URL"},
    Variable{"CALLSCRIBE_DATABASE_POOL"},
    Variable{"CALLSCRIBE_LISTEN"},
    Variable{"CALLSCRIBE_PUBLIC_URL"},
    Variable{"CALLSCRIBE_API_TOKEN", true},
    Variable{"CALLSCRIBE_MAX_CONNECTIONS"},
    Variable{"CALLSCRIBE_VOICE_CONTINUE"},
    Variable{"CALLSCRIBE_REALTIME"},
    Variable{"CALLSCRIBE_LIVE_WORKERS"},
    Variable{"CALLSCRIBE_WEBHOOK_URL"},
    Variable{"CALLSCRIBE_WEBHOOK_SECRET", true},
    Variable{"CALLSCRIBE_WEBHOOK_VERSION"},
    Variable{"CALLSCRIBE_READY_BACKOFF"},
    Variable{"CALLSCRIBE_NOT_FOUND_WAIT"},
    Variable{"CALLSCRIBE_WEBHOOK_BACKOFF"},
    Variable{"CALLSCRIBE_STT_ENGINE"},
    Variable{"CALLSCRIBE_PS_MODEL_DIR"},
    Variable{"CALLSCRIBE_PS_HMM"},
    Variable{"CALLSCRIBE_PS_LM"},
    Variable{"CALLSCRIBE_PS_DICT"},
    Variable{"CALLSCRIBE_PS_PRESET"},
    Variable{"CALLSCRIBE_STT_URL"},
    Variable{"CALLSCRIBE_STT_MODEL"},
    Variable{"OPENAI_API_KEY", true},
    Variable{"CALLSCRIBE_STT_LANGUAGE"},
    Variable{"CALLSCRIBE_STT_PROMPT"},
    Variable{"CALLSCRIBE_WHISPER_MODEL"},
    Variable{"CALLSCRIBE_WHISPER_THREADS"},
    Variable{"CALLSCRIBE_MODEL_BASE_URL"},
    Variable{"CALLSCRIBE_CHANNEL_LABELS"},
    Variable{"CALLSCRIBE_WORKERS"},
    Variable{"CALLSCRIBE_JOB_LEASE"},
};

bool is_secret(std::string_view name);

struct RawValue {
    std::string text; // as written (TOML arrays joined with ","); trimmed unless secret
    std::vector<std::string> items; // the elements when written as a TOML array
    bool is_array = false;
    std::string origin; // empty for the environment, else the TOML file's path
};

using RawValues = std::map<std::string, RawValue, std::less<>>;

// Known variables only; empty values are dropped; the environment wins over the file.
// Throws ConfigError for a missing or unreadable file, a syntax error, an unknown key or a
// value of a type no variable takes (dates, tables, nested arrays).
RawValues read_raw_values(const Environment& env,
                          const std::optional<std::filesystem::path>& toml_file);

// `text` with the password of any URL ("scheme://user:pass@") and every given secret value
// (ignoring very short ones, which would garble the text) replaced by ***.
std::string redact(std::string text, const std::vector<std::string>& secrets);

// The values of the secret variables of `env`, for redact().
std::vector<std::string> secret_values(const Environment& env);

// One warning for each CALLSCRIBE_* variable in `env` that is not a setting but within a few
// letters of one: "CALLSCRIBE_LSITEN is not a callscribe setting and is ignored (did you mean
// CALLSCRIBE_LISTEN?)".
std::vector<std::string> misspelt_variables(const Environment& env);

} // namespace callscribe::config
