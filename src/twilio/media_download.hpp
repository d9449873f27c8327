#pragma once
// The download stage: a ready recording's media from Twilio into the recordings folder.
//
// Each download streams to a hidden temporary file named after the call
// (".{CallSid}.{random}.part"), is checked to be audio that decodes (an error page or a cut
// header fails here, not in the transcriber), fsynced and renamed to "{CallSid}.{mp3|wav}".
// The extension comes from the decoded bytes, not from Content-Type, which Twilio's storage
// does not always set to the format it sends. On any failure no file is left behind; the
// leftovers of an earlier interrupted download of the same call are removed first.
//
// Failures are ApiFailures (recording_api.hpp): Twilio's answers classified as for the REST
// calls, and local ones (a full disk, a body that is not audio) as `transient`.
//
// Thread safety: a MediaDownload is immutable and may be shared. Two downloads of the same call
// must not run at once (the job holds a lease on its call; the API's fall-back shares one fetch
// per call): each removes the other's temporary file.
#include "core/sid.hpp"
#include "twilio/recording_api.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace callscribe::twilio {

// A recording stored in the recordings folder under its final name.
struct SavedRecording {
    std::filesystem::path path; // recordings folder / "{CallSid}.{mp3|wav}"
    std::int64_t bytes = 0;
    int status = 0; // the HTTP status of the answer (200)
};

class MediaDownload {
  public:
    MediaDownload(const RecordingApi& api, std::filesystem::path recordings_dir);

    // One form of the media URL: `media_url` + k_media_suffixes[form].
    ApiResult<SavedRecording> form(const std::string& media_url, std::size_t form,
                                   const CallSid& call, DownloadLimits limits) const;

    // Asked before each form: how long it may take; nullopt when no time is left.
    using LimitsSource = std::function<std::optional<DownloadLimits>()>;
    // Told before each form is requested (its index and URL), for the log.
    using TryObserver = std::function<void(std::size_t form, const std::string& url)>;

    // The forms in order without waiting, for a recording known to be there: a 404 moves on to
    // the next form at once; any other failure ends the loop with it; when every form answered
    // 404, the last 404. When `limits` says no time is left, a transient failure that says so.
    ApiResult<SavedRecording> first_available(const std::string& media_url, const CallSid& call,
                                              const LimitsSource& limits,
                                              const TryObserver& trying = {}) const;

    const std::filesystem::path& folder() const { return m_dir; }

  private:
    const RecordingApi& m_api;
    std::filesystem::path m_dir;
};

} // namespace callscribe::twilio
