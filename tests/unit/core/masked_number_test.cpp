#include "core/log.hpp"

#include <gtest/gtest.h>

namespace callscribe {
namespace {

TEST(MaskedNumber, KeepsEnoughToTellCallsApartAndNoMore) {
    EXPECT_EQ(masked_number("+15551234542"), "+1555…42");
    EXPECT_EQ(masked_number("+442071838750"), "+4420…50");
    EXPECT_EQ(masked_number("client:alice"), "client:…");
    EXPECT_EQ(masked_number("sip:bob@pbx.example.com"), "sip:…");
    EXPECT_EQ(masked_number("12345"), "…") << "too short to show any of it";
    EXPECT_EQ(masked_number(""), "");
}

} // namespace
} // namespace callscribe
