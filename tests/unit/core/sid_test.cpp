#include "core/sid.hpp"

#include <gtest/gtest.h>

namespace callscribe {
namespace {

TEST(Sid, AcceptsTwoLettersAndThirtyTwoHexDigits) {
    auto call = CallSid::parse("CA0123456789abcdefABCDEF0123456789");
    ASSERT_TRUE(call);
    EXPECT_EQ(call->str(), "CA0123456789abcdefABCDEF0123456789");
    EXPECT_TRUE(RecordingSid::parse("REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    EXPECT_TRUE(AccountSid::parse("AC00000000000000000000000000000000"));
}

TEST(Sid, RejectsEverythingElse) {
    for (const char* bad :
         {"", "CA", "CA123", "ca0123456789abcdef0123456789abcdef",
          "RE0123456789abcdef0123456789abcdef",  // the wrong kind
          "CA0123456789abcdef0123456789abcdeg",  // not hex
          "CA0123456789abcdef0123456789abcdef0", // too long
          "CA../../../../etc/passwd0123456789a", "CA0123456789abcdef0123456789abcd%2"})
        EXPECT_FALSE(CallSid::parse(bad)) << bad;
    EXPECT_FALSE(CallSid::parse(std::string_view("CA0123456789abcdef0123456789abcde\0", 34)));
}

TEST(Sid, ComparesByText) {
    auto a = CallSid::parse("CA00000000000000000000000000000001");
    auto b = CallSid::parse("CA00000000000000000000000000000002");
    EXPECT_LT(*a, *b);
    EXPECT_EQ(*a, *CallSid::parse("CA00000000000000000000000000000001"));
}

} // namespace
} // namespace callscribe
