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

    friend bool operator==(const Secret&, const Secret&) = default;
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
