#pragma once
// `callscribe serve --sandbox`: the Twilio emulator in the service's own process, on another
// loopback port, and a demo call through it, so that a first run shows the whole path (callback,
// "not ready yet", download, transcription, the page) without a Twilio account.
//
// - When the operator configured no Twilio credentials, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
//   TWILIO_API_BASE point at the sandbox (its fixed test account). When they did, their Twilio is
//   left alone and no demo call is placed: the sandbox cannot speak for their account.
// - The demo call has fixed SIDs (k_demo_call_sid), so a restart with the same data folder
//   finds it in the call log instead of adding another; the sandbox (which forgets everything
//   when it stops) serves its recording again in case the job still needs it.
//
// Only cli/ uses this; like the sandbox itself, it builds concrete adapters (curl, the server).
#include "config/config.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <memory>
#include <string_view>

namespace callscribe::sandbox {

inline constexpr std::string_view k_demo_call_sid = "CAdeb0ca11000000000000000000000001";
inline constexpr std::string_view k_demo_recording_sid = "REdeb0ca11000000000000000000000001";

class DemoSandbox {
  public:
    ~DemoSandbox();
    DemoSandbox(const DemoSandbox&) = delete;
    DemoSandbox& operator=(const DemoSandbox&) = delete;

    // Starts the sandbox on 127.0.0.1, port 0, when `config` has no Twilio credentials, and
    // points config.twilio at it. Empty (and a log line saying why) when Twilio is configured.
    static Result<std::unique_ptr<DemoSandbox>> start_for(config::Config& config);

    // Places the demo call: the bundled sample with its live transcript as it is spoken — a
    // media stream of its two channels at real-time pace to {public_url}/twilio/media
    // (`media_stream`, CALLSCRIBE_REALTIME=stream), else Twilio's Real-Time Transcription
    // callbacks — then the call-status callback of its end, its recording "processing" for a
    // few seconds more, then a signed RecordingStatusCallback to
    // {public_url}/twilio/recording-status. Failures are logged: the service runs on without its
    // demo.
    void place_demo_call(store::Store& store, std::string_view public_url,
                         bool media_stream = false);

    void stop();

  private:
    struct Impl;
    explicit DemoSandbox(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// samples/demo-call.mp3 in the working folder, else in the source tree the binary was built from.
std::filesystem::path demo_audio_path();

} // namespace callscribe::sandbox
