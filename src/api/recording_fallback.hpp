#pragma once
// Fetches a call's recording from Twilio for GET /api/calls/{sid}/download when it is not on
// this machine's disk (the API may run on another machine than the worker that downloaded it).
//
// The recording is downloaded into the recordings folder by twilio::MediaDownload
// (a temporary file, checked to be audio, renamed into place: never a half file) under its usual
// name "{CallSid}.{mp3|wav}", and then served from disk like any other: Range requests work, the
// client never sees a Twilio URL or credential, and the next request finds the file there.
// The media URL forms are tried as the pipeline does (base, .mp3, .wav; a 404 moves on to the
// next form at once, without the pipeline's wait).
//
// Concurrent requests for the same call share one fetch: the first one downloads, the others
// wait for it and get its outcome, the file or the same error (one request to Twilio however
// many ask). Waiting, the metadata request and the media download together are bounded by
// `timeout` (the metadata request also by the HttpClient's default 30 s). The caller runs
// fetch() off the HTTP handler threads (download_recording defers it). Failures are ApiErrors
// whose messages never name a URL:
//   no recording sid known        → 404 "not known yet"
//   Twilio: 404 on every form     → 404;  not ready yet → 503 with Retry-After; gone → 410
//   Twilio: 401/403               → 502 (callscribe's Twilio credentials are refused)
//   Twilio: 429, 5xx, timeouts    → 503 with Retry-After;  another 4xx → 502
//   timed out                     → 504
// The details (with the redacted URL) go to the log.
//
// Thread safety: fetch() may be called from any number of threads.
#include "core/clock.hpp"
#include "store/store.hpp"
#include "twilio/media_download.hpp"
#include "twilio/recording_api.hpp"

#include <condition_variable>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace callscribe::api {

class RecordingFallback {
  public:
    RecordingFallback(const twilio::RecordingApi& twilio, std::filesystem::path recordings_dir,
                      Seconds timeout, const Clock& clock);

    // The recording of `call` in the recordings folder under its usual name, if it is there.
    std::optional<std::filesystem::path> cached(const CallSid& call) const;
    // The path of `call`'s recording on disk, downloading it first when needed. Throws ApiError.
    std::filesystem::path fetch(const store::CallLog& call);

  private:
    // One fetch in progress and the requests waiting for it.
    struct Flight {
        std::mutex mutex;
        std::condition_variable landed;
        bool done = false;
        std::optional<std::filesystem::path> path{};
        std::exception_ptr error{};
    };

    std::filesystem::path lead(const store::CallLog& call, Flight& flight, TimePoint deadline);
    std::filesystem::path download(const CallSid& call, const RecordingSid& recording,
                                   TimePoint deadline) const;
    // The time left until `deadline`; 504 once it has passed.
    Seconds time_left(const CallSid& call, TimePoint deadline) const;

    const twilio::RecordingApi& m_twilio;
    twilio::MediaDownload m_media;
    Seconds m_timeout;
    const Clock& m_clock;
    std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<Flight>> m_flights; // by call sid
};

} // namespace callscribe::api
