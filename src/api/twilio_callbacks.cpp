#include "api/twilio_callbacks.hpp"

#include "api/api_error.hpp"
#include "api/live_transcript.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "live/media_streams.hpp"
#include "net/url_encoding.hpp"
#include "twilio/realtime_transcription.hpp"
#include "twilio/signature.hpp"
#include "twilio/voice_twiml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <initializer_list>

namespace callscribe::api {
namespace {

std::optional<std::string> param(const net::FormFields& fields, std::string_view name) {
    for (const auto& [key, value] : fields) {
        if (key == name) return value;
    }
    return std::nullopt;
}

// Refuses (403) a request that does not carry Twilio's signature over `url` and `params`, when
// an auth token is set.
void check_signature(const ApiContext& context, const net::ServerRequest& request, std::string url,
                     const net::FormFields& params, std::string_view kind) {
    const ApiSettings& settings = context.settings;
    if (settings.twilio_auth_token.empty()) return;
    const auto signature = request.header("x-twilio-signature");
    if (!signature) {
        log().warn("[TWILIO] {} refused: no X-Twilio-Signature", kind);
        throw ApiError(403, "missing X-Twilio-Signature");
    }
    const auto shown = url.substr(0, url.find('?'));
    const twilio::SignedRequest signed_request{.url = std::move(url),
                                               .params =
                                                   twilio::FormParams(params.begin(), params.end()),
                                               .body = std::nullopt};
    if (!twilio::is_valid_signature(signed_request, *signature, settings.twilio_auth_token)) {
        // The usual cause is a URL mismatch: say which URL was checked.
        log().warn("[TWILIO] {} refused: X-Twilio-Signature does not match {} (is "
                   "CALLSCRIBE_PUBLIC_URL the URL configured in Twilio?)",
                   kind, shown);
        throw ApiError(403, "X-Twilio-Signature does not match");
    }
}

// The form's parameters, once the request is known to come from Twilio for our account.
net::FormFields verified_params(const ApiContext& context, const net::ServerRequest& request,
                                std::string_view kind) {
    net::FormFields params = net::parse_form(request.body);
    const ApiSettings& settings = context.settings;
    check_signature(context, request, settings.public_url + request.target, params,
                    fmt::format("{} callback", kind));
    if (!settings.account_sid.empty() && param(params, "AccountSid") != settings.account_sid) {
        log().warn("[TWILIO] {} callback refused: it is not for account {}", kind,
                   settings.account_sid);
        throw ApiError(403, "the callback is not for this service's Twilio account");
    }
    return params;
}

template <class SidType>
std::optional<SidType> optional_sid(const net::FormFields& params, std::string_view name,
                                    std::string_view shape) {
    const auto text = param(params, name);
    if (!text || text->empty()) return std::nullopt;
    auto sid = SidType::parse(*text);
    if (!sid) throw ApiError(400, fmt::format("{} is not a valid SID ({})", name, shape));
    return sid;
}

// What a voice webhook or call-status callback says about the call (Twilio's standard request
// parameters). A CallDuration that is not a whole number is left out rather than refused: the
// callback's real work (the job) must not be lost to it.
store::CallDetails call_details(const net::FormFields& params, std::string_view status_name) {
    store::CallDetails details{.from = param(params, "From").value_or(""),
                               .to = param(params, "To").value_or(""),
                               .direction = param(params, "Direction").value_or(""),
                               .call_status = param(params, status_name).value_or("")};
    if (const auto duration = param(params, "CallDuration")) {
        std::int64_t seconds = 0;
        const auto [end, ec] =
            std::from_chars(duration->data(), duration->data() + duration->size(), seconds);
        if (ec == std::errc() && end == duration->data() + duration->size() && seconds >= 0)
            details.duration_s = seconds;
    }
    return details;
}

void save_call_details(const ApiContext& context, const CallSid& call,
                       const store::CallDetails& details) {
    stored(context.store.save_call_details(call, details, context.clock.now()),
           fmt::format("saving the details of {}", call.str()));
}

// What both callbacks carry, once the sender is known to be Twilio for our account.
struct Callback {
    std::string_view kind; // "recording-status" or "call-status", for the log
    CallSid call;
    std::optional<RecordingSid> recording; // when the callback names one
    std::string status;                    // RecordingStatus or CallStatus
    store::CallDetails details;            // what the callback says about the call
};

Callback read_callback(const ApiContext& context, const net::ServerRequest& request,
                       std::string_view kind, std::string_view status_name) {
    const auto params = verified_params(context, request, kind);
    auto call = optional_sid<CallSid>(params, "CallSid", "CA + 32 hex digits");
    if (!call) throw ApiError(400, "missing CallSid");
    auto recording = optional_sid<RecordingSid>(params, "RecordingSid", "RE + 32 hex digits");
    auto status = param(params, status_name);
    if (!status || status->empty()) throw ApiError(400, fmt::format("missing {}", status_name));
    return Callback{kind, std::move(*call), std::move(recording), std::move(*status),
                    call_details(params, status_name == "CallStatus" ? "CallStatus" : "")};
}

net::ServerResponse enqueue(const ApiContext& context, const Callback& callback) {
    const auto& [kind, call, recording, status, details] = callback;
    auto enqueued = stored(context.store.enqueue_offline_stt(call, recording, context.clock.now()),
                           fmt::format("enqueueing the job of {}", call.str()));
    if (enqueued.created || enqueued.hurried) context.wake();
    log().info("[TWILIO] {} {} for {}{}: {}", kind, status, call.str(),
               recording ? " (" + recording->str() + ")" : std::string(),
               enqueued.created   ? "offline_stt job queued"
               : enqueued.hurried ? "the waiting job runs now"
                                  : fmt::format("the call already has its job ({})",
                                                to_string(enqueued.job.state)));
    return net::ServerResponse{.status = 204};
}

net::ServerResponse ignored(const Callback& callback) {
    log().debug("[TWILIO] {} {} for {}: nothing to do", callback.kind, callback.status,
                callback.call.str());
    return net::ServerResponse{.status = 204};
}

bool is_one_of(std::string_view value, std::initializer_list<std::string_view> values) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

// The call's final utterances become its realtime transcript: at transcription-stopped, and at
// the call's end too, in case the stopped callback is late or lost (or, for a media stream's
// utterances, the stream never ended because the service stopped in the middle of it).
void save_assembled_transcript(const ApiContext& context, const CallSid& call,
                               std::string_view when) {
    const auto saved = save_live_transcript(context, call);
    if (context.live_partials) context.live_partials->clear(call); // after: watchers see it saved
    if (!saved) {
        log().debug("[TWILIO] {} for {}: no final utterance from Twilio's transcription", when,
                    call.str());
    } else if (saved->api_kept) {
        log().info("[TWILIO] {} for {}: the realtime transcript posted to the API is kept", when,
                   call.str());
    } else {
        log().info("[TWILIO] {} for {}: realtime transcript from {} ({} utterances, {} chars)",
                   when, call.str(),
                   saved->source == store::RealtimeSource::media_stream ? "its media stream"
                                                                        : "Twilio's transcription",
                   saved->utterances, saved->chars);
    }
}

} // namespace

net::ServerResponse transcription_status_callback(const ApiContext& context,
                                                  const net::ServerRequest& request) {
    const auto params = verified_params(context, request, "transcription-status");
    auto call = optional_sid<CallSid>(params, "CallSid", "CA + 32 hex digits");
    if (!call) throw ApiError(400, "missing CallSid");
    auto event = twilio::parse_rtt_event(params);
    if (!event) {
        log().warn("[TWILIO] transcription-status callback for {} refused: {}", call->str(),
                   event.error().message);
        throw ApiError(400, event.error().message);
    }
    const TimePoint now = context.clock.now();
    switch (event->kind) {
    case twilio::RttEventKind::started:
        stored(context.store.save_realtime_labels(*call,
                                                  {.session = event->transcription_sid,
                                                   .inbound = event->inbound_label,
                                                   .outbound = event->outbound_label},
                                                  now),
               fmt::format("saving the transcription labels of {}", call->str()));
        log().info("[TWILIO] transcription-started for {} ({})", call->str(),
                   event->transcription_sid);
        break;
    case twilio::RttEventKind::content:
        if (!event->utterance->final) {
            if (context.live_partials) {
                context.live_partials->set(
                    *call,
                    {.track = event->utterance->track, .text = event->utterance->text, .at = now});
            }
        } else {
            stored(context.store.add_realtime_utterance(
                       *call,
                       {.session = event->transcription_sid,
                        .sequence = event->sequence,
                        .track = std::string(to_string(event->utterance->track)),
                        .text = event->utterance->text},
                       now),
                   fmt::format("saving an utterance of {}", call->str()));
            // After it is stored: a page woken by the clearing finds the final words.
            if (context.live_partials)
                context.live_partials->clear_track(*call, event->utterance->track);
        }
        break;
    case twilio::RttEventKind::stopped:
        save_assembled_transcript(context, *call, "transcription-stopped");
        break;
    case twilio::RttEventKind::error:
        log().warn("[TWILIO] transcription-error for {}: {} (code {})", call->str(), event->error,
                   event->error_code ? std::to_string(*event->error_code) : "none");
        break;
    }
    return net::ServerResponse{.status = 204};
}

net::ServerResponse voice_callback(const ApiContext& context, const net::ServerRequest& request) {
    const auto params = verified_params(context, request, "voice");
    const auto call = optional_sid<CallSid>(params, "CallSid", "CA + 32 hex digits");
    if (!call) throw ApiError(400, "missing CallSid");
    const ApiSettings& settings = context.settings;
    using Kind = config::VoiceContinue::Kind;
    if (settings.voice_continue.kind == Kind::none) {
        log().error("[TWILIO] voice webhook for {} refused: CALLSCRIBE_VOICE_CONTINUE is not set, "
                    "so callscribe does not know where the call goes on",
                    call->str());
        throw ApiError(503, "CALLSCRIBE_VOICE_CONTINUE is not set");
    }
    const auto details = call_details(params, "CallStatus");
    save_call_details(context, *call, details);
    log().info("[TWILIO] voice webhook for {} ({} from {} to {}): recording{} started, then {}",
               call->str(), details.direction.empty() ? "a call" : details.direction,
               masked_number(details.from), masked_number(details.to),
               settings.twilio_transcription ? " and Twilio's transcription"
               : settings.voice_media_stream ? " and a media stream"
                                             : "",
               settings.voice_continue.kind == Kind::redirect ? "a redirect to the operator's TwiML"
                                                              : "a dial");
    net::ServerResponse response{
        .status = 200,
        .body = twilio::voice_twiml({.public_url = settings.public_url,
                                     .transcription = settings.twilio_transcription,
                                     .media_stream = settings.voice_media_stream,
                                     .next = settings.voice_continue})};
    response.headers.emplace_back("Content-Type", "text/xml; charset=utf-8");
    return response;
}

net::ServerResponse recording_status_callback(const ApiContext& context,
                                              const net::ServerRequest& request) {
    const Callback callback =
        read_callback(context, request, "recording-status", "RecordingStatus");
    if (callback.status == "completed") {
        if (!callback.recording) throw ApiError(400, "missing RecordingSid");
        return enqueue(context, callback);
    }
    if (is_one_of(callback.status, {"absent", "failed"})) return enqueue(context, callback);
    return ignored(callback);
}

net::ServerResponse call_status_callback(const ApiContext& context,
                                         const net::ServerRequest& request) {
    const Callback callback = read_callback(context, request, "call-status", "CallStatus");
    save_call_details(context, callback.call, callback.details);
    if (is_one_of(callback.status, {"completed", "busy", "failed", "no-answer", "canceled"})) {
        save_assembled_transcript(context, callback.call, "call-status " + callback.status);
        return enqueue(context, callback);
    }
    return ignored(callback);
}

net::ServerResponse media_stream_upgrade(const ApiContext& context,
                                         const net::ServerRequest& request) {
    if (!request.websocket_upgrade) {
        throw ApiError(426, "this route is a WebSocket: send Upgrade: websocket",
                       {{"Upgrade", "websocket"}});
    }
    // Twilio signs the URL written in <Stream url=…>: the public URL with a WebSocket scheme.
    const std::string url = twilio::websocket_url(context.settings.public_url) + request.target;
    check_signature(context, request, url, {}, "media stream");
    if (!context.media_streams) throw ApiError(503, "media streams are not enabled");
    net::ServerResponse response;
    response.websocket = context.media_streams->open_session();
    return response;
}

} // namespace callscribe::api
