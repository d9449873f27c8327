#include "api/metrics_route.hpp"

#include "api/api_error.hpp"
#include "jobs/job_metrics.hpp"
#include "net/counting_http_client.hpp"
#include "webhook/delivery_counts.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace callscribe::api {
namespace {

constexpr std::string_view k_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Prometheus' float format: shortest round-trip decimal, "+Inf" for infinity.
std::string number(double value) {
    return fmt::format("{}", value);
}
std::string number(std::uint64_t value) {
    return fmt::format("{}", value);
}
std::string number(std::int64_t value) {
    return fmt::format("{}", value);
}

class Exposition {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        fmt::format_to(std::back_inserter(m_text), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                       type);
    }
    // `labels` is empty or `key="value",...` (values here never need escaping).
    void sample(std::string_view name, std::string_view labels, const std::string& value) {
        if (labels.empty()) {
            fmt::format_to(std::back_inserter(m_text), "{} {}\n", name, value);
        } else {
            fmt::format_to(std::back_inserter(m_text), "{}{{{}}} {}\n", name, labels, value);
        }
    }
    std::string take() { return std::move(m_text); }

  private:
    std::string m_text;
};

void job_counts(Exposition& out, store::Store& store) {
    const auto counts = store.count_jobs();
    if (!counts) throw ApiError(503, "the store does not answer: " + counts.error().message);
    out.family("callscribe_jobs", "gauge", "Offline transcription jobs by state.");
    out.sample("callscribe_jobs", "state=\"queued\"", number(counts->queued));
    out.sample("callscribe_jobs", "state=\"running\"", number(counts->running));
    out.sample("callscribe_jobs", "state=\"done\"", number(counts->done));
    out.sample("callscribe_jobs", "state=\"failed\"", number(counts->failed));
}

void step_histograms(Exposition& out, const jobs::JobMetrics::Snapshot& snapshot) {
    constexpr std::string_view name = "callscribe_job_step_seconds";
    out.family(name, "histogram", "How long the steps of the offline transcription job took.");
    for (const auto step :
         {store::JobStep::resolve, store::JobStep::download, store::JobStep::transcribe}) {
        const auto& stats = snapshot.of(step);
        const std::string label = fmt::format("step=\"{}\"", store::to_string(step));
        for (std::size_t i = 0; i < jobs::JobMetrics::k_buckets.size(); ++i) {
            out.sample("callscribe_job_step_seconds_bucket",
                       fmt::format("{},le=\"{}\"", label, number(jobs::JobMetrics::k_buckets[i])),
                       number(stats.cumulative[i]));
        }
        out.sample("callscribe_job_step_seconds_bucket", label + ",le=\"+Inf\"",
                   number(stats.count));
        out.sample("callscribe_job_step_seconds_sum", label, number(stats.total_s));
        out.sample("callscribe_job_step_seconds_count", label, number(stats.count));
    }
}

void transcription(Exposition& out, const jobs::JobMetrics::Snapshot& snapshot) {
    out.family("callscribe_transcribed_audio_seconds_total", "counter",
               "Seconds of audio transcribed.");
    out.sample("callscribe_transcribed_audio_seconds_total", "",
               number(snapshot.transcribed_audio_s));
    out.family("callscribe_transcription_real_time_factor", "gauge",
               "Seconds spent transcribing per second of audio, since the start (0 before the "
               "first transcription).");
    const double audio = snapshot.transcribed_audio_s;
    const double spent = snapshot.of(store::JobStep::transcribe).total_s;
    out.sample("callscribe_transcription_real_time_factor", "",
               number(audio > 0 ? spent / audio : 0.0));
    constexpr std::string_view dropped = "callscribe_stt_dropped_segments_total";
    out.family(dropped, "counter",
               "Segments the speech engine produced and its hallucination guards dropped, by "
               "reason.");
    out.sample(dropped, "reason=\"no_speech\"", number(std::int64_t{snapshot.dropped.no_speech}));
    out.sample(dropped, "reason=\"compression_ratio\"",
               number(std::int64_t{snapshot.dropped.compression_ratio}));
    out.sample(dropped, "reason=\"repetition\"", number(std::int64_t{snapshot.dropped.repetition}));
}

void twilio_requests(Exposition& out, const net::CountingHttpClient* http) {
    constexpr std::string_view name = "callscribe_twilio_requests_total";
    out.family(name, "counter",
               "Requests to Twilio by HTTP status of the answer (error: no answer).");
    if (http == nullptr) return;
    for (const auto& [status, count] : http->counts()) {
        const std::string shown = status == 0 ? "error" : std::to_string(status);
        out.sample(name, fmt::format("status=\"{}\"", shown), number(count));
    }
}

void webhook_deliveries(Exposition& out, const webhook::DeliveryCounts* counts) {
    constexpr std::string_view name = "callscribe_webhook_deliveries_total";
    out.family(name, "counter", "Webhook delivery attempts by outcome.");
    if (counts == nullptr) return;
    out.sample(name, "outcome=\"delivered\"", number(counts->delivered.load()));
    out.sample(name, "outcome=\"retry\"", number(counts->retry.load()));
    out.sample(name, "outcome=\"failed\"", number(counts->failed.load()));
}

} // namespace

net::ServerResponse metrics(const ApiContext& context) {
    Exposition out;
    job_counts(out, context.store);
    const auto snapshot =
        context.metrics.jobs ? context.metrics.jobs->snapshot() : jobs::JobMetrics::Snapshot{};
    step_histograms(out, snapshot);
    transcription(out, snapshot);
    twilio_requests(out, context.metrics.twilio_http);
    webhook_deliveries(out, context.metrics.webhooks);
    return net::ServerResponse{.status = 200,
                               .headers = {{"Content-Type", std::string(k_content_type)}},
                               .body = out.take()};
}

} // namespace callscribe::api
