#include "api/api_error.hpp"
#include "api/router.hpp"
#include "unit/api/server_request.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace callscribe::api {
namespace {

using test::make_request;

net::ServerResponse echo(const net::ServerRequest& request, const PathParams& params) {
    nlohmann::json out{{"method", request.method}};
    for (const auto& [name, value] : params)
        out[name] = value;
    return net::ServerResponse::json(200, out.dump());
}

Router example() {
    Router router;
    router.add("GET", "/healthz", echo);
    router.add("GET", "/api/calls", echo);
    router.add("GET", "/api/calls/{call_sid}", echo);
    router.add("POST", "/api/calls/{call_sid}/end", echo);
    router.add("GET", "/api/calls/{call_sid}/download", echo);
    router.add("DELETE", "/api/calls/{call_sid}/download", echo);
    router.add("GET", "/boom",
               [](const net::ServerRequest&, const PathParams&) -> net::ServerResponse {
                   throw ApiError(418, "short and stout", {{"X-Teapot", "yes"}});
               });
    return router;
}

nlohmann::json body(const net::ServerResponse& response) {
    return nlohmann::json::parse(response.body);
}

TEST(Router, MatchesLiteralsAndParameters) {
    const Router router = example();
    auto r = router.handle(make_request("GET", "/api/calls/CA1"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body(r)["call_sid"], "CA1");
    r = router.handle(make_request("POST", "/api/calls/CA2/end"));
    EXPECT_EQ(body(r)["call_sid"], "CA2");
    EXPECT_EQ(body(r)["method"], "POST");
    r = router.handle(make_request("GET", "/api/calls?limit=3"));
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(body(r).contains("call_sid"));
}

TEST(Router, ParametersArrivePercentDecoded) {
    const Router router = example();
    auto r = router.handle(make_request("GET", "/api/calls/..%2F..%2Fetc/download"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body(r)["call_sid"], "../../etc");
}

TEST(Router, UnknownPathsAre404Json) {
    const Router router = example();
    for (const char* path : {"/", "/nope", "/api/calls/", "/api/calls/CA1/end/more", "/api//calls",
                             "/api/calls//download", "/healthz/", "/API/calls"}) {
        auto r = router.handle(make_request("GET", path));
        EXPECT_EQ(r.status, 404) << path;
        EXPECT_EQ(r.header("content-type"), "application/json") << path;
        EXPECT_EQ(body(r)["error"], std::string("no route for GET ") + path);
    }
}

TEST(Router, AKnownPathWithAnotherMethodIs405WithAllow) {
    const Router router = example();
    auto r = router.handle(make_request("POST", "/healthz"));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.header("allow"), "GET, HEAD");
    EXPECT_EQ(body(r)["error"], "POST is not allowed here");
    r = router.handle(make_request("PUT", "/api/calls/CA1/download"));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.header("allow"), "GET, HEAD, DELETE");
    r = router.handle(make_request("GET", "/api/calls/CA1/end"));
    EXPECT_EQ(r.header("allow"), "POST");
}

TEST(Router, HeadIsAnsweredByTheGetRoute) {
    const Router router = example();
    auto r = router.handle(make_request("HEAD", "/api/calls/CA1"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body(r)["call_sid"], "CA1") << "the server drops the body, the router does not";
    EXPECT_EQ(body(r)["method"], "HEAD");
    r = router.handle(make_request("HEAD", "/api/calls/CA1/end"));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.header("allow"), "POST");
    EXPECT_EQ(router.handle(make_request("HEAD", "/nope")).status, 404);
}

TEST(Router, ApiErrorBecomesJsonWithItsStatusAndHeaders) {
    const Router router = example();
    auto r = router.handle(make_request("GET", "/boom"));
    EXPECT_EQ(r.status, 418);
    EXPECT_EQ(body(r), nlohmann::json({{"error", "short and stout"}}));
    EXPECT_EQ(r.header("x-teapot"), "yes");
}

TEST(Router, OtherExceptionsGoThroughToTheServer) {
    Router router;
    router.add("GET", "/bug",
               [](const net::ServerRequest&, const PathParams&) -> net::ServerResponse {
                   throw std::logic_error("a bug");
               });
    EXPECT_THROW(router.handle(make_request("GET", "/bug")), std::logic_error);
}

} // namespace
} // namespace callscribe::api
