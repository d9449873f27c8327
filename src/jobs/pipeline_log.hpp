#pragma once
// The [OFFLINE_STT] lines operators grep for (docs/logs.md). Every
// such line comes from one function here, so their wording is fixed in one place and tests
// assert them. URLs are logged without user info or query (net::redact_url).
#include "core/clock.hpp"
#include "core/sid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callscribe::jobs::pipeline_log {

// "1.5" for 1.5 s, "3" for 3 s: delays as an operator writes them in CALLSCRIBE_READY_BACKOFF.
std::string seconds_text(Seconds seconds);

void recording_fetched(const RecordingSid& recording, std::optional<double> duration_s);
void not_ready(const CallSid& call, Seconds retry_in, int attempt, int attempts);
void trying_url(int format, int formats, std::string_view url);
void download_status(int status, std::int64_t bytes);
void not_found_next(Seconds wait, std::string_view next_url);
void downloaded(std::int64_t bytes);
void saved_to_disk(std::string_view shown_path, std::int64_t bytes);
void transient_retry(const CallSid& call, std::string_view what, Seconds retry_in, int attempt);
void transcription_started(const CallSid& call, std::string_view engine);
void transcript_obtained(std::size_t chars, const CallSid& call);
void final_saved(std::size_t chars, const CallSid& call);
void giving_up(const CallSid& call, int attempts, std::string_view reason);
void stream_recording_instead(const CallSid& call, std::string_view reason,
                              std::string_view shown_path);

} // namespace callscribe::jobs::pipeline_log
