#pragma once
// GET /metrics: the service's figures in the Prometheus text exposition format (version 0.0.4),
// open like /healthz. Families:
//   callscribe_jobs{state}                        gauge: jobs by state (Store::count_jobs)
//   callscribe_job_step_seconds{step}             histogram: how long job steps took
//   callscribe_transcribed_audio_seconds_total    counter: seconds of audio transcribed
//   callscribe_transcription_real_time_factor     gauge: transcribe seconds / audio seconds
//   callscribe_twilio_requests_total{status}      counter: Twilio answers by HTTP status
//                                                 ("error" for a transport failure)
//   callscribe_webhook_deliveries_total{outcome}  counter: delivered, retry, failed
//
// Thread-safe (see ApiContext). A Store error is answered 503 {"error": "…"}.
#include "api/api_context.hpp"
#include "net/server/server_types.hpp"

namespace callscribe::api {

net::ServerResponse metrics(const ApiContext& context);

} // namespace callscribe::api
