#pragma once
// The offline_stt job: one call's recording from Twilio to a saved transcript (resolve → wait
// until ready → download → transcribe → save + webhook; docs/ARCHITECTURE.md), run one step at
// a time.
//
// run_step() executes the current step of a job this process holds (it was claimed from the
// Store) and saves its outcome before returning: the next step due now, a later retry (the job
// goes back to the queue with run_at in the future — waiting never holds a thread), or the end
// (done or gave up, with the webhook put in the outbox in the same transaction). So a process
// that dies anywhere loses at most the step it was running, which the next holder repeats.
//
// Steps: resolve (fetch the recording, or list the call's recordings; wait until ready with the
// readiness backoff), download (base, .mp3, .wav; a 404 waits not_found_wait and tries the next
// form; an all-404 pass spends one readiness attempt), transcribe (the cpu lane).
//
// When Twilio's recording will not come (absent, failed or deleted, never ready within the
// readiness backoff, or Twilio refuses the request), the call's own recording from its media
// stream (recordings/{CallSid}.stream.wav, live/stream_recording.hpp) is transcribed instead,
// when there is one; otherwise the job gives up (and the webhook falls back to the realtime
// transcript).
//
// Thread safety: an OfflineSttJob holds only references and settings; run_step may be called
// from many threads at once for different jobs.
#include "core/clock.hpp"
#include "core/result.hpp"
#include "net/retry.hpp"
#include "store/store.hpp"
#include "stt/transcriber.hpp"
#include "twilio/media_download.hpp"
#include "twilio/recording_api.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::jobs {

struct PipelineSettings {
    std::vector<Seconds> ready_backoff{Seconds{3}, Seconds{5}, Seconds{5}, Seconds{10},
                                       Seconds{10}};
    Seconds not_found_wait{5};
    // Transient failures (429, 5xx, network, a body that is not audio): backoff with jitter,
    // Retry-After first; after this many in a row the job gives up.
    net::Backoff transient_backoff{Seconds{2}, Seconds{300}};
    int max_transient_attempts = 10;
    twilio::DownloadLimits download_limits{};
    std::filesystem::path data_dir = "./data"; // recordings go to data_dir/recordings
    bool webhook_enabled = false;              // put a webhook in the outbox at the end
    std::string
        public_url; // the service's own URL, for the webhook's recording_url and transcript_url
    int webhook_version = 2; // CALLSCRIBE_WEBHOOK_VERSION (webhook/payload.hpp)
};

enum class StepResult {
    next_step,   // saved; the next step is due now (maybe in the other lane)
    rescheduled, // saved; the job is due again at job.run_at
    done,        // the transcript is saved
    gave_up,     // the job failed for good; the call says why
    lease_lost,  // another worker took the job over; nothing was written
};

struct StepOutcome {
    StepResult result = StepResult::next_step;
    store::Job job;                 // as saved
    Seconds transcribed_audio{0};   // audio length, when this step transcribed it
    stt::DroppedSegments dropped{}; // segments the engine's guards dropped, when it transcribed
};

class OfflineSttJob {
  public:
    // `jitter` spreads the transient backoff (net/retry.hpp); tests pin it.
    OfflineSttJob(store::Store& store, const twilio::RecordingApi& twilio,
                  const stt::Engine& engine, const Clock& clock, PipelineSettings settings,
                  net::JitterSource jitter = net::uniform_jitter());

    // Runs `job`'s current step (the caller holds its lease). `transcriber` is needed for the
    // transcribe step (one per cpu worker). An error means the Store failed: nothing is known to
    // be saved, the lease will expire and the step will run again.
    Result<StepOutcome> run_step(const store::Job& job, stt::Transcriber* transcriber);

    static std::filesystem::path recordings_dir(const std::filesystem::path& data_dir) {
        return data_dir / "recordings";
    }

  private:
    Result<StepOutcome> resolve(store::Job job);
    Result<StepOutcome> download(store::Job job);
    Result<StepOutcome> transcribe(store::Job job, stt::Transcriber& transcriber);
    // The recording downloaded into this machine's recordings folder (the forms in order, no
    // waits); empty when that fails (the download step then takes over).
    std::optional<twilio::SavedRecording> fetch_here(const store::Job& job);
    Result<StepOutcome> transcribe_file(store::Job job, stt::Transcriber& transcriber,
                                        const std::filesystem::path& file);

    // What a failure of Twilio's does: `not_found` decides for a 404; a transient one backs off;
    // refused credentials or another 4xx give up.
    Result<StepOutcome>
    twilio_failed(store::Job job, const twilio::ApiFailure& failure,
                  const std::function<Result<StepOutcome>(store::Job)>& not_found);
    // The recording is not there yet: spend one readiness delay, or give up when none is left.
    Result<StepOutcome> not_ready(store::Job job, store::CallUpdate call);
    // A failure worth another try (Twilio's or the engine's): back off, or wait its retry_after.
    Result<StepOutcome> transient(store::Job job, const Error& failure);
    Result<StepOutcome> reschedule(store::Job job, Seconds delay, const store::CallUpdate& call);
    Result<StepOutcome> next_step(store::Job job, store::JobStep step,
                                  const store::CallUpdate& call);
    Result<StepOutcome> give_up(store::Job job, const std::string& reason);
    // Twilio's recording will not come, for `reason`: the stream's recording instead, if any;
    // else the job ends with `otherwise` (the call's update when it gives up).
    Result<StepOutcome> without_twilio_recording(store::Job job, const std::string& reason,
                                                 store::CallUpdate otherwise);
    Result<StepOutcome> finish(store::Job job, store::CallUpdate call);

    store::Store& m_store;
    const twilio::RecordingApi& m_twilio;
    const stt::Engine& m_engine;
    const Clock& m_clock;
    PipelineSettings m_settings;
    twilio::MediaDownload m_media;
    net::JitterSource m_jitter;
};

} // namespace callscribe::jobs
