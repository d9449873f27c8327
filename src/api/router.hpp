#pragma once
// Routes a request by method and path to a handler: plain functions from a request (and the
// path's parameters) to a response, testable without sockets.
//
// Patterns are paths whose segments are literals or {name}: "/api/calls/{call_sid}/download".
// A literal matches its segment exactly (as sent, not decoded); {name} matches one non-empty
// segment, which the handler receives percent-decoded ("..%2F" arrives as "../", so handlers
// validate what they get). Answers the router gives itself:
//   - no pattern matches the path            → 404 {"error": "no route for GET /x"}
//   - a pattern matches, but not the method  → 405 with Allow
//   - HEAD                                   → the GET route's answer (the server sends no body)
//   - the handler (or the deferred work of its answer) throws ApiError
//                                            → its status {"error": message} (the one place)
// Any other exception goes through to the HttpServer, which answers 500 and logs it.
//
// Thread safety: add() while setting up; handle() is const and may run on many threads.
#include "net/server/server_types.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::api {

// {name} → its decoded segment.
using PathParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler =
    std::function<net::ServerResponse(const net::ServerRequest&, const PathParams&)>;

class Router {
  public:
    void add(std::string method, std::string_view pattern, RouteHandler handler);

    net::ServerResponse handle(const net::ServerRequest& request) const;

    // "GET /api/calls/{call_sid}", … in the order added: what docs/openapi.yaml must describe.
    std::vector<std::string> routes() const;

  private:
    struct Route {
        std::string method;
        std::vector<std::string> segments; // "{name}" for a parameter
        RouteHandler handler;
    };
    // Fills `params` when `route` matches `path` (split at '/').
    static bool matches(const Route& route, const std::vector<std::string_view>& path,
                        PathParams& params);

    std::vector<Route> m_routes;
};

} // namespace callscribe::api
