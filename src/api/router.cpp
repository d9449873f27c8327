#include "api/router.hpp"

#include "api/api_error.hpp"
#include "core/result.hpp"
#include "net/url_encoding.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace callscribe::api {
namespace {

// "/a/b/c" → {"a", "b", "c"}; "/" → {""}; a path that does not start with '/' → {}.
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    if (!path.starts_with('/')) return out;
    path.remove_prefix(1);
    for (;;) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

// The answer of `work`, or the one its ApiError asks for.
template <class Work> net::ServerResponse answer(const Work& work) {
    try {
        return work();
    } catch (const ApiError& e) {
        return error_response(e.status(), e.what(), e.headers());
    }
}

bool is_parameter(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

} // namespace

void Router::add(std::string method, std::string_view pattern, RouteHandler handler) {
    const auto segments = split_path(pattern);
    CALLSCRIBE_ASSERT(!segments.empty());
    m_routes.push_back(Route{std::move(method),
                             std::vector<std::string>(segments.begin(), segments.end()),
                             std::move(handler)});
}

bool Router::matches(const Route& route, const std::vector<std::string_view>& path,
                     PathParams& params) {
    if (route.segments.size() != path.size()) return false;
    PathParams found;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const std::string& segment = route.segments[i];
        if (!is_parameter(segment)) {
            if (segment != path[i]) return false;
            continue;
        }
        if (path[i].empty()) return false;
        found.emplace(segment.substr(1, segment.size() - 2), net::percent_decode(path[i]));
    }
    params = std::move(found);
    return true;
}

std::vector<std::string> Router::routes() const {
    std::vector<std::string> out;
    for (const auto& route : m_routes) {
        std::string line = route.method + " ";
        for (const auto& segment : route.segments)
            line += "/" + segment;
        out.push_back(std::move(line));
    }
    return out;
}

net::ServerResponse Router::handle(const net::ServerRequest& request) const {
    const auto path = split_path(request.path);
    // HEAD is GET without the body (RFC 9110 §9.3.2): the server leaves the body out.
    const std::string_view method =
        request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
    std::vector<std::string_view> allowed;
    auto allow = [&allowed](std::string_view name) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            allowed.push_back(name);
    };
    for (const auto& route : m_routes) {
        PathParams params;
        if (!matches(route, path, params)) continue;
        if (route.method != method) {
            allow(route.method);
            if (route.method == "GET") allow("HEAD");
            continue;
        }
        net::ServerResponse response = answer([&] { return route.handler(request, params); });
        if (response.deferred) {
            response.deferred = [work = std::move(response.deferred)] { return answer(work); };
        }
        return response;
    }
    if (!allowed.empty()) {
        return error_response(405, fmt::format("{} is not allowed here", request.method),
                              {{"Allow", fmt::format("{}", fmt::join(allowed, ", "))}});
    }
    return error_response(404, fmt::format("no route for {} {}", request.method, request.path));
}

} // namespace callscribe::api
