#include "sandbox/call_registry.hpp"

namespace callscribe::sandbox {

bool CallRegistry::add(SandboxCall call) {
    std::lock_guard lock(m_mutex);
    const std::string call_sid = call.call_sid().str();
    const std::optional<std::string> recording_sid =
        call.recording_sid() ? std::optional(call.recording_sid()->str()) : std::nullopt;
    if (m_by_call.contains(call_sid)) return false;
    if (recording_sid && m_by_recording.contains(*recording_sid)) return false;
    auto& stored = m_calls.emplace_back(std::make_unique<SandboxCall>(std::move(call)));
    m_by_call.emplace(call_sid, stored.get());
    if (recording_sid) m_by_recording.emplace(*recording_sid, stored.get());
    return true;
}

SandboxCall* CallRegistry::find(const std::map<std::string, SandboxCall*, std::less<>>& index,
                                std::string_view sid) {
    auto it = index.find(sid);
    return it == index.end() ? nullptr : it->second;
}

void CallRegistry::record(RequestRecord request) {
    std::lock_guard lock(m_mutex);
    if (request.listener == "storage" && request.had_authorization) ++m_storage_authorization;
    m_requests.push_back(std::move(request));
    if (m_requests.size() > k_request_log_limit) m_requests.pop_front();
}

nlohmann::json CallRegistry::requests_json() const {
    std::lock_guard lock(m_mutex);
    auto list = nlohmann::json::array();
    for (const auto& r : m_requests) {
        list.push_back({{"listener", r.listener},
                        {"method", r.method},
                        {"path", r.path},
                        {"had_auth", r.had_authorization},
                        {"status", r.status}});
    }
    return {{"requests", std::move(list)},
            {"storage_authorization_headers", m_storage_authorization}};
}

} // namespace callscribe::sandbox
