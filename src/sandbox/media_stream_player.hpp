#pragma once
// A sandbox call's Twilio Media Stream: what Twilio does for `<Start><Stream url="wss://…"
// track="both_tracks"/>` (docs/media-streams.md). The player connects to the stream URL with an
// upgrade signed like Twilio's (X-Twilio-Signature over the URL, no parameters), sends
// `connected`, `start`, then each track's audio as 20 ms μ-law `media` messages (chunk and
// timestamp per track, sequenceNumber over the stream), then `stop`, and closes.
//
// The call's audio file gives the tracks: channel 1 is the caller (`inbound`), channel 2 the
// agent (`outbound`); a one-channel file streams the inbound track only. `pace` is how many times
// real time the frames go out (1: as on a live call; 0: as fast as the socket takes them).
//
// Each stream runs on a thread of its own and waits in real time, like the CallbackSender; its
// outcome (the close code the service ended the stream with, or why it failed) is reported
// through the function given at construction, on that thread. Thread-safe; the destructor stops
// the streams still playing (they close without `stop`, like a stream cut off) and joins them.
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "core/sid.hpp"

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace callscribe::sandbox {

struct MediaStreamScript {
    std::string url{};        // ws://…/twilio/media, as the signature covers it
    Seconds delay{0};         // before connecting
    double pace = 1;          // × real time; 0: at once
    std::string stream_sid{}; // "MZ…"; a random one when empty
};

class MediaStreamPlayers {
  public:
    // The close code the service ended the stream with (1000 after stop), or why it failed.
    using Report = std::function<void(const std::string& call_sid, const Result<std::uint16_t>&)>;

    MediaStreamPlayers(std::string account_sid, Secret auth_token, Report report);
    ~MediaStreamPlayers();
    MediaStreamPlayers(const MediaStreamPlayers&) = delete;
    MediaStreamPlayers& operator=(const MediaStreamPlayers&) = delete;

    // Starts streaming `audio` as call `call`'s media stream.
    void play(const CallSid& call, std::filesystem::path audio, MediaStreamScript script);

  private:
    Result<std::uint16_t> run(const CallSid& call, const std::filesystem::path& audio,
                              const MediaStreamScript& script);
    // Waits until `until` (real time); false when the players are stopping.
    bool wait_until(std::chrono::steady_clock::time_point until);

    std::string m_account_sid;
    Secret m_auth_token;
    Report m_report;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace callscribe::sandbox
