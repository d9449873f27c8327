#include "core/base64.hpp"

namespace callscribe {

namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

} // namespace

std::string encode_base64(std::string_view bytes) {
    std::string out;
    out.reserve(4 * ((bytes.size() + 2) / 3));
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        unsigned group = static_cast<unsigned char>(bytes[i]) << 16 |
                         static_cast<unsigned char>(bytes[i + 1]) << 8 |
                         static_cast<unsigned char>(bytes[i + 2]);
        out += k_alphabet[(group >> 18) & 63];
        out += k_alphabet[(group >> 12) & 63];
        out += k_alphabet[(group >> 6) & 63];
        out += k_alphabet[group & 63];
    }
    if (std::size_t rest = bytes.size() - i; rest > 0) {
        unsigned group = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += k_alphabet[(group >> 18) & 63];
        out += k_alphabet[(group >> 12) & 63];
        out += rest == 2 ? k_alphabet[(group >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

Result<std::string> decode_base64(std::string_view text) {
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    if (text.size() % 4 == 1) return fail("is not valid base64 (wrong length)");
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        auto index = k_alphabet.find(c);
        if (index == std::string_view::npos) return fail("is not valid base64 (bad character)");
        buffer = (buffer << 6) | static_cast<unsigned>(index);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return Result<std::string>(boost::system::in_place_value, std::move(out));
}

} // namespace callscribe
