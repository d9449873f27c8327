#include "cli/serve_command.hpp"

#include "api/api_error.hpp"
#include "api/api_router.hpp"
#include "api/live_transcript.hpp"
#include "api/recording_fallback.hpp"
#include "api/stream_transcript.hpp"
#include "cli/pipeline_parts.hpp"
#include "cli/stop_signal.hpp"
#include "core/log.hpp"
#include "jobs/worker_pool.hpp"
#include "live/live_transcription.hpp"
#include "live/media_streams.hpp"
#include "net/server/http_server.hpp"
#include "sandbox/demo_sandbox.hpp"

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <optional>

namespace callscribe::cli {
namespace {

// How long GET /api/calls/{sid}/download may spend fetching a recording that is not on disk.
constexpr Seconds k_recording_fetch_timeout{120};

// The server starts before the pipeline exists (the bound port decides the public URL the
// pipeline is built with); until the routes are published every request gets 503.
class RouterGate {
  public:
    void open(const api::Router& router) { m_router.store(&router, std::memory_order_release); }
    net::ServerResponse handle(const net::ServerRequest& request) const {
        const api::Router* router = m_router.load(std::memory_order_acquire);
        if (router == nullptr) return api::error_response(503, "the service is starting");
        return router->handle(request);
    }

  private:
    std::atomic<const api::Router*> m_router{nullptr};
};

// CALLSCRIBE_PUBLIC_URL as it stands, except that its default (http://{listen}) follows a
// picked port: "http://127.0.0.1:0" is nobody's URL.
std::string public_url(const config::Config& config, const net::ListenAddress& listen,
                       const net::HttpServer& server) {
    const bool defaulted = config.http.public_url == "http://" + config.http.listen;
    if (listen.port == 0 && defaulted) return server.base_url();
    return config.http.public_url;
}

api::ApiSettings api_settings(const config::Config& config, std::string url) {
    return api::ApiSettings{.public_url = std::move(url),
                            .api_token = config.http.api_token,
                            .account_sid = config.twilio.account_sid,
                            .twilio_auth_token = config.twilio.auth_token,
                            .data_dir = config.storage.data_dir,
                            .webhook_configured = !config.webhook.url.empty(),
                            .voice_continue = config.voice.next,
                            .twilio_transcription = config.voice.realtime == "twilio",
                            .voice_media_stream = config.voice.realtime == "stream"};
}

// Whether media streams are transcribed as they arrive: CALLSCRIBE_LIVE_WORKERS is not 0 and the
// engine can (one line says why not).
bool transcribes_live(const config::Config& config, const stt::Engine& engine) {
    if (config.voice.live_workers == 0) {
        log().info("[MEDIA] media streams are recorded, not transcribed live "
                   "(CALLSCRIBE_LIVE_WORKERS=0)");
        return false;
    }
    if (auto decoder = engine.make_utterance_decoder(); !decoder) {
        log().warn("[MEDIA] media streams are recorded, not transcribed live: {}",
                   decoder.error().message);
        return false;
    }
    return true;
}

void log_access_rules(const api::ApiSettings& settings) {
    if (settings.twilio_auth_token.empty())
        log().warn("TWILIO_AUTH_TOKEN is not set: Twilio callbacks are accepted without checking "
                   "X-Twilio-Signature");
    if (settings.api_token.empty())
        log().warn("CALLSCRIBE_API_TOKEN is not set: /api/* answers anyone who can reach it");
}

} // namespace

int run_serve(const ServeOptions& options, const config::Config& config) {
    block_stop_signals();
    auto listen = net::parse_listen_address(config.http.listen);
    if (!listen) {
        fmt::print(stderr, "callscribe: CALLSCRIBE_LISTEN: {}\n", listen.error().message);
        return 2;
    }

    // Declared in the order they must be torn down in reverse: the server (no more handlers)
    // first, then the routes and the pool, then the pipeline they use.
    RouterGate gate;
    std::unique_ptr<sandbox::DemoSandbox> demo;
    std::unique_ptr<PipelineParts> parts;
    std::optional<api::ApiSettings> settings;
    std::optional<jobs::WorkerPool> pool;
    std::optional<api::RecordingFallback> fallback;
    api::LivePartials live_partials;
    std::optional<live::MediaStreams> media_streams;
    std::optional<api::ApiContext> context;
    std::optional<api::StreamTranscript> stream_transcript;
    std::optional<live::LiveTranscription> live_transcription;
    std::optional<api::Router> router;
    net::HttpServer server(net::ServerSettings{.host = listen->host,
                                               .port = listen->port,
                                               .body_limit = 4 * 1024 * 1024,
                                               .max_connections = static_cast<std::size_t>(
                                                   config.http.max_connections),
                                               .name = "api"},
                           [&gate](const net::ServerRequest& r) { return gate.handle(r); });
    if (auto started = server.start(); !started) {
        fmt::print(stderr, "callscribe serve: {}\n", started.error().message);
        return 2;
    }

    config::Config effective = config;
    effective.http.public_url = public_url(config, *listen, server);
    if (options.sandbox) {
        auto started = sandbox::DemoSandbox::start_for(effective);
        if (!started) {
            server.stop();
            fmt::print(stderr, "callscribe serve --sandbox: {}\n", started.error().message);
            return 2;
        }
        demo = std::move(*started);
    }
    auto built = build_pipeline(effective, "serve");
    if (!built) {
        server.stop();
        fmt::print(stderr, "callscribe: {}\n", built.error().message);
        return 2;
    }
    parts = std::move(*built);
    settings = api_settings(effective, effective.http.public_url);
    pool.emplace(*parts->runner, *parts->store, *parts->engine,
                 jobs::WorkerPoolSettings{.cpu_workers = config.jobs.workers},
                 [&] { deliver_webhooks(*parts, effective); });
    fallback.emplace(*parts->twilio, jobs::OfflineSttJob::recordings_dir(settings->data_dir),
                     k_recording_fetch_timeout, parts->clock);
    context.emplace(api::ApiContext{.store = *parts->store,
                                    .settings = *settings,
                                    .clock = parts->clock,
                                    .wake = [&pool] { pool->wake(); },
                                    .metrics = {.jobs = &parts->runner->metrics(),
                                                .twilio_http = parts->twilio_http.get(),
                                                .webhooks = &parts->webhook_counts},
                                    .recording_fallback = &*fallback,
                                    .live_partials = &live_partials});
    stream_transcript.emplace(*context);
    if (transcribes_live(config, *parts->engine)) {
        live_transcription.emplace(
            *parts->engine, live::LiveTranscriptionSettings{.workers = config.voice.live_workers},
            *stream_transcript, parts->clock);
    }
    media_streams.emplace(
        live::MediaStreamSettings{.recordings_dir =
                                      jobs::OfflineSttJob::recordings_dir(settings->data_dir),
                                  .account_sid = settings->account_sid},
        live_transcription ? &*live_transcription : nullptr);
    media_streams->recover();
    context->media_streams = &*media_streams;
    router = api::make_api_router(*context);
    log_access_rules(*settings);
    pool->start();
    gate.open(*router);

    const std::string url = server.base_url();
    log().info("callscribe serving on {} (public URL {}, {} transcription workers, engine {})", url,
               settings->public_url, config.jobs.workers, parts->engine->name());
    if (options.sandbox)
        fmt::print("callscribe serving on {} — open it in a browser\n", url);
    else
        fmt::print("callscribe serving on {}\n", url);
    std::fflush(stdout);
    if (demo)
        demo->place_demo_call(*parts->store, settings->public_url,
                              config.voice.realtime == "stream");

    const int signal = wait_for_stop_signal();
    log().info("{} received: finishing the requests in flight and the running steps",
               signal == SIGTERM ? "SIGTERM" : "SIGINT");
    server.stop();
    if (demo) demo->stop();
    pool->stop();
    log().info("callscribe serve stopped");
    return 0;
}

} // namespace callscribe::cli
