#include "api/api_router.hpp"

#include "api/api_error.hpp"
#include "api/call_routes.hpp"
#include "api/health_routes.hpp"
#include "api/live_transcript.hpp"
#include "api/metrics_route.hpp"
#include "api/recording_download.hpp"
#include "api/twilio_callbacks.hpp"
#include "api/web_routes.hpp"
#include "core/secret.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace callscribe::api {
namespace {

constexpr std::string_view k_realm = "Bearer realm=\"callscribe\"";

// The token of "Bearer <token>" (the scheme is case-insensitive), if that is what it is.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "bearer";
    if (authorization.size() <= scheme.size() ||
        !std::ranges::equal(
            authorization.substr(0, scheme.size()), scheme,
            [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }) ||
        authorization[scheme.size()] != ' ')
        return std::nullopt;
    std::string_view token = authorization.substr(scheme.size());
    while (!token.empty() && token.front() == ' ')
        token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
        token.remove_suffix(1);
    return token;
}

// "https://host:port/path" → "host:port".
std::string_view authority_of(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    url.remove_prefix(scheme + 3);
    return url.substr(0, url.find('/'));
}

// A web page on another site can make a browser send a "simple" POST (a form, or fetch with
// text/plain) without asking first; it cannot send application/json without a CORS preflight,
// which this service never grants. So a state-changing route takes JSON only, and refuses an
// Origin that is neither the host the request came to nor CALLSCRIBE_PUBLIC_URL's.
RouteHandler same_site_json(const ApiContext& context, RouteHandler handler) {
    return [&context, handler = std::move(handler)](const net::ServerRequest& request,
                                                    const PathParams& params) {
        if (const auto origin = request.header("origin")) {
            const std::string_view site = authority_of(*origin);
            const std::string host = request.header("host").value_or("");
            if (site.empty() || !(ascii_iequals(site, host) ||
                                  ascii_iequals(site, authority_of(context.settings.public_url))))
                throw ApiError(403, fmt::format("requests from the web origin {} are refused",
                                                origin->substr(0, 200)));
        }
        const std::string type = request.header("content-type").value_or("");
        const std::string_view media = std::string_view(type).substr(0, type.find(';'));
        if (!ascii_iequals(media.substr(0, media.find_last_not_of(' ') + 1), "application/json"))
            throw ApiError(415, "this route takes Content-Type: application/json");
        return handler(request, params);
    };
}

// `handler` behind the API token.
RouteHandler with_token(const ApiContext& context, RouteHandler handler) {
    return [&context, handler = std::move(handler)](const net::ServerRequest& request,
                                                    const PathParams& params) {
        require_api_token(context.settings, request);
        return handler(request, params);
    };
}

} // namespace

void require_api_token(const ApiSettings& settings, const net::ServerRequest& request) {
    if (settings.api_token.empty()) return;
    const auto authorization = request.header("authorization");
    if (!authorization)
        throw ApiError(401, "this API needs Authorization: Bearer <CALLSCRIBE_API_TOKEN>",
                       {{"WWW-Authenticate", std::string(k_realm)}});
    const auto token = bearer_token(*authorization);
    if (!token || !constant_time_equal(*token, settings.api_token.reveal()))
        throw ApiError(401, "wrong API token",
                       {{"WWW-Authenticate", std::string(k_realm) + ", error=\"invalid_token\""}});
}

Router make_api_router(const ApiContext& context) {
    const ApiContext& c = context;
    using Request = net::ServerRequest;
    Router router;
    router.add("GET", "/healthz", [](const Request&, const PathParams&) { return healthz(); });
    router.add("GET", "/readyz", [&c](const Request&, const PathParams&) { return readyz(c); });
    router.add("GET", "/metrics", [&c](const Request&, const PathParams&) { return metrics(c); });

    router.add("GET", "/",
               [](const Request& r, const PathParams&) { return web_asset(r, "/index.html"); });
    router.add("GET", "/assets/{name}", [](const Request& r, const PathParams& p) {
        return web_asset(r, "/assets/" + p.at("name"));
    });
    // docs/openapi.yaml, bundled into JSON at build time and embedded beside the page's files.
    router.add("GET", "/openapi.json",
               [](const Request& r, const PathParams&) { return web_asset(r, "/openapi.json"); });

    router.add("POST", "/twilio/recording-status", [&c](const Request& r, const PathParams&) {
        return recording_status_callback(c, r);
    });
    router.add("POST", "/twilio/call-status",
               [&c](const Request& r, const PathParams&) { return call_status_callback(c, r); });
    router.add("POST", "/twilio/voice",
               [&c](const Request& r, const PathParams&) { return voice_callback(c, r); });
    router.add("GET", "/twilio/media",
               [&c](const Request& r, const PathParams&) { return media_stream_upgrade(c, r); });
    router.add("POST", "/twilio/transcription-status", [&c](const Request& r, const PathParams&) {
        return transcription_status_callback(c, r);
    });

    router.add("GET", "/api/calls", with_token(c, [&c](const Request& r, const PathParams&) {
                   return list_calls(c, r);
               }));
    router.add("GET", "/api/calls/{call_sid}",
               with_token(c, [&c](const Request&, const PathParams& p) { return get_call(c, p); }));
    router.add("POST", "/api/calls/{call_sid}/end",
               with_token(c, same_site_json(c, [&c](const Request& r, const PathParams& p) {
                              return end_call(c, r, p);
                          })));
    router.add("POST", "/api/calls/{call_sid}/retranscribe",
               with_token(c, same_site_json(c, [&c](const Request&, const PathParams& p) {
                              return retranscribe_call(c, p);
                          })));
    router.add("GET", "/api/calls/{call_sid}/live",
               with_token(c, [&c](const Request& r, const PathParams& p) {
                   return get_live_transcript(c, r, p);
               }));
    router.add("GET", "/api/calls/{call_sid}/transcript",
               with_token(c, [&c](const Request& r, const PathParams& p) {
                   return get_transcript(c, r, p);
               }));
    router.add("GET", "/api/calls/{call_sid}/download",
               with_token(c, [&c](const Request& r, const PathParams& p) {
                   return download_recording(c, r, p);
               }));
    return router;
}

} // namespace callscribe::api
