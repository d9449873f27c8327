#include "jobs/offline_stt_job.hpp"

#include "core/log.hpp"
#include "jobs/pipeline_log.hpp"
#include "live/stream_recording.hpp"
#include "stt/formats.hpp"
#include "webhook/payload.hpp"
#include "webhook/transcript_choice.hpp"
#include "webhook/webhook_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace callscribe::jobs {

namespace fs = std::filesystem;
using store::CallStatus;
using store::CallUpdate;
using store::Job;
using store::JobStep;

namespace {

using twilio::k_media_suffixes;
constexpr int k_form_count = static_cast<int>(k_media_suffixes.size());

// Of a call's recordings, the one to transcribe: a ready one (the longest, if several), else
// the first Twilio listed (its newest).
const twilio::Recording& pick_recording(const std::vector<twilio::Recording>& recordings) {
    const twilio::Recording* best = nullptr;
    for (const auto& r : recordings) {
        if (twilio::readiness(r) != twilio::Readiness::ready) continue;
        if (!best || r.duration_s.value_or(0) > best->duration_s.value_or(0)) best = &r;
    }
    return best ? *best : recordings.front();
}

std::string gone_reason(const twilio::Recording& recording) {
    std::string status;
    switch (recording.status) {
    case twilio::RecordingStatus::absent:
        status = "absent";
        break;
    case twilio::RecordingStatus::deleted:
        status = "deleted";
        break;
    default:
        status = "failed";
        break;
    }
    std::string reason = fmt::format("recording {} is {}", recording.sid.str(), status);
    if (recording.error_code) reason += fmt::format(" (Twilio error {})", *recording.error_code);
    return reason;
}

// The path the call log shows and the job keeps: relative to the data folder.
std::string relative_path(const twilio::SavedRecording& saved) {
    return fmt::format("recordings/{}", saved.path.filename().string());
}

void log_downloaded(const twilio::SavedRecording& saved) {
    pipeline_log::download_status(saved.status, saved.bytes);
    pipeline_log::downloaded(saved.bytes);
}

// A failure of Twilio's worth another try, as the job sees every such failure.
Error as_error(const twilio::ApiFailure& failure) {
    return Error{.message = failure.message, .retryable = true, .retry_after = failure.retry_after};
}

} // namespace

OfflineSttJob::OfflineSttJob(store::Store& store, const twilio::RecordingApi& twilio,
                             const stt::Engine& engine, const Clock& clock,
                             PipelineSettings settings, net::JitterSource jitter)
    : m_store(store), m_twilio(twilio), m_engine(engine), m_clock(clock),
      m_settings(std::move(settings)), m_media(twilio, recordings_dir(m_settings.data_dir)),
      m_jitter(std::move(jitter)) {}

Result<StepOutcome> OfflineSttJob::run_step(const Job& job, stt::Transcriber* transcriber) {
    switch (job.step) {
    case JobStep::resolve:
        return resolve(job);
    case JobStep::download:
        return download(job);
    case JobStep::transcribe:
        CALLSCRIBE_ASSERT(transcriber != nullptr);
        return transcribe(job, *transcriber);
    case JobStep::finished:
        break;
    }
    return give_up(job, "the job has no step left to run");
}

Result<StepOutcome> OfflineSttJob::resolve(Job job) {
    twilio::ApiResult<twilio::Recording> fetched = twilio::ApiFailure{};
    if (job.recording_sid) {
        fetched = m_twilio.fetch(*job.recording_sid);
    } else {
        auto listed = m_twilio.list_for_call(job.call_sid);
        if (listed && listed->empty()) return not_ready(std::move(job), {});
        if (listed) {
            fetched = pick_recording(*listed);
        } else {
            fetched = listed.error();
        }
    }
    if (!fetched) {
        return twilio_failed(std::move(job), fetched.error(),
                             [this](Job j) { return not_ready(std::move(j), {}); });
    }
    const twilio::Recording& recording = *fetched;
    pipeline_log::recording_fetched(recording.sid, recording.duration_s);
    job.recording_sid = recording.sid;
    job.transient_attempts = 0;
    switch (twilio::readiness(recording)) {
    case twilio::Readiness::gone:
        return without_twilio_recording(std::move(job), gone_reason(recording), {});
    case twilio::Readiness::not_ready:
        return not_ready(std::move(job), CallUpdate{.recording_sid = recording.sid});
    case twilio::Readiness::ready:
        break;
    }
    job.media_url = twilio::media_url(m_twilio.api_base(), recording);
    job.format_index = 0;
    return next_step(std::move(job), JobStep::download,
                     CallUpdate{.status = CallStatus::downloading,
                                .recording_sid = recording.sid,
                                .recording_duration_s = recording.duration_s,
                                .recording_channels = recording.channels});
}

Result<StepOutcome> OfflineSttJob::download(Job job) {
    const int form = std::clamp(job.format_index, 0, k_form_count - 1);
    pipeline_log::trying_url(form + 1, k_form_count,
                             job.media_url + std::string(k_media_suffixes[form]));
    auto saved = m_media.form(job.media_url, static_cast<std::size_t>(form), job.call_sid,
                              m_settings.download_limits);
    if (saved) {
        log_downloaded(*saved);
        job.recording_path = relative_path(*saved);
        pipeline_log::saved_to_disk(job.recording_path, saved->bytes);
        job.transient_attempts = 0;
        job.format_index = 0;
        const std::string saved_path = job.recording_path;
        return next_step(std::move(job), JobStep::transcribe,
                         CallUpdate{.status = CallStatus::transcribing,
                                    .recording_path = saved_path,
                                    .recording_bytes = saved->bytes,
                                    .last_error = ""});
    }
    if (saved.error().status != 0) pipeline_log::download_status(saved.error().status, 0);
    return twilio_failed(std::move(job), saved.error(), [this, form](Job j) {
        j.transient_attempts = 0;
        if (form + 1 < k_form_count) {
            j.format_index = form + 1;
            pipeline_log::not_found_next(m_settings.not_found_wait,
                                         j.media_url + std::string(k_media_suffixes[form + 1]));
            return reschedule(std::move(j), m_settings.not_found_wait, {});
        }
        // Every form answered 404: the recording is not there yet, one readiness attempt spent.
        j.format_index = 0;
        return not_ready(std::move(j), {});
    });
}

Result<StepOutcome>
OfflineSttJob::twilio_failed(Job job, const twilio::ApiFailure& failure,
                             const std::function<Result<StepOutcome>(Job)>& not_found) {
    switch (failure.kind) {
    case twilio::ApiFailureKind::not_found:
        return not_found(std::move(job));
    case twilio::ApiFailureKind::transient:
        return transient(std::move(job), as_error(failure));
    case twilio::ApiFailureKind::unauthorized:
    case twilio::ApiFailureKind::rejected:
        break;
    }
    return without_twilio_recording(std::move(job), failure.message, {});
}

Result<StepOutcome> OfflineSttJob::transcribe(Job job, stt::Transcriber& transcriber) {
    const std::string relative = job.recording_path;
    const fs::path file = m_settings.data_dir / relative;
    std::error_code ec;
    if (relative.empty() || !fs::is_regular_file(file, ec)) {
        // Another machine downloaded it (per-machine disks), or it went away: fetch it here and
        // now, so that the transcription runs where the file is. Handing the job back to the
        // download step could send it to yet another machine.
        log().warn("[OFFLINE_STT] Recording file for {} is not on this machine ({}), "
                   "downloading it here",
                   job.call_sid.str(), relative.empty() ? "never saved" : relative);
        auto fetched = fetch_here(job);
        if (!fetched) {
            job.format_index = 0;
            job.recording_path.clear();
            return next_step(std::move(job), JobStep::download,
                             CallUpdate{.status = CallStatus::downloading, .recording_path = ""});
        }
        job.recording_path = relative_path(*fetched);
        return transcribe_file(std::move(job), transcriber, fetched->path);
    }
    return transcribe_file(std::move(job), transcriber, file);
}

std::optional<twilio::SavedRecording> OfflineSttJob::fetch_here(const Job& job) {
    if (job.media_url.empty()) return std::nullopt;
    // A 404 tries the next form at once (the recording was there before); anything else is for
    // the download step, with its waits and retries.
    auto saved = m_media.first_available(
        job.media_url, job.call_sid, [this] { return std::optional(m_settings.download_limits); },
        [](std::size_t form, const std::string& url) {
            pipeline_log::trying_url(static_cast<int>(form) + 1, k_form_count, url);
        });
    if (!saved) return std::nullopt;
    log_downloaded(*saved);
    return *saved;
}

Result<StepOutcome> OfflineSttJob::transcribe_file(Job job, stt::Transcriber& transcriber,
                                                   const fs::path& file) {
    pipeline_log::transcription_started(job.call_sid, m_engine.name());
    auto transcript = transcriber.transcribe(file);
    if (!transcript) {
        if (transcript.error().retryable) {
            return transient(std::move(job), transcript.error());
        }
        return give_up(std::move(job), transcript.error().message);
    }
    std::string text = transcript->text();
    const std::size_t chars = webhook::count_chars(text);
    pipeline_log::transcript_obtained(chars, job.call_sid);
    const std::string transcribed = job.recording_path;
    auto finished =
        finish(std::move(job),
               CallUpdate{.status = CallStatus::done,
                          .recording_path = transcribed,
                          .final_transcript = std::move(text),
                          .final_transcript_json = stt::render(*transcript, stt::Format::json),
                          .last_error = ""});
    if (finished && finished->result == StepResult::done) {
        finished->transcribed_audio = Seconds{transcript->audio_s};
        finished->dropped = transcript->dropped;
    }
    return finished;
}

Result<StepOutcome> OfflineSttJob::not_ready(Job job, CallUpdate call) {
    const int attempts = static_cast<int>(m_settings.ready_backoff.size());
    if (job.ready_attempts >= attempts) {
        return without_twilio_recording(
            std::move(job), "the recording never became ready",
            CallUpdate{.status = CallStatus::gave_up,
                       .last_error =
                           fmt::format("the recording was not ready after {} attempts", attempts)});
    }
    const Seconds delay = m_settings.ready_backoff[job.ready_attempts];
    ++job.ready_attempts;
    job.transient_attempts = 0;
    call.status = CallStatus::waiting_for_recording;
    auto outcome = reschedule(std::move(job), delay, call);
    // Only once the attempt is saved: a crash before that must not leave a line saying it was.
    if (outcome && outcome->result == StepResult::rescheduled) {
        pipeline_log::not_ready(outcome->job.call_sid, delay, outcome->job.ready_attempts,
                                attempts);
    }
    return outcome;
}

Result<StepOutcome> OfflineSttJob::transient(Job job, const Error& failure) {
    ++job.transient_attempts;
    if (job.transient_attempts > m_settings.max_transient_attempts) {
        return give_up(std::move(job),
                       fmt::format("{} (after {} tries)", failure.message, job.transient_attempts));
    }
    const Seconds delay = failure.retry_after.value_or(
        net::jittered_backoff(m_settings.transient_backoff, job.transient_attempts, m_jitter()));
    auto outcome = reschedule(std::move(job), delay, CallUpdate{.last_error = failure.message});
    if (outcome && outcome->result == StepResult::rescheduled) {
        pipeline_log::transient_retry(outcome->job.call_sid, failure.message, delay,
                                      outcome->job.transient_attempts);
    }
    return outcome;
}

Result<StepOutcome> OfflineSttJob::reschedule(Job job, Seconds delay, const CallUpdate& call) {
    const TimePoint now = m_clock.now();
    job.run_at = now + std::chrono::duration_cast<TimePoint::duration>(delay);
    auto saved = m_store.save_job(job, call, now);
    if (!saved) return saved.error();
    return StepOutcome{*saved ? StepResult::rescheduled : StepResult::lease_lost, std::move(job)};
}

Result<StepOutcome> OfflineSttJob::next_step(Job job, JobStep step, const CallUpdate& call) {
    const TimePoint now = m_clock.now();
    job.step = step;
    job.lane = step == JobStep::transcribe ? store::Lane::cpu : store::Lane::io;
    job.run_at = now;
    auto saved = m_store.save_job(job, call, now);
    if (!saved) return saved.error();
    return StepOutcome{*saved ? StepResult::next_step : StepResult::lease_lost, std::move(job)};
}

Result<StepOutcome> OfflineSttJob::give_up(Job job, const std::string& reason) {
    pipeline_log::giving_up(job.call_sid, job.ready_attempts + 1, reason);
    return finish(std::move(job), CallUpdate{.status = CallStatus::gave_up, .last_error = reason});
}

Result<StepOutcome> OfflineSttJob::without_twilio_recording(Job job, const std::string& reason,
                                                            CallUpdate otherwise) {
    const fs::path stream =
        live::stream_recording_path(recordings_dir(m_settings.data_dir), job.call_sid);
    std::error_code ec;
    const auto bytes = fs::file_size(stream, ec);
    if (ec || bytes == 0) {
        if (!otherwise.status) return give_up(std::move(job), reason);
        pipeline_log::giving_up(job.call_sid, job.ready_attempts, reason);
        return finish(std::move(job), std::move(otherwise));
    }
    job.recording_path = fmt::format("recordings/{}", stream.filename().string());
    pipeline_log::stream_recording_instead(job.call_sid, reason, job.recording_path);
    const std::string path = job.recording_path;
    return next_step(std::move(job), JobStep::transcribe,
                     CallUpdate{.status = CallStatus::transcribing,
                                .recording_path = path,
                                .recording_bytes = static_cast<std::int64_t>(bytes),
                                .last_error = ""});
}

Result<StepOutcome> OfflineSttJob::finish(Job job, CallUpdate call) {
    const TimePoint now = m_clock.now();
    const bool done = call.status == CallStatus::done;
    job.state = done ? store::JobState::done : store::JobState::failed;
    job.step = JobStep::finished;
    if (!call.recording_sid) call.recording_sid = job.recording_sid; // found on the way, maybe
    auto existing = m_store.find_call(job.call_sid);
    if (!existing) return existing.error();
    if (!*existing)
        return fail(fmt::format("call {} is missing from the call log", job.call_sid.str()));
    // The call as it will be once saved: what the webhook describes.
    store::CallLog final_call = **existing;
    store::apply(final_call, call);
    const webhook::TranscriptChoice choice = webhook::choose_transcript_for(final_call);
    call.transcript_source = choice.source;
    std::optional<store::WebhookDelivery> delivery;
    if (m_settings.webhook_enabled) {
        delivery = webhook::make_delivery(
            final_call, job.generation, choice,
            {.version = m_settings.webhook_version, .public_url = m_settings.public_url}, now);
    }
    auto saved = m_store.finish_job(job, call, delivery, now);
    if (!saved) return saved.error();
    if (!*saved) return StepOutcome{StepResult::lease_lost, std::move(job)};
    // Logged once saved: a failed save or a lost lease made no choice.
    if (done)
        pipeline_log::final_saved(webhook::count_chars(final_call.final_transcript), job.call_sid);
    webhook::log_transcript_choice(job.call_sid, choice);
    return StepOutcome{done ? StepResult::done : StepResult::gave_up, std::move(job)};
}

} // namespace callscribe::jobs
