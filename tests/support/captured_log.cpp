#include "support/captured_log.hpp"

#include "core/log.hpp"

#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <mutex>

namespace callscribe::test_support {

struct CapturedLog::Sink final : spdlog::sinks::base_sink<std::mutex> {
    std::vector<std::string> lines;

    std::vector<std::string> copy() {
        std::lock_guard lock(mutex_);
        return lines;
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        lines.emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush_() override {}
};

CapturedLog::CapturedLog() : m_sink(std::make_shared<Sink>()) {
    log().sinks().push_back(m_sink);
}

CapturedLog::~CapturedLog() {
    auto& sinks = log().sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
}

std::vector<std::string> CapturedLog::lines() const {
    return m_sink->copy();
}

std::string CapturedLog::text() const {
    std::string out;
    for (const auto& line : lines())
        out += line + '\n';
    return out;
}

int CapturedLog::find(std::string_view text, int from) const {
    const auto all = lines();
    for (int i = std::max(from, 0); i < static_cast<int>(all.size()); ++i) {
        if (all[i].find(text) != std::string::npos) return i;
    }
    return -1;
}

} // namespace callscribe::test_support
