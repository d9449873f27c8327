#include "net/http_client.hpp"

#include <gtest/gtest.h>

namespace callscribe::net {

TEST(HttpResponse, HeaderLookupIgnoresCase) {
    HttpResponse response;
    response.headers = {{"content-type", "audio/mpeg"}, {"retry-after", "7"}};
    EXPECT_EQ(response.header("Content-Type"), "audio/mpeg");
    EXPECT_EQ(response.header("RETRY-AFTER"), "7");
    EXPECT_EQ(response.header("location"), std::nullopt);
}

TEST(RedactUrl, DropsUserInfoQueryAndFragment) {
    EXPECT_EQ(redact_url("https://AC123:token@api.twilio.com/2010-04-01/x.json?Page=2#f"),
              "https://api.twilio.com/2010-04-01/x.json");
    EXPECT_EQ(redact_url("http://127.0.0.1:8080/a?key=secret"), "http://127.0.0.1:8080/a");
    EXPECT_EQ(redact_url("http://host/path@with-at"), "http://host/path@with-at");
    EXPECT_EQ(redact_url("http://user@host"), "http://host");
}

} // namespace callscribe::net
