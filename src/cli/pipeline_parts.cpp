#include "cli/pipeline_parts.hpp"

#include "core/log.hpp"
#include "net/curl/curl_http_client.hpp"
#include "stt/engines.hpp"
#include "webhook/outbox.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace callscribe::cli {

std::string lease_owner(std::string_view role) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return fmt::format("{}:{}:{}", host[0] ? host : "localhost", ::getpid(), role);
}

jobs::PipelineSettings pipeline_settings(const config::Config& config) {
    jobs::PipelineSettings settings;
    settings.ready_backoff = config.jobs.ready_backoff;
    settings.not_found_wait = config.jobs.not_found_wait;
    settings.data_dir = config.storage.data_dir;
    settings.webhook_enabled = !config.webhook.url.empty();
    settings.public_url = config.http.public_url;
    settings.webhook_version = config.webhook.version;
    return settings;
}

void deliver_webhooks(PipelineParts& parts, const config::Config& config) {
    // A delivery attempt may take its whole 15 s timeout: the lease must outlast it.
    const Seconds lease = std::max(config.jobs.lease, Seconds{60});
    auto delivered = webhook::deliver_due(*parts.store, *parts.http, config.webhook, parts.clock,
                                          parts.runner->owner(), lease, &parts.webhook_counts);
    if (!delivered) log().error("[WEBHOOK] Outbox pass failed: {}", delivered.error().message);
}

Result<std::unique_ptr<PipelineParts>> build_pipeline(const config::Config& config,
                                                      std::string_view role) {
    if (config.twilio.account_sid.empty()) {
        return fail("TWILIO_ACCOUNT_SID is not set: it is needed to fetch recordings");
    }
    if (config.twilio.auth_token.empty() && config.twilio.api_secret.empty()) {
        return fail("neither TWILIO_AUTH_TOKEN nor TWILIO_API_KEY/TWILIO_API_SECRET is set: "
                    "they are needed to fetch recordings");
    }
    // The data folder is the one folder callscribe creates (the database's, when it is there).
    std::error_code ec;
    std::filesystem::create_directories(config.storage.data_dir, ec);
    if (ec)
        return fail(fmt::format("cannot create CALLSCRIBE_DATA_DIR {}: {}",
                                config.storage.data_dir.string(), ec.message()));
    auto parts = std::make_unique<PipelineParts>();
    parts->http = std::make_shared<net::curl::CurlHttpClient>();
    auto store =
        store::open_store(config.storage.database_url, {.pool_size = config.storage.database_pool});
    if (!store) return store.error();
    parts->store = std::move(*store);
    parts->twilio_http = std::make_unique<net::CountingHttpClient>(*parts->http);
    parts->twilio = std::make_unique<twilio::RecordingApi>(config.twilio, *parts->twilio_http);
    auto engine =
        stt::make_engine(config.stt, parts->http, config.jobs.workers, stt::ServiceWaits::returned);
    if (!engine) return engine.error();
    parts->engine = std::move(*engine);
    parts->job = std::make_unique<jobs::OfflineSttJob>(
        *parts->store, *parts->twilio, *parts->engine, parts->clock, pipeline_settings(config));
    parts->runner = std::make_unique<jobs::JobRunner>(*parts->store, *parts->job, parts->clock,
                                                      lease_owner(role), config.jobs.lease);
    return parts;
}

} // namespace callscribe::cli
