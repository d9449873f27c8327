#include "jobs/pipeline_log.hpp"

#include "core/log.hpp"
#include "net/http_client.hpp"

#include <fmt/format.h>

#include <cmath>

namespace callscribe::jobs::pipeline_log {

std::string seconds_text(Seconds seconds) {
    const double s = seconds.count();
    if (std::abs(s - std::round(s)) < 1e-9)
        return fmt::format("{}", static_cast<long long>(std::round(s)));
    return fmt::format("{:.3g}", s);
}

void recording_fetched(const RecordingSid& recording, std::optional<double> duration_s) {
    // Twilio's "-1" and null both mean "not known yet"; operators grep for duration=-1s.
    const std::string duration = duration_s ? seconds_text(Seconds{*duration_s}) : "-1";
    log().info("[OFFLINE_STT] Recording fetched: {}, duration={}s", recording.str(), duration);
}

void not_ready(const CallSid& call, Seconds retry_in, int attempt, int attempts) {
    log().info("[OFFLINE_STT] Recording not ready yet, will retry in {}s (attempt {}/{}) for {}",
               seconds_text(retry_in), attempt, attempts, call.str());
}

void trying_url(int format, int formats, std::string_view url) {
    log().info("[OFFLINE_STT] Trying recording URL (format {}/{}): {}", format, formats,
               net::redact_url(url));
}

void download_status(int status, std::int64_t bytes) {
    log().info("[OFFLINE_STT] Download status: {}, bytes={}", status, bytes);
}

void not_found_next(Seconds wait, std::string_view next_url) {
    log().info("[OFFLINE_STT] Recording URL not found yet, trying {} in {}s",
               net::redact_url(next_url), seconds_text(wait));
}

void downloaded(std::int64_t bytes) {
    log().info("[OFFLINE_STT] ✅ Successfully downloaded {} bytes", bytes);
}

void saved_to_disk(std::string_view shown_path, std::int64_t bytes) {
    log().info("[OFFLINE_STT] ✅ Recording saved to disk: {} ({} bytes)", shown_path, bytes);
}

void transient_retry(const CallSid& call, std::string_view what, Seconds retry_in, int attempt) {
    log().warn("[OFFLINE_STT] {} — will retry in {}s (transient failure {}) for {}", what,
               seconds_text(retry_in), attempt, call.str());
}

void transcription_started(const CallSid& call, std::string_view engine) {
    log().info("[OFFLINE_STT] Starting transcription for {} (engine={})", call.str(), engine);
}

void transcript_obtained(std::size_t chars, const CallSid& call) {
    log().info("[OFFLINE_STT] ✅ Transcript obtained: {} chars for {}", chars, call.str());
}

void final_saved(std::size_t chars, const CallSid& call) {
    log().info("[OFFLINE_STT] ✅ Saved final_transcript ({} chars) for {}", chars, call.str());
}

void giving_up(const CallSid& call, int attempts, std::string_view reason) {
    log().error("❌ [OFFLINE_STT] Giving up on recording {} after {} attempts: {}", call.str(),
                attempts, reason);
}

void stream_recording_instead(const CallSid& call, std::string_view reason,
                              std::string_view shown_path) {
    log().warn("[OFFLINE_STT] No recording from Twilio for {} ({}): transcribing the call's own "
               "recording from its media stream, {}",
               call.str(), reason, shown_path);
}

} // namespace callscribe::jobs::pipeline_log
