#pragma once
// Liveness and readiness for load balancers and orchestrators; open, without the API token.
//
// GET /healthz  200 "ok": the process answers.
// GET /readyz   200 "ready" when the Store answers (count_jobs) and a file can be created in
//               the recordings folder; else 503 {"error": "…"} naming what failed.
//
// Thread-safe (see ApiContext).
#include "api/api_context.hpp"
#include "net/server/server_types.hpp"

namespace callscribe::api {

net::ServerResponse healthz();
net::ServerResponse readyz(const ApiContext& context);

} // namespace callscribe::api
