#pragma once
// Captures what the service logs while it is alive (a sink added to callscribe::log()), so a
// test can assert the operator log lines of DESIGN.md.
#include "core/log.hpp"

#include <spdlog/sinks/ringbuffer_sink.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::test_support {

class LogCapture {
  public:
    LogCapture() : m_sink(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100000)) {
        m_sink->set_pattern("%v");
        log().sinks().push_back(m_sink);
    }
    ~LogCapture() {
        auto& sinks = log().sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::vector<std::string> lines() const { return m_sink->last_formatted(); }
    // Lines that contain `text`.
    std::vector<std::string> matching(std::string_view text) const {
        std::vector<std::string> found;
        for (auto& line : lines()) {
            if (line.find(text) != std::string::npos) found.push_back(line);
        }
        return found;
    }
    bool contains(std::string_view text) const { return !matching(text).empty(); }
    // The index of the first line at or after `from` that contains `text`, or -1.
    int find(std::string_view text, int from = 0) const {
        auto all = lines();
        for (int i = std::max(from, 0); i < static_cast<int>(all.size()); ++i) {
            if (all[i].find(text) != std::string::npos) return i;
        }
        return -1;
    }

  private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> m_sink;
};

} // namespace callscribe::test_support
