#include "net/websocket/websocket_client.hpp"

#include <gtest/gtest.h>

namespace callscribe::net {
namespace {

TEST(WebSocketUrl, TakesHostPortAndTarget) {
    auto url = parse_websocket_url("ws://127.0.0.1:8080/twilio/media");
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(url->host, "127.0.0.1");
    EXPECT_EQ(url->port, "8080");
    EXPECT_EQ(url->target, "/twilio/media");
    url = parse_websocket_url("ws://calls.example.com");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->port, "80");
    EXPECT_EQ(url->target, "/");
    url = parse_websocket_url("ws://[::1]:9/a?b=1");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->port, "9");
    EXPECT_EQ(url->target, "/a?b=1");
}

TEST(WebSocketUrl, RefusesWhatItCannotConnectTo) {
    for (const char* bad :
         {"wss://calls.example.com/media", "http://127.0.0.1/", "ws://user:pw@127.0.0.1/",
          "ws://127.0.0.1:http/", "ws:///media", "ws://[::1/"}) {
        EXPECT_FALSE(parse_websocket_url(bad)) << bad;
    }
}

} // namespace
} // namespace callscribe::net
