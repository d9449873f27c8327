#include "api/health_routes.hpp"

#include "api/api_error.hpp"
#include "core/log.hpp"

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <unistd.h>

namespace callscribe::api {
namespace {

// Creates and removes a small file in `dir`: the only honest test of "writable" (a read-only
// mount, a full disk, a wrong owner all show up here).
Result<void> check_writable(const std::filesystem::path& dir) {
    static std::atomic<unsigned> counter{0};
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    const auto probe = dir / fmt::format(".readyz-{}-{}", ::getpid(), counter++);
    {
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        out << "ok";
        out.flush();
        if (!out) {
            std::filesystem::remove(probe, ec);
            return fail(fmt::format("cannot write in {}", dir.string()));
        }
    }
    std::filesystem::remove(probe, ec);
    return {};
}

} // namespace

net::ServerResponse healthz() {
    return net::ServerResponse::text(200, "ok\n");
}

net::ServerResponse readyz(const ApiContext& context) {
    const auto counted = context.store.count_jobs();
    if (auto damage = context.store.damaged()) { // met by this query or any earlier one
        log().warn("[API] not ready: {}", *damage);
        throw ApiError(503, "the database file is damaged (the service log says why)");
    }
    if (!counted) {
        log().warn("[API] not ready: the database does not answer: {}", counted.error().message);
        throw ApiError(503, "the database does not answer");
    }
    if (auto writable = check_writable(context.settings.data_dir / "recordings"); !writable) {
        log().warn("[API] not ready: {}", writable.error().message);
        throw ApiError(503, "the recordings folder is not writable (the service log says why)");
    }
    return net::ServerResponse::text(200, "ready\n");
}

} // namespace callscribe::api
