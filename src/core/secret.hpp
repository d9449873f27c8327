#pragma once
// A credential that never prints: formatting a Secret yields "***" whatever it holds.
// Only code that sends it (auth headers, HMAC keys) calls reveal().

#include <fmt/format.h>

#include <ostream>
#include <string>

namespace callscribe {

class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string value) : m_value(std::move(value)) {}

    bool empty() const { return m_value.empty(); }
    const std::string& reveal() const { return m_value; }

    // Constant time in the contents, so that comparing a presented token with this one does
    // not tell an attacker how many leading characters were right.
    friend bool operator==(const Secret& a, const Secret& b) {
        if (a.m_value.size() != b.m_value.size()) return false;
        unsigned char diff = 0;
        for (std::size_t i = 0; i < a.m_value.size(); ++i)
            diff |= static_cast<unsigned char>(a.m_value[i] ^ b.m_value[i]);
        return diff == 0;
    }
    friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

  private:
    std::string m_value;
};

} // namespace callscribe

template <> struct fmt::formatter<callscribe::Secret> : fmt::formatter<std::string_view> {
    auto format(const callscribe::Secret&, fmt::format_context& ctx) const {
        return fmt::formatter<std::string_view>::format("***", ctx);
    }
};
