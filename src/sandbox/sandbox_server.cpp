#include "sandbox/sandbox_server.hpp"

#include "core/log.hpp"
#include "net/server/http_server.hpp"
#include "sandbox/call_registry.hpp"
#include "sandbox/callback_sender.hpp"
#include "sandbox/prepared_audio.hpp"
#include "sandbox/resource_json.hpp"
#include "sandbox/twilio_api.hpp"

#include <fmt/format.h>

#include <cmath>
#include <random>

namespace callscribe::sandbox {
namespace {

using net::ServerRequest;
using net::ServerResponse;

std::string random_hex(std::size_t digits) {
    std::random_device random;
    std::uniform_int_distribution<unsigned> digit(0, 15);
    std::string out;
    for (std::size_t i = 0; i < digits; ++i)
        out += "0123456789abcdef"[digit(random)];
    return out;
}

ServerResponse control_error(int status, std::string_view message) {
    return ServerResponse::json(status, nlohmann::json{{"error", message}}.dump());
}

// A status and a message: how create() fails (400 bad audio, 409 a SID taken, 500 disk).
struct Failure {
    int status = 400;
    std::string message;
};

} // namespace

nlohmann::json CreatedCall::to_json() const {
    return {{"call_sid", call_sid},
            {"account_sid", account_sid},
            {"recording_sid", recording_sid ? nlohmann::json(*recording_sid) : nullptr},
            {"recording_url", recording_url ? nlohmann::json(*recording_url) : nullptr}};
}

struct SandboxServer::Impl {
    SandboxSettings settings;
    const Clock& clock;
    net::HttpClient& callback_client;
    CallRegistry registry;
    std::filesystem::path work_dir;
    bool own_work_dir = false;
    std::unique_ptr<TwilioApi> api;
    std::unique_ptr<CallbackSender> callbacks;
    std::unique_ptr<MediaStreamPlayers> streams;
    std::unique_ptr<net::HttpServer> api_server;
    std::unique_ptr<net::HttpServer> storage_server;

    Impl(SandboxSettings s, const Clock& c, net::HttpClient& client)
        : settings(std::move(s)), clock(c), callback_client(client) {}

    std::string base_url() const { return api_server ? api_server->base_url() : std::string(); }
    std::string storage_base_url() const {
        return storage_server ? storage_server->base_url() : base_url();
    }
    std::string media_url(const std::string& recording_sid) const {
        return fmt::format("{}/{}/Accounts/{}/Recordings/{}", base_url(), k_api_version,
                           settings.account_sid, recording_sid);
    }

    ServerResponse on_api(const ServerRequest& request);
    ServerResponse on_storage(const ServerRequest& request);
    ServerResponse storage(const ServerRequest& request);
    ServerResponse control(const ServerRequest& request);
    boost::system::result<CreatedCall, Failure> create(const CallRequest& request);
    void schedule(const CallSid& call_sid, const std::optional<CallbackRequest>& recording_status,
                  const std::optional<CallbackRequest>& call_status,
                  const std::optional<TranscriptionScript>& transcription);
    void report(const Callback& callback, const Result<net::HttpResponse>& response);
    void report_stream(const std::string& call_sid, const Result<std::uint16_t>& closed);
};

ServerResponse SandboxServer::Impl::on_api(const ServerRequest& request) {
    if (request.path.starts_with("/sandbox/")) return control(request);
    const bool is_storage = !storage_server && request.path.starts_with("/storage/");
    ServerResponse response = is_storage ? storage(request) : api->handle(request);
    registry.record({.listener = is_storage ? "storage" : "api",
                     .method = request.method,
                     .path = request.path,
                     .had_authorization = request.header("authorization").has_value(),
                     .status = response.status});
    return response;
}

ServerResponse SandboxServer::Impl::on_storage(const ServerRequest& request) {
    ServerResponse response = request.path.starts_with("/storage/")
                                  ? storage(request)
                                  : control_error(404, "not found: this is the storage");
    registry.record({.listener = "storage",
                     .method = request.method,
                     .path = request.path,
                     .had_authorization = request.header("authorization").has_value(),
                     .status = response.status});
    return response;
}

ServerResponse SandboxServer::Impl::storage(const ServerRequest& request) {
    if (request.method != "GET" && request.method != "HEAD")
        return control_error(405, "method not allowed");
    // /storage/{RE}.{wav|mp3}?token=…
    std::string_view name =
        std::string_view(request.path).substr(std::string_view("/storage/").size());
    const bool mp3 = name.ends_with(".mp3");
    if (!mp3 && !name.ends_with(".wav")) return control_error(404, "not found");
    name.remove_suffix(4);
    const Secret token(request.query_param("token").value_or(""));
    const bool with_authorization = request.header("authorization").has_value();
    return registry.with_recording(name, [&](SandboxCall* call) {
        if (call == nullptr || token.empty() || !(token == Secret(call->storage_token(mp3))))
            return control_error(403, "forbidden: unknown file or wrong token");
        ++call->counts.storage;
        if (with_authorization) ++call->counts.storage_with_authorization;
        const auto& audio = *call->audio();
        return ServerResponse{
            .status = 200,
            .headers = {{"Content-Type", mp3 ? "audio/mpeg" : "audio/x-wav"}},
            .file = net::FileBody{.path = mp3 ? audio.mp3 : audio.wav},
        };
    });
}

ServerResponse SandboxServer::Impl::control(const ServerRequest& request) {
    const std::string& path = request.path;
    const std::string_view calls_prefix = "/sandbox/calls/";
    if (path == "/sandbox/calls") {
        if (request.method != "POST") return control_error(405, "use POST");
        auto parsed = parse_call_request(request.body);
        if (!parsed) return control_error(400, parsed.error().message);
        auto created = create(*parsed);
        if (!created) return control_error(created.error().status, created.error().message);
        return ServerResponse::json(201, created->to_json().dump());
    }
    if (path == "/sandbox/requests" && request.method == "GET")
        return ServerResponse::json(200, registry.requests_json().dump());
    if (path.starts_with(calls_prefix)) {
        std::string_view rest = std::string_view(path).substr(calls_prefix.size());
        const bool callbacks_route = rest.ends_with("/callbacks");
        if (callbacks_route) rest.remove_suffix(std::string_view("/callbacks").size());
        const auto call_sid = CallSid::parse(rest);
        if (!call_sid) return control_error(404, "not a Call SID");
        if (!callbacks_route && request.method == "GET") {
            const auto now = clock.now();
            auto state = registry.with_call(call_sid->str(), [&](SandboxCall* call) {
                return call ? std::optional(call->state_json(settings.account_sid, now))
                            : std::nullopt;
            });
            if (!state) return control_error(404, "no such call");
            state->emplace(
                "recording_url",
                state->at("recording_sid").is_string()
                    ? nlohmann::json(media_url(state->at("recording_sid").get<std::string>()))
                    : nlohmann::json(nullptr));
            return ServerResponse::json(200, state->dump());
        }
        if (callbacks_route && request.method == "POST") {
            auto parsed = parse_callback_requests(request.body);
            if (!parsed) return control_error(400, parsed.error().message);
            const bool known = registry.with_call(
                call_sid->str(), [](SandboxCall* call) { return call != nullptr; });
            if (!known) return control_error(404, "no such call");
            schedule(*call_sid, parsed->recording_status_callback, parsed->call_status_callback,
                     parsed->transcription_callback);
            return ServerResponse::json(202, "{}");
        }
    }
    return control_error(404, "no such control route");
}

boost::system::result<CreatedCall, Failure>
SandboxServer::Impl::create(const CallRequest& request) {
    const CallSid call_sid = request.call_sid.value_or(*CallSid::parse("CA" + random_hex(32)));
    std::optional<RecordingSid> recording_sid;
    if (!request.scenario.no_recording)
        recording_sid = request.recording_sid.value_or(*RecordingSid::parse("RE" + random_hex(32)));

    const bool taken =
        registry.with_call(call_sid.str(), [](SandboxCall* c) { return c != nullptr; }) ||
        (recording_sid && registry.with_recording(recording_sid->str(),
                                                  [](SandboxCall* c) { return c != nullptr; }));
    if (taken) return Failure{409, "a call or recording with this SID already exists"};

    std::optional<PreparedAudio> audio;
    if (recording_sid) {
        auto prepared = prepare_audio(request.audio, work_dir, recording_sid->str(),
                                      request.scenario.channels, request.scenario.wav_format);
        if (!prepared) return Failure{400, prepared.error().message};
        audio = std::move(*prepared);
    }
    SandboxCall call(call_sid, recording_sid, request.scenario, clock.now(), audio,
                     {random_hex(32), random_hex(32)});
    if (!registry.add(std::move(call))) {
        if (audio) {
            std::error_code ignored;
            std::filesystem::remove(audio->wav, ignored);
            std::filesystem::remove(audio->mp3, ignored);
        }
        return Failure{409, "a call or recording with this SID already exists"};
    }
    log().info("[SANDBOX] call {} created{}", call_sid.str(),
               recording_sid ? fmt::format(" with recording {} ({:.1f} s, {} channel(s))",
                                           recording_sid->str(), audio->duration_s, audio->channels)
                             : std::string(" without a recording"));
    schedule(call_sid, request.recording_status_callback, request.call_status_callback,
             request.transcription_callback);
    if (request.media_stream) {
        registry.with_call(call_sid.str(), [&](SandboxCall* call) {
            if (call)
                call->callbacks.push_back(
                    CallbackOutcome{.kind = "media_stream", .url = request.media_stream->url});
        });
        streams->play(call_sid, request.audio, *request.media_stream);
    }

    CreatedCall created{call_sid.str(), settings.account_sid, std::nullopt, std::nullopt};
    if (recording_sid) {
        created.recording_sid = recording_sid->str();
        created.recording_url = media_url(recording_sid->str());
    }
    return created;
}

void SandboxServer::Impl::schedule(const CallSid& call_sid,
                                   const std::optional<CallbackRequest>& recording_status,
                                   const std::optional<CallbackRequest>& call_status,
                                   const std::optional<TranscriptionScript>& transcription) {
    const auto now = clock.now();
    std::vector<Callback> out;
    registry.with_call(call_sid.str(), [&](SandboxCall* call) {
        if (call == nullptr) return;
        std::optional<RecordingFacts> facts;
        if (call->recording_sid()) facts = call->peek(settings.account_sid, now);
        const std::string duration =
            call->audio() ? std::to_string(std::lround(call->audio()->duration_s)) : "0";
        if (recording_status && facts) {
            const bool absent = facts->status == "absent";
            out.push_back(Callback{
                .kind = "recording_status",
                .call_sid = call_sid.str(),
                .url = recording_status->url,
                .params = {{"AccountSid", settings.account_sid},
                           {"CallSid", call_sid.str()},
                           {"RecordingSid", facts->sid},
                           {"RecordingUrl", media_url(facts->sid)},
                           {"RecordingStatus", absent ? "absent" : "completed"},
                           {"RecordingDuration", absent ? "0" : duration},
                           {"RecordingChannels", std::to_string(facts->channels)},
                           {"RecordingSource", "OutboundAPI"},
                           {"RecordingTrack", "both"},
                           {"RecordingStartTime", rfc2822(facts->start_time)},
                           {"ErrorCode", absent ? "16102" : "0"}},
                .delay = recording_status->delay,
            });
        }
        if (call_status) {
            net::FormFields params = {{"AccountSid", settings.account_sid},
                                      {"ApiVersion", std::string(k_api_version)},
                                      {"CallSid", call_sid.str()},
                                      {"CallStatus", "completed"},
                                      {"CallDuration", duration},
                                      {"Direction", "outbound-api"},
                                      {"From", "+15005550001"},
                                      {"Caller", "+15005550001"},
                                      {"To", "+15005550006"},
                                      {"Called", "+15005550006"},
                                      {"Timestamp", rfc2822(now)},
                                      {"CallbackSource", "call-progress-events"},
                                      {"SequenceNumber", "0"}};
            if (facts) {
                params.emplace_back("RecordingUrl", media_url(facts->sid));
                params.emplace_back("RecordingSid", facts->sid);
                params.emplace_back("RecordingDuration", duration);
            }
            out.push_back(Callback{.kind = "call_status",
                                   .call_sid = call_sid.str(),
                                   .url = call_status->url,
                                   .params = std::move(params),
                                   .delay = call_status->delay});
        }
        if (transcription) {
            const std::string session = transcription->transcription_sid.empty()
                                            ? "GT" + random_hex(32)
                                            : transcription->transcription_sid;
            std::ranges::move(
                transcription_callbacks(settings.account_sid, call_sid, session, *transcription),
                std::back_inserter(out));
        }
        for (const auto& c : out)
            call->callbacks.push_back(CallbackOutcome{.kind = c.kind, .url = c.url});
    });
    for (auto& c : out)
        callbacks->send_later(std::move(c));
}

void SandboxServer::Impl::report(const Callback& callback,
                                 const Result<net::HttpResponse>& response) {
    registry.with_call(callback.call_sid, [&](SandboxCall* call) {
        if (call == nullptr) return;
        // The oldest pending outcome of this kind and URL: callbacks go out in order.
        for (auto& outcome : call->callbacks) {
            if (outcome.state != "pending" || outcome.kind != callback.kind ||
                outcome.url != callback.url)
                continue;
            if (response) {
                outcome.state = "sent";
                outcome.status = response->status;
            } else {
                outcome.state = "failed";
                outcome.error = response.error().message;
            }
            return;
        }
    });
}

// A stream's outcome: "sent" when the service ended it normally (1000, after stop), "failed"
// otherwise; its status is the close code.
void SandboxServer::Impl::report_stream(const std::string& call_sid,
                                        const Result<std::uint16_t>& closed) {
    registry.with_call(call_sid, [&](SandboxCall* call) {
        if (call == nullptr) return;
        for (auto& outcome : call->callbacks) {
            if (outcome.state != "pending" || outcome.kind != "media_stream") continue;
            if (closed) outcome.status = *closed;
            outcome.state = closed && *closed == 1000 ? "sent" : "failed";
            if (!closed) outcome.error = closed.error().message;
            if (closed && *closed != 1000) outcome.error = fmt::format("closed {}", *closed);
            return;
        }
    });
}

SandboxServer::SandboxServer(SandboxSettings settings, const Clock& clock,
                             net::HttpClient& callback_client)
    : m_impl(std::make_unique<Impl>(std::move(settings), clock, callback_client)) {}

SandboxServer::~SandboxServer() {
    stop();
    if (m_impl->own_work_dir) {
        std::error_code ignored;
        std::filesystem::remove_all(m_impl->work_dir, ignored);
    }
}

Result<void> SandboxServer::start() {
    Impl& impl = *m_impl;
    CALLSCRIBE_ASSERT(!impl.api_server);
    const auto& s = impl.settings;
    if (!AccountSid::parse(s.account_sid))
        return fail(fmt::format("sandbox: \"{}\" is not an Account SID (AC + 32 hex digits)",
                                s.account_sid));
    if (s.auth_token.empty()) return fail("sandbox: the auth token is empty");

    std::error_code ec;
    impl.work_dir = s.work_dir;
    if (impl.work_dir.empty()) {
        impl.work_dir = std::filesystem::temp_directory_path(ec) /
                        fmt::format("callscribe-sandbox-{}", random_hex(12));
        impl.own_work_dir = true;
    }
    std::filesystem::create_directories(impl.work_dir, ec);
    if (ec)
        return fail(
            fmt::format("sandbox: cannot create {}: {}", impl.work_dir.string(), ec.message()));

    impl.api = std::make_unique<TwilioApi>(
        s.account_sid, s.auth_token, impl.registry, impl.clock, [&impl] { return impl.base_url(); },
        [&impl] { return impl.storage_base_url(); });
    impl.callbacks = std::make_unique<CallbackSender>(
        impl.callback_client, s.auth_token,
        [&impl](const Callback& c, const Result<net::HttpResponse>& r) { impl.report(c, r); });
    impl.streams = std::make_unique<MediaStreamPlayers>(
        s.account_sid, s.auth_token,
        [&impl](const std::string& call, const Result<std::uint16_t>& closed) {
            impl.report_stream(call, closed);
        });

    net::ServerSettings server;
    server.host = s.host;
    server.port = s.port;
    server.handler_threads = s.handler_threads;
    server.name = "sandbox";
    server.body_limit = 64 * 1024;
    impl.api_server = std::make_unique<net::HttpServer>(
        server, [&impl](const ServerRequest& r) { return impl.on_api(r); });
    if (s.storage_host) {
        server.host = *s.storage_host;
        server.port = s.storage_port;
        server.name = "sandbox-storage";
        impl.storage_server = std::make_unique<net::HttpServer>(
            server, [&impl](const ServerRequest& r) { return impl.on_storage(r); });
        if (auto started = impl.storage_server->start(); !started) {
            impl.storage_server.reset();
            return started.error();
        }
    }
    if (auto started = impl.api_server->start(); !started) {
        stop();
        return started.error();
    }
    return {};
}

void SandboxServer::stop() {
    Impl& impl = *m_impl;
    if (impl.api_server) impl.api_server->stop();
    if (impl.storage_server) impl.storage_server->stop();
    // Joins the callback and stream threads: no report can arrive after this.
    impl.callbacks.reset();
    impl.streams.reset();
}

std::string SandboxServer::base_url() const {
    return m_impl->base_url();
}

std::string SandboxServer::storage_base_url() const {
    return m_impl->storage_base_url();
}

const std::string& SandboxServer::account_sid() const {
    return m_impl->settings.account_sid;
}

const Secret& SandboxServer::auth_token() const {
    return m_impl->settings.auth_token;
}

Result<CreatedCall> SandboxServer::create_call(const CallRequest& request) {
    CALLSCRIBE_ASSERT(m_impl->callbacks);
    auto created = m_impl->create(request);
    if (!created) return fail(created.error().message);
    return std::move(*created);
}

} // namespace callscribe::sandbox
