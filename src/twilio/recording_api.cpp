#include "twilio/recording_api.hpp"

#include "net/retry.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace callscribe::twilio {

void throw_exception_from_error(const ApiFailure& failure, const boost::source_location&) {
    throw ErrorException(Error{failure.message, failure.kind == ApiFailureKind::transient});
}

ApiFailure transient_failure(std::string message) {
    return ApiFailure{ApiFailureKind::transient, 0, std::nullopt, std::move(message)};
}

namespace {

// Twilio's error bodies: {"code": 20404, "message": "..."} (2010 API) or RFC 9457
// {"title", "detail", "code"} (newer APIs). Empty when the body is neither.
std::string twilio_error_text(const std::string& body) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_object()) return {};
    std::string text;
    for (const char* key : {"message", "detail", "title"}) {
        if (auto it = parsed.find(key); it != parsed.end() && it->is_string()) {
            text = it->get<std::string>();
            break;
        }
    }
    if (auto code = parsed.find("code"); code != parsed.end() && code->is_number_integer()) {
        text = fmt::format("{} (code {})", text, code->get<int>());
    }
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text.size() > 200 ? text.substr(0, 200) + "…" : text;
}

} // namespace

ApiFailure classify_failure(const std::string& url, const Result<net::HttpResponse>& answer) {
    const std::string where = net::redact_url(url);
    if (!answer) {
        // A malformed URL or a refused protocol will fail the same way next time.
        return ApiFailure{answer.error().retryable ? ApiFailureKind::transient
                                                   : ApiFailureKind::rejected,
                          0, std::nullopt, answer.error().message};
    }
    const net::HttpResponse& response = *answer;
    const std::string detail = twilio_error_text(response.body);
    const std::string message =
        detail.empty()
            ? fmt::format("Twilio answered {} for {}", response.status, where)
            : fmt::format("Twilio answered {} for {}: {}", response.status, where, detail);
    ApiFailure failure{ApiFailureKind::rejected, response.status, std::nullopt, message};
    if (response.status == 404) {
        failure.kind = ApiFailureKind::not_found;
    } else if (response.status == 401 || response.status == 403) {
        failure.kind = ApiFailureKind::unauthorized;
    } else if (response.status == 429 || response.status == 408 || response.status >= 500 ||
               response.status < 200 || (response.status >= 300 && response.status < 400)) {
        // 3xx here means a redirect the client would not follow (too many hops): retry later.
        failure.kind = ApiFailureKind::transient;
        failure.retry_after = net::retry_after(response);
    }
    return failure;
}

RecordingApi::RecordingApi(config::TwilioSettings settings, net::HttpClient& http)
    : m_settings(std::move(settings)), m_http(http) {}

net::HttpRequest RecordingApi::request_for(const std::string& url) const {
    net::HttpRequest request{.method = "GET", .url = url};
    // Credentials go to the configured API host only, never to a URL that came from elsewhere.
    if (url.starts_with(m_settings.api_base + "/")) {
        if (!m_settings.api_key.empty()) {
            request.basic_auth = net::BasicAuth{m_settings.api_key, m_settings.api_secret};
        } else {
            request.basic_auth = net::BasicAuth{m_settings.account_sid, m_settings.auth_token};
        }
    }
    return request;
}

template <class T>
ApiResult<T> RecordingApi::parse_answer(const std::string& url,
                                        const Result<net::HttpResponse>& answer,
                                        Result<T> (*parse)(std::string_view)) const {
    if (!answer || answer->status < 200 || answer->status >= 300) {
        return classify_failure(url, answer);
    }
    auto parsed = parse(answer->body);
    if (!parsed) {
        // Twilio answered 2xx with something that is not the resource: a proxy's page, a cut
        // body. Worth another try.
        return transient_failure(
            fmt::format("{} from {}", parsed.error().message, net::redact_url(url)));
    }
    return std::move(*parsed);
}

ApiResult<Recording> RecordingApi::fetch(const RecordingSid& recording) const {
    const std::string url =
        fmt::format("{}/2010-04-01/Accounts/{}/Recordings/{}.json", m_settings.api_base,
                    m_settings.account_sid, recording.str());
    return parse_answer<Recording>(url, m_http.send(request_for(url)), &parse_recording);
}

ApiResult<std::vector<Recording>> RecordingApi::list_for_call(const CallSid& call) const {
    const std::string url = fmt::format("{}/2010-04-01/Accounts/{}/Calls/{}/Recordings.json",
                                        m_settings.api_base, m_settings.account_sid, call.str());
    return parse_answer<std::vector<Recording>>(url, m_http.send(request_for(url)),
                                                &parse_recording_list);
}

Result<net::HttpResponse> RecordingApi::get_media(const std::string& url, net::ByteSink& sink,
                                                  DownloadLimits limits) const {
    net::HttpRequest request = request_for(url);
    request.timeout = limits.total;
    request.stall_timeout = limits.stall;
    return m_http.download(request, sink);
}

} // namespace callscribe::twilio
