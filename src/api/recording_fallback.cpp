#include "api/recording_fallback.hpp"

#include "api/api_error.hpp"
#include "core/log.hpp"
#include "twilio/recording.hpp"

#include <fmt/format.h>

namespace callscribe::api {
namespace {

using SteadyClock = std::chrono::steady_clock;

const net::ServerHeaders k_retry_soon{{"Retry-After", "5"}};

// The client's answer for a Twilio failure; the details stay in the log.
[[noreturn]] void twilio_failed(const CallSid& call, const twilio::ApiFailure& failure) {
    log().warn("[API] {} download from Twilio failed: {}", call.str(), failure.message);
    switch (failure.kind) {
    case twilio::ApiFailureKind::not_found:
        throw ApiError(404, fmt::format("Twilio has no recording for {} yet", call.str()));
    case twilio::ApiFailureKind::unauthorized:
        throw ApiError(502, fmt::format("Twilio refused callscribe's credentials (HTTP {}) when "
                                        "fetching the recording of {}; check TWILIO_* settings",
                                        failure.status, call.str()));
    case twilio::ApiFailureKind::transient:
        throw ApiError(503,
                       fmt::format("Twilio is not answering for the recording of {} ({}); try "
                                   "again shortly",
                                   call.str(),
                                   failure.status ? fmt::format("HTTP {}", failure.status)
                                                  : std::string("no answer")),
                       k_retry_soon);
    case twilio::ApiFailureKind::rejected:
        break;
    }
    throw ApiError(502, fmt::format("Twilio refused the recording of {} (HTTP {})", call.str(),
                                    failure.status));
}

[[noreturn]] void timed_out(const CallSid& call) {
    throw ApiError(
        504, fmt::format("fetching the recording of {} from Twilio took too long", call.str()));
}

// The time left until `deadline`; 504 once it has passed.
Seconds time_left(const CallSid& call, SteadyClock::time_point deadline) {
    const Seconds left = deadline - SteadyClock::now();
    if (left <= Seconds{0}) timed_out(call);
    return left;
}

} // namespace

RecordingFallback::RecordingFallback(const twilio::RecordingApi& twilio,
                                     std::filesystem::path recordings_dir, Seconds timeout)
    : m_twilio(twilio), m_dir(std::move(recordings_dir)), m_timeout(timeout) {}

std::optional<std::filesystem::path> RecordingFallback::cached(const CallSid& call) const {
    for (const char* extension : {".wav", ".mp3"}) {
        std::error_code ec;
        auto path = m_dir / (call.str() + extension);
        if (std::filesystem::is_regular_file(path, ec)) return path;
    }
    return std::nullopt;
}

std::filesystem::path RecordingFallback::fetch(const store::CallLog& call) {
    if (!call.recording_sid)
        throw ApiError(404, fmt::format("the recording of {} is not known yet (the call is {})",
                                        call.call_sid.str(), to_string(call.status)));
    const auto deadline =
        SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(m_timeout);
    const auto lock = lock_for(call.call_sid);
    std::unique_lock held(*lock, std::defer_lock);
    if (!held.try_lock_until(deadline))
        throw ApiError(503,
                       fmt::format("the recording of {} is being fetched by another request; try "
                                   "again shortly",
                                   call.call_sid.str()),
                       k_retry_soon);
    // The request we waited for may have brought it.
    if (auto path = cached(call.call_sid)) return *path;
    return download(call.call_sid, *call.recording_sid, deadline);
}

std::shared_ptr<std::timed_mutex> RecordingFallback::lock_for(const CallSid& call) {
    std::lock_guard guard(m_mutex);
    std::erase_if(m_locks, [](const auto& entry) { return entry.second.expired(); });
    auto& slot = m_locks[call.str()];
    auto lock = slot.lock();
    if (!lock) {
        lock = std::make_shared<std::timed_mutex>();
        slot = lock;
    }
    return lock;
}

std::filesystem::path RecordingFallback::download(const CallSid& call,
                                                  const RecordingSid& recording_sid,
                                                  SteadyClock::time_point deadline) const {
    time_left(call, deadline);
    const auto recording = m_twilio.fetch(recording_sid);
    if (!recording) twilio_failed(call, recording.error());
    switch (twilio::readiness(*recording)) {
    case twilio::Readiness::gone:
        throw ApiError(410, fmt::format("Twilio no longer has the recording of {}", call.str()));
    case twilio::Readiness::not_ready:
        throw ApiError(503,
                       fmt::format("the recording of {} is not ready at Twilio yet", call.str()),
                       k_retry_soon);
    case twilio::Readiness::ready:
        break;
    }
    const std::string base = twilio::media_url(m_twilio.api_base(), *recording);
    for (const auto suffix : twilio::k_media_suffixes) {
        const Seconds left = time_left(call, deadline);
        auto saved = m_twilio.download(base + std::string(suffix), call, m_dir, left);
        if (saved) {
            log().info("[API] {} recording fetched from Twilio for a download ({} bytes)",
                       call.str(), saved->bytes);
            return saved->path;
        }
        if (saved.error().kind != twilio::ApiFailureKind::not_found) {
            if (SteadyClock::now() >= deadline) timed_out(call);
            twilio_failed(call, saved.error());
        }
    }
    log().warn("[API] {} download: Twilio answered 404 for every media URL form", call.str());
    throw ApiError(404, fmt::format("Twilio has no media for the recording of {} yet", call.str()));
}

} // namespace callscribe::api
