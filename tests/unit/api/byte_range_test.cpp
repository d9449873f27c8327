#include "api/byte_range.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace callscribe::api {
namespace {

using Kind = ByteRange::Kind;

const ByteRange k_whole{};
const ByteRange k_unsatisfiable{Kind::unsatisfiable};

ByteRange bytes(std::uint64_t first, std::uint64_t last) {
    return ByteRange{Kind::partial, first, last - first + 1};
}

TEST(ByteRange, FirstToLast) {
    EXPECT_EQ(parse_byte_range("bytes=0-0", 100), bytes(0, 0));
    EXPECT_EQ(parse_byte_range("bytes=0-99", 100), bytes(0, 99));
    EXPECT_EQ(parse_byte_range("bytes=10-19", 100), bytes(10, 19));
    EXPECT_EQ(parse_byte_range("bytes=99-99", 100), bytes(99, 99));
    EXPECT_EQ(parse_byte_range("bytes=10-19", 100).last(), 19u);
}

TEST(ByteRange, ALastPastTheEndMeansTheEnd) {
    EXPECT_EQ(parse_byte_range("bytes=50-1000", 100), bytes(50, 99));
    EXPECT_EQ(parse_byte_range("bytes=0-99999999999999999999999", 100), bytes(0, 99));
}

TEST(ByteRange, OpenEnded) {
    EXPECT_EQ(parse_byte_range("bytes=0-", 100), bytes(0, 99));
    EXPECT_EQ(parse_byte_range("bytes=42-", 100), bytes(42, 99));
    EXPECT_EQ(parse_byte_range("bytes=99-", 100), bytes(99, 99));
}

TEST(ByteRange, Suffix) {
    EXPECT_EQ(parse_byte_range("bytes=-1", 100), bytes(99, 99));
    EXPECT_EQ(parse_byte_range("bytes=-30", 100), bytes(70, 99));
    EXPECT_EQ(parse_byte_range("bytes=-100", 100), bytes(0, 99));
    EXPECT_EQ(parse_byte_range("bytes=-500", 100), bytes(0, 99));
    EXPECT_EQ(parse_byte_range("bytes=-99999999999999999999999", 100), bytes(0, 99));
}

TEST(ByteRange, UnsatisfiableRanges) {
    EXPECT_EQ(parse_byte_range("bytes=100-", 100), k_unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=100-200", 100), k_unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=5000-", 100), k_unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=99999999999999999999999-", 100), k_unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=-0", 100), k_unsatisfiable);
    for (const char* any : {"bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0"})
        EXPECT_EQ(parse_byte_range(any, 0), k_unsatisfiable) << any;
}

TEST(ByteRange, MalformedHeadersAreIgnored) {
    for (const char* header :
         {"",           "bytes",      "bytes=",     "bytes=-",    "bytes=abc",  "bytes=1-a",
          "bytes=a-1",  "bytes=5-4",  "bytes=1",    "bytes=1--2", "bytes=+1-2", "bytes=0x10-",
          "bytes=1 -2", "bytes=1- 2", "bytes=-1-2", "bytes=- 5",  "items=0-10", "bytes 0-10",
          "=0-10",      "bytes=,",    "bytes=1-2-3"}) {
        EXPECT_EQ(parse_byte_range(header, 100), k_whole) << '"' << header << '"';
    }
}

TEST(ByteRange, SeveralRangesAreIgnored) {
    EXPECT_EQ(parse_byte_range("bytes=0-1,5-6", 100), k_whole);
    EXPECT_EQ(parse_byte_range("bytes=0-1, -5", 100), k_whole);
    EXPECT_EQ(parse_byte_range("bytes=200-300,400-", 100), k_whole);
}

TEST(ByteRange, UnitCaseWhitespaceAndEmptyListElements) {
    EXPECT_EQ(parse_byte_range("Bytes=1-2", 100), bytes(1, 2));
    EXPECT_EQ(parse_byte_range("BYTES=1-2", 100), bytes(1, 2));
    EXPECT_EQ(parse_byte_range("bytes= 1-2 ", 100), bytes(1, 2));
    EXPECT_EQ(parse_byte_range("bytes=\t-3", 100), bytes(97, 99));
    EXPECT_EQ(parse_byte_range("bytes=1-2,", 100), bytes(1, 2));
    EXPECT_EQ(parse_byte_range("bytes=, ,1-2", 100), bytes(1, 2));
}

TEST(ByteRange, HugeFiles) {
    const std::uint64_t size = std::uint64_t{1} << 40;
    EXPECT_EQ(parse_byte_range("bytes=1099511627775-", size), bytes(size - 1, size - 1));
    EXPECT_EQ(parse_byte_range("bytes=-1099511627776", size), bytes(0, size - 1));
    const auto max = std::numeric_limits<std::uint64_t>::max();
    EXPECT_EQ(parse_byte_range("bytes=0-18446744073709551615", max), bytes(0, max - 1));
}

} // namespace
} // namespace callscribe::api
