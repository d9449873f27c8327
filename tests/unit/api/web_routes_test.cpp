#include "api/web_assets.hpp"
#include "api/web_routes.hpp"
#include "unit/api/api_fixture.hpp"

#include <gtest/gtest.h>

namespace callscribe::api::test {
namespace {

class WebPage : public ApiFixture {};

TEST_F(WebPage, TheRootIsTheEmbeddedPage) {
    const auto r = get("/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.header("cache-control"), "no-cache");
    EXPECT_NE(r.body.find("<script src=\"/assets/app.js\""), std::string::npos);
}

TEST_F(WebPage, AssetsCarryTheirTypeAndAnEtagThatAnswers304) {
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"/assets/app.js", "text/javascript; charset=utf-8"},
        {"/assets/app.css", "text/css; charset=utf-8"},
        {"/assets/favicon.svg", "image/svg+xml"}};
    for (const auto& [path, type] : expected) {
        const auto r = get(path);
        ASSERT_EQ(r.status, 200) << path;
        EXPECT_EQ(r.header("content-type"), type) << path;
        EXPECT_FALSE(r.body.empty()) << path;
        const auto etag = r.header("etag");
        ASSERT_TRUE(etag) << path;
        const auto again = get(path, {{"if-none-match", *etag}});
        EXPECT_EQ(again.status, 304) << path;
        EXPECT_TRUE(again.body.empty()) << path;
    }
}

TEST_F(WebPage, TheEmbeddedBytesAreTheSourceFiles) {
    for (const WebAsset& asset : web_assets()) {
        if (asset.path == "/openapi.json") continue; // built from docs/ (openapi_route_test.cpp)
        EXPECT_EQ(asset.body, test_support::read_file(std::filesystem::path(CALLSCRIBE_SOURCE_DIR) /
                                                      ("web" + std::string(asset.path))))
            << asset.path;
    }
}

TEST_F(WebPage, UnknownAssetsAre404AndThePageNeedsNoToken) {
    EXPECT_EQ(get("/assets/nope.js").status, 404);
    EXPECT_EQ(get("/assets/..%2Findex.html").status, 404);
    m_settings.api_token = Secret("s3cret-api-token");
    EXPECT_EQ(get("/").status, 200);
    EXPECT_EQ(get("/assets/app.js").status, 200);
    EXPECT_EQ(get("/api/calls").status, 401);
}

} // namespace
} // namespace callscribe::api::test
