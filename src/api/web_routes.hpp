#pragma once
// The web page (docs/openapi.yaml): GET / is web/index.html, GET /assets/{name} the files under
// web/assets/, all embedded in the binary (web_assets.hpp). Open like /healthz: the page holds no
// data; it reads /api/* itself, with the API token when one is set.
//
// Answers carry their Content-Type (by extension), an ETag and "Cache-Control: no-cache": a
// browser keeps its copy but asks every time, and gets 304 while the binary is the same, so a
// new build is never hidden behind a stale cache. An unknown asset is 404.
#include "api/router.hpp"
#include "net/server/server_types.hpp"

#include <string_view>

namespace callscribe::api {

// The embedded file at `path` ("/index.html", "/assets/app.js"), or ApiError 404.
net::ServerResponse web_asset(const net::ServerRequest& request, std::string_view path);

// "text/html; charset=utf-8" for ".html", and so on; "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view path);

} // namespace callscribe::api
