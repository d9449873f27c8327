#pragma once
// Captures what callscribe::log() writes while the object lives, one message per line (the
// message text only, without time or level), so tests can assert the operator log lines.

#include <memory>
#include <string>
#include <string_view>
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
    bool contains(std::string_view text) const { return find(text) >= 0; }
    // The index of the first line at or after `from` that contains `text`, or -1: lets a test
    // assert that lines came in order.
    int find(std::string_view text, int from = 0) const;

  private:
    struct Sink;
    std::shared_ptr<Sink> m_sink;
};

} // namespace callscribe::test_support
