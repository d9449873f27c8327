#pragma once
// The service's routes (docs/openapi.yaml), wired to their handlers with the access rule of
// each group:
//   /healthz, /readyz   open
//   /metrics            open (metrics_route.hpp)
//   /, /assets/*        open: the web page (web_routes.hpp), which holds no data
//   /twilio/*           X-Twilio-Signature (twilio_callbacks.hpp)
//   /api/*              when an API token is set: "Authorization: Bearer <token>", compared in
//                       constant time; missing or wrong → 401 with WWW-Authenticate: Bearer,
//                       before anything else is looked at; POST routes also take
//                       Content-Type: application/json only (415) and refuse an Origin other
//                       than the request's Host or CALLSCRIBE_PUBLIC_URL's (403), so that a web
//                       page on another site cannot act through a browser
//
// The Router keeps references to `context`, which must outlive it.
#include "api/api_context.hpp"
#include "api/router.hpp"
#include "net/server/server_types.hpp"

namespace callscribe::api {

Router make_api_router(const ApiContext& context);

// Throws ApiError 401 unless `request` carries the API token (nothing when none is set).
void require_api_token(const ApiSettings& settings, const net::ServerRequest& request);

} // namespace callscribe::api
