#include "core/text.hpp"

#include <gtest/gtest.h>

namespace callscribe {

TEST(Text, AsciiLowerChangesOnlyAToZ) {
    EXPECT_EQ(ascii_lower("Content-Type: APPLICATION/Json"), "content-type: application/json");
    EXPECT_EQ(ascii_lower(""), "");
    // UTF-8 bytes are left as they are, whatever the locale would say of them.
    EXPECT_EQ(ascii_lower("ÉCOUTEZ Été"), "Écoutez Été");
}

TEST(Text, AsciiIequalsIgnoresOnlyTheCaseOfAToZ) {
    EXPECT_TRUE(ascii_iequals("Retry-After", "retry-after"));
    EXPECT_TRUE(ascii_iequals("", ""));
    EXPECT_FALSE(ascii_iequals("retry-after", "retry-afte"));
    EXPECT_FALSE(ascii_iequals("a-b", "a_b"));
    EXPECT_FALSE(ascii_iequals("É", "é"));
}

TEST(Text, TrimWhitespaceRemovesAsciiSpaceAtBothEnds) {
    EXPECT_EQ(trim_whitespace(" \t\r\n\f\v value with  inner space \n"), "value with  inner space");
    EXPECT_EQ(trim_whitespace("no-space"), "no-space");
    EXPECT_EQ(trim_whitespace(" \t\n"), "");
    EXPECT_EQ(trim_whitespace(""), "");
}

} // namespace callscribe
