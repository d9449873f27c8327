#pragma once
// Twilio identifiers: two letters naming the kind, then 32 hex digits (OpenAPI patterns
// ^CA[0-9a-fA-F]{32}$ and so on). A Sid value is always valid: parse() is the only way in, so
// anything that holds one may put it in a path or a URL.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace callscribe {

template <char First, char Second> class Sid {
  public:
    static constexpr std::size_t k_length = 34;

    static std::optional<Sid> parse(std::string_view text) {
        if (text.size() != k_length || text[0] != First || text[1] != Second) return std::nullopt;
        for (char c : text.substr(2)) {
            bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) return std::nullopt;
        }
        return Sid(std::string(text));
    }

    const std::string& str() const { return m_text; }
    friend auto operator<=>(const Sid&, const Sid&) = default;

  private:
    explicit Sid(std::string text) : m_text(std::move(text)) {}
    std::string m_text;
};

using AccountSid = Sid<'A', 'C'>;
using CallSid = Sid<'C', 'A'>;
using RecordingSid = Sid<'R', 'E'>;

} // namespace callscribe
