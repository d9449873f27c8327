#pragma once
// Captures what callscribe::log() writes while the object lives, one message per line (the
// message text only, without time or level), so tests can assert the operator log lines.

#include <memory>
#include <string>
#include <vector>

namespace spdlog::sinks {
class sink;
}

namespace callscribe::test_support {

class CapturedLog {
  public:
    CapturedLog();
    ~CapturedLog();
    CapturedLog(const CapturedLog&) = delete;
    CapturedLog& operator=(const CapturedLog&) = delete;

    // The messages logged so far, in order (thread-safe).
    std::vector<std::string> lines() const;
    // All of them, newline-separated.
    std::string text() const;

  private:
    struct Sink;
    std::shared_ptr<Sink> m_sink;
};

} // namespace callscribe::test_support
