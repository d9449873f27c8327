#pragma once
// The pipeline's concrete parts, built once from configuration for `process`, `serve` and
// `worker`: the Store, the curl HttpClient, Twilio's Recording API, the speech engine, the
// offline_stt job and the runner that claims its steps. Only cli/ builds these.
#include "config/config.hpp"
#include "core/clock.hpp"
#include "jobs/job_runner.hpp"
#include "jobs/offline_stt_job.hpp"
#include "net/counting_http_client.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"
#include "stt/transcriber.hpp"
#include "twilio/recording_api.hpp"
#include "webhook/delivery_counts.hpp"

#include <memory>
#include <string>

namespace callscribe::cli {

struct PipelineParts {
    SystemClock clock;
    std::shared_ptr<net::HttpClient> http;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<net::CountingHttpClient> twilio_http; // `http`, counted for /metrics
    std::unique_ptr<twilio::RecordingApi> twilio;
    std::unique_ptr<stt::Engine> engine;
    std::unique_ptr<jobs::OfflineSttJob> job;
    std::unique_ptr<jobs::JobRunner> runner;
    webhook::DeliveryCounts webhook_counts; // counted by deliver_webhooks()
};

// "host:pid:role": who holds a lease, as an operator reads it in the database.
std::string lease_owner(std::string_view role);

jobs::PipelineSettings pipeline_settings(const config::Config& config);

// One pass of the webhook outbox pump (every due delivery gets one attempt). Errors are logged.
void deliver_webhooks(PipelineParts& parts, const config::Config& config);

// Builds every part. An Error is one line for stderr; the caller exits 2 (configuration) since
// nothing has run yet.
Result<std::unique_ptr<PipelineParts>> build_pipeline(const config::Config& config,
                                                      std::string_view role);

} // namespace callscribe::cli
