#include "unit/api/api_fixture.hpp"

#include "support/damaged_database.hpp"

#include <gtest/gtest.h>

namespace callscribe::api::test {
namespace {

class HealthRoutes : public ApiFixture {};

TEST_F(HealthRoutes, HealthzIsOk) {
    const auto r = get("/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok\n");
}

TEST_F(HealthRoutes, ReadyWhenTheStoreAnswersAndRecordingsCanBeWritten) {
    const auto r = get("/readyz");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "ready\n");
    EXPECT_TRUE(std::filesystem::is_directory(m_dir / "recordings"));
    // The probe file is gone again.
    EXPECT_TRUE(std::filesystem::is_empty(m_dir / "recordings"));
}

TEST_F(HealthRoutes, NotReadyWhenTheRecordingsFolderCannotBeWritten) {
    test_support::write_file(m_dir / "recordings", "a file where the folder should be");
    const auto r = get("/readyz");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(body_json(r)["error"],
              "the recordings folder is not writable (the service log says why)");
}

// A load balancer must stop sending Twilio's callbacks to a node whose database is damaged.
TEST_F(HealthRoutes, NotReadyOnceTheDatabaseReportsItsFileDamaged) {
    auto db = test_support::open_then_damage(m_dir / "damaged.db");
    m_store = std::move(db.store);
    EXPECT_EQ(get("/healthz").status, 200);
    const auto r = get("/readyz");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(body_json(r)["error"], "the database file is damaged (the service log says why)");
    EXPECT_EQ(get("/api/calls").status, 500) << "requests meet the damaged pages too";
    EXPECT_EQ(get("/readyz").status, 503) << "and it stays so";
}

class ApiToken : public ApiFixture {
  protected:
    ApiToken() { m_settings.api_token = Secret("s3cret-api-token"); }
};

TEST_F(ApiToken, EveryApiRouteNeedsTheBearerToken) {
    const std::string call = "/api/calls/" + k_call.str();
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"GET", "/api/calls"},         {"GET", call},
        {"POST", call + "/end"},       {"POST", call + "/retranscribe"},
        {"GET", call + "/transcript"}, {"GET", call + "/download"},
        {"GET", "/api/calls/CA123"},   {"GET", "/api/calls/..%2F..%2Fetc/download"}};
    for (const auto& [method, target] : routes) {
        const auto missing = send(make_request(method, target, "{}"));
        EXPECT_EQ(missing.status, 401) << method << ' ' << target;
        EXPECT_EQ(missing.header("www-authenticate"), "Bearer realm=\"callscribe\"");
        for (const std::string authorization :
             {"Bearer wrong", "Bearer s3cret-api-token-but-longer", "Bearer S3CRET-API-TOKEN",
              "Basic s3cret-api-token", "Bearers3cret-api-token", "s3cret-api-token", "Bearer"}) {
            const auto wrong =
                send(make_request(method, target, "{}", {{"authorization", authorization}}));
            EXPECT_EQ(wrong.status, 401) << method << ' ' << target << ' ' << authorization;
        }
    }
    const auto wrong = get("/api/calls", {{"authorization", "Bearer wrong"}});
    EXPECT_EQ(wrong.header("www-authenticate"),
              "Bearer realm=\"callscribe\", error=\"invalid_token\"");
    EXPECT_EQ(body_json(wrong)["error"], "wrong API token");
    EXPECT_FALSE(find_call(k_call));
}

TEST_F(ApiToken, TheRightTokenOpensTheApi) {
    for (const std::string authorization :
         {"Bearer s3cret-api-token", "bearer s3cret-api-token", "BEARER  s3cret-api-token "}) {
        const auto r = get("/api/calls", {{"authorization", authorization}});
        EXPECT_EQ(r.status, 200) << authorization;
    }
    const auto end = post("/api/calls/" + k_call.str() + "/end", "{}",
                          {{"authorization", "Bearer s3cret-api-token"}});
    EXPECT_EQ(end.status, 202);
    // A malformed SID behind the right token is 400.
    EXPECT_EQ(get("/api/calls/CA123", {{"authorization", "Bearer s3cret-api-token"}}).status, 400);
}

TEST_F(ApiToken, HealthAndReadinessStayOpen) {
    EXPECT_EQ(get("/healthz").status, 200);
    EXPECT_EQ(get("/readyz").status, 200);
}

TEST_F(ApiToken, UnknownPathsAre404EvenWithoutTheToken) {
    EXPECT_EQ(get("/api/nothing").status, 404);
}

// Without an API token, a page on another site must not act through the operator's browser.
class CrossSite : public ApiFixture {
  protected:
    net::ServerResponse post_as(const std::string& path, net::ServerHeaders headers) {
        headers.emplace_back("host", "127.0.0.1:8080");
        return send(make_request("POST", "/api/calls/" + k_call.str() + path,
                                 R"({"realtime_transcript":"injected"})", std::move(headers)));
    }
};

TEST_F(CrossSite, StateChangingRoutesTakeJsonOnly) {
    for (const std::string path : {"/end", "/retranscribe"}) {
        for (const std::string type : {"text/plain", "application/x-www-form-urlencoded",
                                       "multipart/form-data; boundary=x", ""}) {
            net::ServerHeaders headers;
            if (!type.empty()) headers.emplace_back("content-type", type);
            const auto r = post_as(path, headers);
            EXPECT_EQ(r.status, 415) << path << " as " << type;
            EXPECT_EQ(body_json(r)["error"], "this route takes Content-Type: application/json");
        }
    }
    EXPECT_FALSE(find_call(k_call)) << "nothing was created";
    EXPECT_EQ(post_as("/end", {{"content-type", "Application/JSON; charset=utf-8"}}).status, 202);
}

TEST_F(CrossSite, AForeignOriginIsRefusedTheSameOneAccepted) {
    for (const std::string origin : {"https://evil.example", "http://127.0.0.1:8081", "null",
                                     "http://127.0.0.1:8080.evil.example"}) {
        const auto r = post_as("/end", {{"content-type", "application/json"}, {"origin", origin}});
        EXPECT_EQ(r.status, 403) << origin;
    }
    EXPECT_FALSE(find_call(k_call));
    EXPECT_EQ(
        post_as("/end", {{"content-type", "application/json"}, {"origin", "http://127.0.0.1:8080"}})
            .status,
        202);
    EXPECT_EQ(
        post_as("/retranscribe", {{"content-type", "application/json"}, {"origin", k_public_url}})
            .status,
        202)
        << "the public URL's origin is the page's too";
}

TEST_F(CrossSite, ThePageMayNotBeFramedOrLoadForeignCode) {
    const auto page = get("/");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.header("x-frame-options"), "DENY");
    const std::string policy = page.header("content-security-policy").value_or("");
    EXPECT_NE(policy.find("default-src 'self'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << policy;
}

} // namespace
} // namespace callscribe::api::test
