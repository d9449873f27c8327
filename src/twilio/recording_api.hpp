#pragma once
// Twilio's Recording REST API over the HttpClient port: fetch one recording, list a call's
// recordings, download a recording's media to disk.
//
// Credentials (HTTP Basic: the API key and secret when configured, else the account sid and
// auth token) are attached only to URLs on the configured API base; a redirect to another host
// (Twilio's storage) never carries them (the HttpClient's contract).
//
// Failures are values that say what the pipeline should do with them: `not_found` (Twilio has
// nothing there yet), `unauthorized` (401/403: terminal, the credentials are wrong), `transient`
// (429, 5xx, timeouts, resets, a body that is not what it should be: retry with backoff,
// honouring `retry_after`), `rejected` (any other 4xx: terminal). Messages are one line naming
// the URL (never its credentials) and the status or cause.
//
// Thread safety: a RecordingApi is immutable after construction and may be shared by threads.
#include "config/config.hpp"
#include "core/result.hpp"
#include "core/sid.hpp"
#include "net/http_client.hpp"
#include "twilio/recording.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::twilio {

enum class ApiFailureKind { not_found, unauthorized, transient, rejected };

struct ApiFailure {
    ApiFailureKind kind = ApiFailureKind::transient;
    int status = 0; // HTTP status; 0 for a transport failure or a local one
    std::optional<Seconds> retry_after{};
    std::string message{};
};

[[noreturn]] void throw_exception_from_error(const ApiFailure& failure,
                                             const boost::source_location& location);

template <class T> using ApiResult = boost::system::result<T, ApiFailure>;

// A recording stored in the recordings folder under its final name.
struct SavedRecording {
    std::filesystem::path path; // recordings_dir / "{CallSid}.{mp3|wav}"
    std::int64_t bytes = 0;
    int status = 0; // the HTTP status of the answer (200)
};

class RecordingApi {
  public:
    RecordingApi(config::TwilioSettings settings, net::HttpClient& http);

    // GET {api}/2010-04-01/Accounts/{AC}/Recordings/{RE}.json
    ApiResult<Recording> fetch(const RecordingSid& recording) const;
    // GET {api}/2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings.json (may be empty)
    ApiResult<std::vector<Recording>> list_for_call(const CallSid& call) const;

    // GETs `url` and streams a 2xx body to a temporary file in `recordings_dir`, checks it is
    // audio that decodes (not an error page), fsyncs it and renames it to
    // "{call}.{mp3|wav}" (the extension from Content-Type, else from the bytes). On any failure
    // no file is left behind; leftovers of an earlier interrupted download of this call are
    // removed first. `timeout` bounds the whole transfer (a long call is tens of megabytes).
    ApiResult<SavedRecording> download(const std::string& url, const CallSid& call,
                                       const std::filesystem::path& recordings_dir,
                                       Seconds timeout = Seconds{600}) const;

    const std::string& api_base() const { return m_settings.api_base; }

  private:
    net::HttpRequest request_for(const std::string& url) const;
    template <class T>
    ApiResult<T> parse_answer(const std::string& url, const Result<net::HttpResponse>& answer,
                              Result<T> (*parse)(std::string_view)) const;

    config::TwilioSettings m_settings;
    net::HttpClient& m_http;
};

// Classifies a non-2xx answer (or a transport failure) from `url`.
ApiFailure classify_failure(const std::string& url, const Result<net::HttpResponse>& answer);

} // namespace callscribe::twilio
