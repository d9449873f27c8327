#include "api/recording_fallback.hpp"

#include "api/api_error.hpp"
#include "core/log.hpp"
#include "twilio/recording.hpp"

#include <fmt/format.h>

namespace callscribe::api {
namespace {

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

} // namespace

RecordingFallback::RecordingFallback(const twilio::RecordingApi& twilio,
                                     std::filesystem::path recordings_dir, Seconds timeout,
                                     const Clock& clock)
    : m_twilio(twilio), m_media(twilio, std::move(recordings_dir)), m_timeout(timeout),
      m_clock(clock) {}

Seconds RecordingFallback::time_left(const CallSid& call, TimePoint deadline) const {
    const Seconds left = deadline - m_clock.now();
    if (left <= Seconds{0}) timed_out(call);
    return left;
}

std::optional<std::filesystem::path> RecordingFallback::cached(const CallSid& call) const {
    for (const char* extension : {".wav", ".mp3"}) {
        std::error_code ec;
        auto path = m_media.folder() / (call.str() + extension);
        if (std::filesystem::is_regular_file(path, ec)) return path;
    }
    return std::nullopt;
}

std::filesystem::path RecordingFallback::fetch(const store::CallLog& call) {
    if (!call.recording_sid)
        throw ApiError(404, fmt::format("the recording of {} is not known yet (the call is {})",
                                        call.call_sid.str(), to_string(call.status)));
    const TimePoint deadline =
        m_clock.now() + std::chrono::duration_cast<TimePoint::duration>(m_timeout);
    std::shared_ptr<Flight> flight;
    bool leader = false;
    {
        std::lock_guard guard(m_mutex);
        auto& slot = m_flights[call.call_sid.str()];
        leader = slot == nullptr;
        if (leader) slot = std::make_shared<Flight>();
        flight = slot;
    }
    if (leader) return lead(call, *flight, deadline);

    std::unique_lock waiting(flight->mutex);
    if (!flight->landed.wait_for(waiting, std::max(Seconds(deadline - m_clock.now()), Seconds{0}),
                                 [&] { return flight->done; }))
        throw ApiError(503,
                       fmt::format("the recording of {} is being fetched by another request; try "
                                   "again shortly",
                                   call.call_sid.str()),
                       k_retry_soon);
    if (flight->error) std::rethrow_exception(flight->error);
    return *flight->path;
}

std::filesystem::path RecordingFallback::lead(const store::CallLog& call, Flight& flight,
                                              TimePoint deadline) {
    std::optional<std::filesystem::path> path;
    std::exception_ptr error;
    try {
        // A fetch that landed just before this one began may have brought it.
        path = cached(call.call_sid);
        if (!path) path = download(call.call_sid, *call.recording_sid, deadline);
    } catch (...) {
        error = std::current_exception();
    }
    {
        std::lock_guard guard(m_mutex);
        m_flights.erase(call.call_sid.str());
    }
    {
        std::lock_guard landed(flight.mutex);
        flight.done = true;
        flight.path = path;
        flight.error = error;
    }
    flight.landed.notify_all();
    if (error) std::rethrow_exception(error);
    return *path;
}

std::filesystem::path RecordingFallback::download(const CallSid& call,
                                                  const RecordingSid& recording_sid,
                                                  TimePoint deadline) const {
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
    const auto saved = m_media.first_available(
        twilio::media_url(m_twilio.api_base(), *recording), call,
        [&]() -> std::optional<twilio::DownloadLimits> {
            const Seconds left = deadline - m_clock.now();
            if (left <= Seconds{0}) return std::nullopt;
            return twilio::DownloadLimits{.total = left, .stall = std::min(left, Seconds{30})};
        });
    if (saved) {
        log().info("[API] {} recording fetched from Twilio for a download ({} bytes)", call.str(),
                   saved->bytes);
        return saved->path;
    }
    if (saved.error().kind == twilio::ApiFailureKind::not_found) {
        log().warn("[API] {} download: Twilio answered 404 for every media URL form", call.str());
        throw ApiError(404,
                       fmt::format("Twilio has no media for the recording of {} yet", call.str()));
    }
    if (m_clock.now() >= deadline) timed_out(call);
    twilio_failed(call, saved.error());
}

} // namespace callscribe::api
