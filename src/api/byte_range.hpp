#pragma once
// The Range request header for one representation of `size` bytes (RFC 9110 §14): which bytes
// to send. Only single ranges are served; anything the server may ignore is ignored, so the
// whole file goes out with 200, as §14.2 allows.
//
//   bytes=a-b   bytes a..b (b past the end means the end)
//   bytes=a-    from a to the end
//   bytes=-n    the last n bytes (all of them when n >= size)
//
// Ignored (→ whole): another unit, a syntax error (letters, a-b with b < a, "bytes=-", spaces
// inside a number), several ranges. Unsatisfiable (→ 416): a first byte at or past the end,
// "-0", or any range of an empty file. The unit is case-insensitive, whitespace around the
// range and empty list elements ("bytes=0-9,") are allowed. Numbers too large for 64 bits count
// as "past the end".
//
// Pure; thread-safe.
#include <cstdint>
#include <string_view>

namespace callscribe::api {

struct ByteRange {
    enum class Kind { whole, partial, unsatisfiable };
    Kind kind = Kind::whole;
    std::uint64_t first = 0;  // partial: the first byte
    std::uint64_t length = 0; // partial: how many bytes, at least 1

    std::uint64_t last() const { return first + length - 1; }
    friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

ByteRange parse_byte_range(std::string_view header, std::uint64_t size);

} // namespace callscribe::api
