#pragma once
// A Twilio-compatible emulator for offline runs and tests, itself a small honest server (on
// net::HttpServer): the recording part of Twilio's REST API for one account (twilio_api.hpp),
// media served from a "storage" reached by redirect, signed callbacks, and a control API that
// creates calls with scripted behaviour.
//
// Listeners
//   api      host:port. The Twilio API under /2010-04-01/ (Basic auth), the control API under
//            /sandbox/ (no auth: it binds where the operator says, 127.0.0.1 by default), and,
//            when there is no storage listener, the storage under /storage/.
//   storage  optional storage_host:storage_port, "another host" like Twilio's CDN: only
//            /storage/{RE}.{wav|mp3}?token=… (no auth; a random token per file). It counts the
//            requests that arrive with an Authorization header, which a client must never send
//            there.
//
// Control API (JSON; errors are 400/404/409 {"error": "…"})
//   POST /sandbox/calls                 body: see call_request.hpp → 201
//        {"call_sid", "recording_sid" (null with no_recording), "account_sid",
//         "recording_url" (the media URL without extension, null with no_recording)}
//   GET  /sandbox/calls/{CA}            the call's state (SandboxCall::state_json)
//   POST /sandbox/calls/{CA}/callbacks  {"status_callback"?: {url, delay_s?},
//                                        "call_status_callback"?: {…}} → 202: send (again)
//   GET  /sandbox/requests              every API and storage request received:
//        {"requests": [{listener, method, path, had_auth, status}],
//        "storage_authorization_headers"}
//
// Audio for each call is prepared when the call is created (prepared_audio.hpp: 8 kHz WAV and
// MP3) into the work folder. Time comes from the Clock given (processing_seconds); callbacks go
// out through the HttpClient given, from a background thread (callback_sender.hpp).
// Thread-safe after start(); start(), stop() and the destructor belong to the owning thread.

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"
#include "sandbox/call_request.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace callscribe::sandbox {

// Fixed test credentials, printed by `callscribe sandbox`: they open nothing but the sandbox.
inline constexpr std::string_view k_default_account_sid = "AC00000000000000000000000000000000";
inline constexpr std::string_view k_default_auth_token = "sandbox-auth-token-0000000000000";

struct SandboxSettings {
    std::string account_sid{k_default_account_sid}; // AC + 32 hex digits
    Secret auth_token{std::string(k_default_auth_token)};
    std::string host = "127.0.0.1";
    std::uint16_t port = 8081; // 0: pick a free port
    // Set to serve the storage on a second listener, e.g. "127.0.0.2", or "127.0.0.1" with
    // another port (0: pick one).
    std::optional<std::string> storage_host{};
    std::uint16_t storage_port = 0;
    // Where prepared audio goes. Empty: a fresh folder in the system temp folder, removed with
    // everything in it when the SandboxServer is destroyed.
    std::filesystem::path work_dir{};
    int handler_threads = 2;
};

struct CreatedCall {
    std::string call_sid;
    std::string account_sid;
    std::optional<std::string> recording_sid;
    std::optional<std::string> recording_url;

    nlohmann::json to_json() const;
};

class SandboxServer {
  public:
    SandboxServer(SandboxSettings settings, const Clock& clock, net::HttpClient& callback_client);
    ~SandboxServer();
    SandboxServer(const SandboxServer&) = delete;
    SandboxServer& operator=(const SandboxServer&) = delete;

    // Validates the settings, creates the work folder and starts the listener(s). Fails naming
    // what is wrong (an invalid account SID, an empty token, an address that cannot be bound).
    Result<void> start();
    void stop();

    // "http://127.0.0.1:PORT": the TWILIO_API_BASE for the service under test.
    std::string base_url() const;
    // The storage listener's base URL; base_url() when there is none.
    std::string storage_base_url() const;
    const std::string& account_sid() const;
    const Secret& auth_token() const;

    // What POST /sandbox/calls does, in-process; only between start() and stop(). Fails when
    // the audio cannot be read or a SID is already taken.
    Result<CreatedCall> create_call(const CallRequest& request);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace callscribe::sandbox
