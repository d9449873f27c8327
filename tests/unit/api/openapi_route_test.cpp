// GET /openapi.json: the document of docs/openapi.yaml, embedded at build time, served open;
// and every route the service has is described in it. (scripts/openapi-test.sh validates the
// document itself and the answers of a running service against it.)
#include "unit/api/api_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace callscribe::api::test {
namespace {

class OpenApiRoute : public ApiFixture {};

// "/api/calls/{call_sid}" and "/api/calls/{CallSid}" name the same route.
std::string without_parameter_names(const std::string& route) {
    return std::regex_replace(route, std::regex(R"(\{[^}]*\})"), "{}");
}

TEST_F(OpenApiRoute, IsServedAsJsonWithoutTheApiToken) {
    m_settings.api_token = Secret("s3cret-api-token");
    const auto r = get("/openapi.json");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto document = body_json(r);
    EXPECT_TRUE(document.at("openapi").get<std::string>().starts_with("3.1."));
    EXPECT_TRUE(document.at("paths").contains("/openapi.json"));
    const auto etag = r.header("etag");
    ASSERT_TRUE(etag);
    EXPECT_EQ(get("/openapi.json", {{"if-none-match", *etag}}).status, 304);
}

TEST_F(OpenApiRoute, DescribesEveryRouteOfTheService) {
    const auto document = body_json(get("/openapi.json"));
    const auto& paths = document.at("paths");
    std::vector<std::string> documented;
    for (const auto& [path, item] : paths.items()) {
        for (const auto& [method, operation] : item.items()) {
            if (method == "parameters") continue;
            std::string upper = method;
            for (char& c : upper)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            documented.push_back(without_parameter_names(upper + " " + path));
        }
    }
    const auto routes = router().routes();
    ASSERT_GE(routes.size(), 15u);
    for (const auto& route : routes)
        EXPECT_NE(std::ranges::find(documented, without_parameter_names(route)), documented.end())
            << route << " is not in docs/openapi.yaml";
}

TEST_F(OpenApiRoute, IsNotReachableAsAPageAsset) {
    EXPECT_EQ(get("/assets/openapi.json").status, 404);
    EXPECT_EQ(get("/assets/..%2Fopenapi.json").status, 404);
}

} // namespace
} // namespace callscribe::api::test
