#include "core/base64.hpp"

#include <gtest/gtest.h>

namespace callscribe {

TEST(Base64, EncodesTheRfc4648Vectors) {
    EXPECT_EQ(encode_base64(""), "");
    EXPECT_EQ(encode_base64("f"), "Zg==");
    EXPECT_EQ(encode_base64("fo"), "Zm8=");
    EXPECT_EQ(encode_base64("foo"), "Zm9v");
    EXPECT_EQ(encode_base64("foob"), "Zm9vYg==");
    EXPECT_EQ(encode_base64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(encode_base64("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesWithOrWithoutPadding) {
    EXPECT_EQ(decode_base64("Zm9vYg==").value(), "foob");
    EXPECT_EQ(decode_base64("Zm9vYg").value(), "foob");
    EXPECT_EQ(decode_base64("").value(), "");
}

TEST(Base64, RoundTripsEveryByteValue) {
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes += static_cast<char>(i);
    for (std::size_t n = 0; n <= 5; ++n) {
        std::string part = bytes.substr(n);
        EXPECT_EQ(decode_base64(encode_base64(part)).value(), part);
    }
}

TEST(Base64, ErrorsDoNotEchoTheInput) {
    auto bad = decode_base64("c2Vj*mV0");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "is not valid base64 (bad character)");
    auto short_one = decode_base64("c2VjcmV0Z");
    ASSERT_FALSE(short_one);
    EXPECT_EQ(short_one.error().message, "is not valid base64 (wrong length)");
}

} // namespace callscribe
