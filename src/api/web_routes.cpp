#include "api/web_routes.hpp"

#include "api/api_error.hpp"
#include "api/web_assets.hpp"

#include <array>
#include <utility>

namespace callscribe::api {
namespace {

// The page's own files only; recordings may play from blob: URLs (fetched with the token);
// nobody may frame it.
constexpr std::string_view k_content_security_policy =
    "default-src 'self'; media-src 'self' blob:; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

} // namespace

std::string_view content_type_for(std::string_view path) {
    constexpr std::array<std::pair<std::string_view, std::string_view>, 6> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".json", "application/json"},
        {".png", "image/png"},
    }};
    for (const auto& [extension, type] : types)
        if (path.ends_with(extension)) return type;
    return "application/octet-stream";
}

net::ServerResponse web_asset(const net::ServerRequest& request, std::string_view path) {
    for (const WebAsset& asset : web_assets()) {
        if (asset.path != path) continue;
        net::ServerResponse response;
        response.headers = {{"Content-Type", std::string(content_type_for(path))},
                            {"Cache-Control", "no-cache"},
                            {"ETag", std::string(asset.etag)},
                            {"X-Content-Type-Options", "nosniff"},
                            {"Content-Security-Policy", std::string(k_content_security_policy)},
                            {"X-Frame-Options", "DENY"},
                            {"Referrer-Policy", "no-referrer"}};
        if (request.header("if-none-match") == asset.etag) {
            response.status = 304;
            return response;
        }
        response.body = std::string(asset.body);
        return response;
    }
    throw ApiError(404, "no such file: " + std::string(path));
}

} // namespace callscribe::api
