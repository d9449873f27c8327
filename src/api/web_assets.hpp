#pragma once
// The web page's files (web/) and the OpenAPI document ("/openapi.json", docs/openapi.yaml
// bundled into JSON by cmake/openapi_json.py), embedded into the binary at build time by
// cmake/embed_web_assets.cmake: they need nothing from the source tree at run time.
// Immutable static data; thread-safe.
#include <span>
#include <string_view>

namespace callscribe::api {

struct WebAsset {
    std::string_view path; // "/index.html", "/assets/app.js", …
    std::string_view body;
    std::string_view etag; // quoted: a prefix of the file's SHA-256
};

std::span<const WebAsset> web_assets();

} // namespace callscribe::api
