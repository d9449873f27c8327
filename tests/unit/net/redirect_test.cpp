// next_hop(): every rule of a redirect, one case at a time (net/curl/redirect.hpp).
#include "net/curl/redirect.hpp"

#include <gtest/gtest.h>

namespace callscribe::net::curl {
namespace {

const std::string k_first = "https://api.twilio.example/2010-04-01/Recordings/RE1";

Hop from(std::string method = "GET", std::string url = k_first) {
    return Hop{.url = std::move(url), .method = std::move(method)};
}

// The hop after `status` with `location`; fails the test when there is none.
Hop followed(const Hop& current, int status, const char* location) {
    auto next = next_hop(current, status, location, k_first);
    EXPECT_TRUE(next) << next.error().message;
    EXPECT_TRUE(next && *next) << status << " " << location;
    return next && *next ? **next : Hop{};
}

TEST(NextHop, OnlyRedirectStatusesWithALocationAreFollowed) {
    for (const int status : {200, 204, 300, 304, 305, 306, 400, 404, 500}) {
        auto next = next_hop(from(), status, "https://cdn.example/x", k_first);
        ASSERT_TRUE(next);
        EXPECT_FALSE(*next) << status;
    }
    for (const int status : {301, 302, 303, 307, 308}) {
        auto next = next_hop(from(), status, nullptr, k_first);
        ASSERT_TRUE(next);
        EXPECT_FALSE(*next) << status << " without a Location is the final answer";
        EXPECT_EQ(followed(from(), status, "https://cdn.example/x").url, "https://cdn.example/x");
    }
}

TEST(NextHop, CredentialsStayWithinTheFirstOrigin) {
    EXPECT_TRUE(followed(from(), 302, "https://api.twilio.example/other").with_credentials);
    EXPECT_TRUE(followed(from(), 302, "https://API.Twilio.Example:443/x").with_credentials)
        << "the same origin, written otherwise";
    for (const char* elsewhere :
         {"https://cdn.example/x", "http://api.twilio.example/x",
          "https://api.twilio.example:8443/x", "https://api.twilio.example.evil.example/x"}) {
        EXPECT_FALSE(followed(from(), 302, elsewhere).with_credentials) << elsewhere;
    }
}

TEST(NextHop, CredentialsOnceDroppedStayDroppedOnTheWayBack) {
    const Hop away = followed(from(), 302, "https://cdn.example/x");
    ASSERT_FALSE(away.with_credentials);
    EXPECT_FALSE(followed(away, 302, "https://api.twilio.example/back").with_credentials);
}

TEST(NextHop, UserInfoInTheLocationNeverTravels) {
    const Hop next = followed(from(), 302, "https://AC123:token@cdn.example/x?sig=1");
    EXPECT_EQ(next.url, "https://cdn.example/x?sig=1");
    EXPECT_EQ(next.url.find("token"), std::string::npos);
}

TEST(NextHop, OnlyHttpAndHttpsAreFollowed) {
    for (const char* location : {"ftp://cdn.example/x", "file:///etc/passwd", "gopher://x/"}) {
        auto next = next_hop(from("GET", "https://user:pw@api.twilio.example/x?token=s3cret"), 302,
                             location, k_first);
        ASSERT_FALSE(next) << location;
        EXPECT_FALSE(next.error().retryable);
        EXPECT_EQ(next.error().message.find("s3cret"), std::string::npos) << next.error().message;
        EXPECT_EQ(next.error().message.find("pw@"), std::string::npos) << next.error().message;
        EXPECT_NE(next.error().message.find("non-http(s)"), std::string::npos);
    }
}

TEST(NextHop, MethodsChangeAsBrowsersChangeThem) {
    struct Case {
        const char* method;
        int status;
        const char* method_after;
        bool body_after;
    };
    for (const Case& c : {Case{"POST", 303, "GET", false}, Case{"POST", 302, "GET", false},
                          Case{"POST", 301, "GET", false}, Case{"POST", 307, "POST", true},
                          Case{"POST", 308, "POST", true}, Case{"PUT", 302, "PUT", true},
                          Case{"PUT", 303, "GET", false}, Case{"HEAD", 303, "HEAD", false},
                          Case{"GET", 301, "GET", true}}) {
        const Hop next = followed(from(c.method), c.status, "https://api.twilio.example/y");
        EXPECT_EQ(next.method, c.method_after) << c.method << " " << c.status;
        EXPECT_EQ(next.with_body, c.body_after) << c.method << " " << c.status;
    }
}

} // namespace
} // namespace callscribe::net::curl
