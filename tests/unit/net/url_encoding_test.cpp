#include "net/url_encoding.hpp"

#include <gtest/gtest.h>

namespace callscribe::net {
namespace {

TEST(UrlEncodingTest, PercentDecodeKeepsBrokenEscapesAndPlus) {
    EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
    EXPECT_EQ(percent_decode("100%"), "100%");
    EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
    EXPECT_EQ(percent_decode("a+b"), "a+b");
}

TEST(UrlEncodingTest, PercentEncodeKeepsOnlyUnreserved) {
    EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(percent_encode("a b/c+é"), "a%20b%2Fc%2B%C3%A9");
}

TEST(UrlEncodingTest, ParseFormDecodesPlusAndPercentAndKeepsOrder) {
    const FormFields expected{{"a", "1"}, {"b", "x y"}, {"c", ""}, {"a", "2&3"}, {"e q", "="}};
    EXPECT_EQ(parse_form("a=1&b=x+y&c&&a=2%263&e+q=%3D"), expected);
    EXPECT_TRUE(parse_form("").empty());
}

TEST(UrlEncodingTest, EncodeFormRoundTrips) {
    const FormFields fields{{"RecordingUrl", "https://api.twilio.com/x?y=1"},
                            {"Caller", "+14158675309"},
                            {"Text", "two words & more"}};
    const std::string encoded = encode_form(fields);
    EXPECT_EQ(encoded, "RecordingUrl=https%3A%2F%2Fapi.twilio.com%2Fx%3Fy%3D1&Caller=%2B14158675309"
                       "&Text=two+words+%26+more");
    EXPECT_EQ(parse_form(encoded), fields);
}

} // namespace
} // namespace callscribe::net
