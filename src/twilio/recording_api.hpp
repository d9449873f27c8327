#pragma once
// Twilio's Recording REST API over the HttpClient port: fetch one recording, list a call's
// recordings, stream a recording's media (media_download.hpp puts it on disk).
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

// A failure on this side worth another try (a body that is not what it should be, a full disk).
ApiFailure transient_failure(std::string message);

// How long a download may take: all of it (a long call is tens of megabytes), and without a
// single byte arriving (a stalled body ends as a transient failure, not a stuck worker).
struct DownloadLimits {
    Seconds total{600};
    Seconds stall{30};
};

class RecordingApi {
  public:
    RecordingApi(config::TwilioSettings settings, net::HttpClient& http);

    // GET {api}/2010-04-01/Accounts/{AC}/Recordings/{RE}.json
    ApiResult<Recording> fetch(const RecordingSid& recording) const;
    // GET {api}/2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings.json (may be empty)
    ApiResult<std::vector<Recording>> list_for_call(const CallSid& call) const;

    // GETs a media `url` (credentials only when it is on the API base), streaming the body of
    // any answer to `sink`; the answer as HttpClient::download gives it.
    Result<net::HttpResponse> get_media(const std::string& url, net::ByteSink& sink,
                                        DownloadLimits limits) const;

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
