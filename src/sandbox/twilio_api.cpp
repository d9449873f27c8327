#include "sandbox/twilio_api.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace callscribe::sandbox {
namespace {

using net::ServerRequest;
using net::ServerResponse;

std::optional<std::string> decode_base64(std::string_view text) {
    static constexpr std::string_view k_alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while (text.ends_with('='))
        text.remove_suffix(1);
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        const auto value = k_alphabet.find(c);
        if (value == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> segments;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    return segments;
}

// "RE….json" → json; "RE…" → base; ".mp3"/".wav" → media.
enum class Resource { json, base, mp3, wav };

std::pair<std::string_view, Resource> split_extension(std::string_view segment) {
    for (auto [suffix, kind] :
         std::array{std::pair{".json", Resource::json}, std::pair{".mp3", Resource::mp3},
                    std::pair{".wav", Resource::wav}}) {
        std::string_view s(suffix);
        if (segment.ends_with(s)) return {segment.substr(0, segment.size() - s.size()), kind};
    }
    return {segment, Resource::base};
}

} // namespace

ServerResponse twilio_error(int status, std::string_view path, std::optional<std::string> message) {
    auto response =
        ServerResponse::json(status, error_json(status, path, std::move(message)).dump());
    if (status == 401)
        response.headers.emplace_back("WWW-Authenticate", R"(Basic realm="Twilio API")");
    return response;
}

namespace {

ServerResponse scripted(const ScriptedAnswer& answer, std::string_view path) {
    auto response = twilio_error(answer.status, path);
    if (answer.retry_after) response.headers.emplace_back("Retry-After", *answer.retry_after);
    return response;
}

} // namespace

struct TwilioApi::Route {
    enum class Kind { fetch, media, list_account, list_call } kind;
    std::string path;              // as requested, for 404 messages
    std::optional<CallSid> call{}; // from a …/Calls/{CA}/… path
    std::optional<RecordingSid> recording{};
    MediaForm form = MediaForm::base; // for media
};

TwilioApi::TwilioApi(std::string account_sid, Secret auth_token, CallRegistry& registry,
                     const Clock& clock, std::function<std::string()> api_base,
                     std::function<std::string()> storage_base)
    : m_account_sid(std::move(account_sid)), m_auth_token(std::move(auth_token)),
      m_registry(registry), m_clock(clock), m_api_base(std::move(api_base)),
      m_storage_base(std::move(storage_base)) {}

bool TwilioApi::authorized(const std::optional<std::string>& authorization) const {
    if (!authorization) return false;
    std::string_view value = *authorization;
    if (value.size() < 6 || !(value.substr(0, 6) == "Basic " || value.substr(0, 6) == "basic "))
        return false;
    value.remove_prefix(6);
    while (value.starts_with(' '))
        value.remove_prefix(1);
    const auto decoded = decode_base64(value);
    if (!decoded) return false;
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    // Both compared in full: the password in constant time.
    const bool user_ok = decoded->substr(0, colon) == m_account_sid;
    const bool password_ok = Secret(decoded->substr(colon + 1)) == m_auth_token;
    return user_ok && password_ok;
}

ServerResponse TwilioApi::handle(const ServerRequest& request) {
    const std::string& path = request.path;
    if (!authorized(request.header("authorization"))) return twilio_error(401, path);

    const auto segments = split_path(path);
    // 2010-04-01 / Accounts / {AC} / …
    if (segments.size() < 4 || segments[0] != k_api_version || segments[1] != "Accounts")
        return twilio_error(404, path);
    const auto account = AccountSid::parse(segments[2]);
    if (!account) return twilio_error(404, path);
    if (account->str() != m_account_sid) return twilio_error(401, path);
    if (request.method != "GET" && request.method != "HEAD") {
        auto response = twilio_error(405, path, "Method not allowed");
        response.headers.emplace_back("Allow", "GET, HEAD");
        return response;
    }

    Route route{.kind = Route::Kind::fetch, .path = path};
    std::size_t next = 3;
    if (segments[next] == "Calls") {
        if (segments.size() < next + 3) return twilio_error(404, path);
        route.call = CallSid::parse(segments[next + 1]);
        if (!route.call) return twilio_error(404, path);
        next += 2;
    }
    const std::size_t left = segments.size() - next;
    if (left == 1 && segments[next] == "Recordings.json") {
        route.kind = route.call ? Route::Kind::list_call : Route::Kind::list_account;
        return list(route, request);
    }
    if (left != 2 || segments[next] != "Recordings") return twilio_error(404, path);
    const auto [sid, resource] = split_extension(segments[next + 1]);
    route.recording = RecordingSid::parse(sid);
    if (!route.recording) return twilio_error(404, path);
    switch (resource) {
    case Resource::json:
        return fetch(route);
    case Resource::base:
        route.form = MediaForm::base;
        break;
    case Resource::mp3:
        route.form = MediaForm::mp3;
        break;
    case Resource::wav:
        route.form = MediaForm::wav;
        break;
    }
    route.kind = Route::Kind::media;
    return media(route);
}

ServerResponse TwilioApi::fetch(const Route& route) {
    const auto now = m_clock.now();
    return m_registry.with_recording(route.recording->str(), [&](SandboxCall* call) {
        if (call == nullptr || (route.call && call->call_sid() != *route.call))
            return twilio_error(404, route.path);
        ++call->counts.metadata;
        if (auto failure = call->take_failure()) return scripted(*failure, route.path);
        const auto facts = call->read_metadata(m_account_sid, now);
        return ServerResponse::json(
            200, recording_json(facts, m_api_base(), route.call.has_value()).dump());
    });
}

ServerResponse TwilioApi::media(const Route& route) {
    const auto now = m_clock.now();
    return m_registry.with_recording(route.recording->str(), [&](SandboxCall* call) {
        if (call == nullptr || (route.call && call->call_sid() != *route.call))
            return twilio_error(404, route.path);
        switch (route.form) {
        case MediaForm::base:
            ++call->counts.base;
            break;
        case MediaForm::mp3:
            ++call->counts.mp3;
            break;
        case MediaForm::wav:
            ++call->counts.wav;
            break;
        }
        if (auto failure = call->take_failure()) return scripted(*failure, route.path);
        if (!call->media_available(route.form, now)) return twilio_error(404, route.path);
        // Like a signed CDN URL: another origin, no credentials needed, the token in the query.
        const bool mp3 = route.form == MediaForm::mp3;
        return ServerResponse::redirect(302,
                                        fmt::format("{}/storage/{}.{}?token={}", m_storage_base(),
                                                    call->recording_sid()->str(),
                                                    mp3 ? "mp3" : "wav", call->storage_token(mp3)));
    });
}

ServerResponse TwilioApi::list(const Route& route, const ServerRequest& request) {
    int page_size = 50;
    if (auto text = request.query_param("PageSize")) {
        int value = 0;
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
        if (ec != std::errc() || end != text->data() + text->size() || value < 1 || value > 1000)
            return twilio_error(400, route.path, "PageSize must be between 1 and 1000");
        page_size = value;
    }
    std::optional<CallSid> call_sid = route.call;
    std::string filter;
    if (route.kind == Route::Kind::list_account) {
        if (auto text = request.query_param("CallSid")) {
            call_sid = CallSid::parse(*text);
            if (!call_sid) return twilio_error(400, route.path, "Invalid CallSid");
            filter = "CallSid=" + call_sid->str();
        }
    }
    const bool call_scoped = route.kind == Route::Kind::list_call;
    const auto now = m_clock.now();
    auto items = nlohmann::json::array();
    std::optional<ServerResponse> failed;
    const auto add = [&](SandboxCall& call) {
        if (!call.recording_sid()) return;
        if (items.size() < static_cast<std::size_t>(page_size))
            items.push_back(
                recording_json(call.read_metadata(m_account_sid, now), m_api_base(), call_scoped));
    };
    if (call_sid) {
        // An unknown call has no recordings: an empty list, as a filter finds nothing.
        m_registry.with_call(call_sid->str(), [&](SandboxCall* call) {
            if (call == nullptr) return;
            ++call->counts.list;
            if (auto failure = call->take_failure()) {
                failed = scripted(*failure, route.path);
                return;
            }
            add(*call);
        });
    } else {
        m_registry.for_each(add);
    }
    if (failed) return *failed;
    return ServerResponse::json(
        200, recording_list_json(std::move(items), route.path, filter, page_size).dump());
}

} // namespace callscribe::sandbox
