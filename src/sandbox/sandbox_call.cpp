#include "sandbox/sandbox_call.hpp"

#include <algorithm>
#include <cmath>

namespace callscribe::sandbox {
namespace {

TimePoint::duration whole_seconds(double seconds) {
    return std::chrono::duration_cast<TimePoint::duration>(
        std::chrono::seconds(std::lround(seconds)));
}

} // namespace

SandboxCall::SandboxCall(CallSid call_sid, std::optional<RecordingSid> recording_sid,
                         Scenario scenario, TimePoint created_at,
                         std::optional<PreparedAudio> audio,
                         std::pair<std::string, std::string> storage_tokens)
    : m_call_sid(std::move(call_sid)), m_recording_sid(std::move(recording_sid)),
      m_scenario(std::move(scenario)), m_created_at(created_at), m_audio(std::move(audio)),
      m_storage_tokens(std::move(storage_tokens)) {
    CALLSCRIBE_ASSERT(m_recording_sid.has_value() == m_audio.has_value());
}

std::optional<ScriptedAnswer> SandboxCall::take_failure() {
    if (m_failures_used >= m_scenario.failures.size()) return std::nullopt;
    return m_scenario.failures[m_failures_used++];
}

bool SandboxCall::processing(TimePoint now, int reads) const {
    const auto ready_at = m_created_at + std::chrono::duration_cast<TimePoint::duration>(
                                             m_scenario.processing_seconds);
    return reads < m_scenario.processing_fetches || now < ready_at;
}

RecordingFacts SandboxCall::facts(const std::string& account_sid, TimePoint now, int reads) const {
    CALLSCRIBE_ASSERT(m_recording_sid && m_audio);
    RecordingFacts f;
    f.account_sid = account_sid;
    f.call_sid = m_call_sid.str();
    f.sid = m_recording_sid->str();
    f.channels = m_audio->channels;
    f.pending = m_scenario.pending_duration;
    // The call ended when it was created: the recording started its duration before.
    f.start_time = m_created_at - whole_seconds(m_audio->duration_s);
    f.date_created = f.start_time;
    f.date_updated = m_created_at;
    switch (m_scenario.status) {
    case StatusOverride::absent:
        f.status = "absent";
        f.duration_s = 0;
        f.error_code = 16102;
        return f;
    case StatusOverride::deleted:
        f.status = "deleted";
        f.duration_s = m_audio->duration_s;
        return f;
    case StatusOverride::none:
        break;
    }
    if (processing(now, reads)) {
        f.status = "processing";
        return f;
    }
    f.status = "completed";
    f.duration_s = m_audio->duration_s;
    f.date_updated = std::max(
        m_created_at,
        std::min(now, m_created_at + whole_seconds(m_scenario.processing_seconds.count())));
    return f;
}

RecordingFacts SandboxCall::read_metadata(const std::string& account_sid, TimePoint now) {
    return facts(account_sid, now, m_metadata_reads++);
}

RecordingFacts SandboxCall::peek(const std::string& account_sid, TimePoint now) const {
    return facts(account_sid, now, m_metadata_reads);
}

bool SandboxCall::media_available(MediaForm form, TimePoint now) {
    const int index = m_media_requests++;
    if (!m_recording_sid || m_scenario.status != StatusOverride::none) return false;
    if (std::ranges::find(m_scenario.missing_formats, form) != m_scenario.missing_formats.end())
        return false;
    if (index < m_scenario.media_not_found_first) return false;
    return !processing(now, m_metadata_reads);
}

const std::string& SandboxCall::storage_token(bool mp3) const {
    return mp3 ? m_storage_tokens.second : m_storage_tokens.first;
}

nlohmann::json SandboxCall::state_json(const std::string& account_sid, TimePoint now) const {
    nlohmann::json out = {{"account_sid", account_sid}, {"call_sid", m_call_sid.str()},
                          {"recording_sid", nullptr},   {"status", nullptr},
                          {"duration", nullptr},        {"channels", nullptr}};
    if (m_recording_sid) {
        const RecordingFacts f = peek(account_sid, now);
        out["recording_sid"] = m_recording_sid->str();
        out["status"] = f.status;
        out["duration"] = m_audio->duration_s;
        out["channels"] = m_audio->channels;
    }
    out["requests"] = {{"metadata", counts.metadata}, {"list", counts.list},
                       {"base", counts.base},         {"mp3", counts.mp3},
                       {"wav", counts.wav},           {"storage", counts.storage}};
    out["storage_authorization_headers"] = counts.storage_with_authorization;
    out["metadata_reads"] = m_metadata_reads;
    out["media_requests"] = m_media_requests;
    out["failures_left"] = m_scenario.failures.size() - m_failures_used;
    auto callbacks_json = nlohmann::json::array();
    for (const auto& c : callbacks) {
        callbacks_json.push_back({{"kind", c.kind},
                                  {"url", c.url},
                                  {"state", c.state},
                                  {"status", c.status ? nlohmann::json(*c.status) : nullptr},
                                  {"error", c.error}});
    }
    out["callbacks"] = std::move(callbacks_json);
    return out;
}

} // namespace callscribe::sandbox
