#include "net/url_encoding.hpp"

namespace callscribe::net {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

std::string form_decode(std::string_view text) {
    std::string spaced(text);
    for (char& c : spaced) {
        if (c == '+') c = ' ';
    }
    return percent_decode(spaced);
}

std::string form_encode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c == ' ') {
            out += '+';
        } else if (unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            const char byte = static_cast<char>(c);
            out += percent_encode(std::string_view(&byte, 1));
        }
    }
    return out;
}

} // namespace

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 0x0f];
        }
    }
    return out;
}

FormFields parse_form(std::string_view text) {
    FormFields fields;
    while (!text.empty()) {
        const auto amp = text.find('&');
        const std::string_view piece = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
        if (piece.empty()) continue;
        const auto eq = piece.find('=');
        if (eq == std::string_view::npos) {
            fields.emplace_back(form_decode(piece), std::string{});
        } else {
            fields.emplace_back(form_decode(piece.substr(0, eq)),
                                form_decode(piece.substr(eq + 1)));
        }
    }
    return fields;
}

std::string encode_form(const FormFields& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out += '&';
        out += form_encode(name);
        out += '=';
        out += form_encode(value);
    }
    return out;
}

} // namespace callscribe::net
