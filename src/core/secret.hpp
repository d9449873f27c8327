#pragma once
// A credential that never prints: formatting a Secret yields "***" whatever it holds.
// Only code that sends it (auth headers, HMAC keys) calls reveal().

#include <fmt/format.h>

#include <ostream>
#include <string>
#include <string_view>

namespace callscribe {

// Compares in time that depends on the lengths only, not on where the contents differ, so that
// checking a presented token or signature does not tell an attacker how much of it was right.
inline bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string value) : m_value(std::move(value)) {}

    bool empty() const { return m_value.empty(); }
    const std::string& reveal() const { return m_value; }

    // Constant time in the contents (see constant_time_equal).
    friend bool operator==(const Secret& a, const Secret& b) {
        return constant_time_equal(a.m_value, b.m_value);
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
