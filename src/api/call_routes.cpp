#include "api/call_routes.hpp"

#include "api/api_error.hpp"
#include "api/call_json.hpp"
#include "api/call_list_query.hpp"
#include "api/live_transcript.hpp"
#include "core/log.hpp"
#include "stt/formats.hpp"

#include <fmt/format.h>

namespace callscribe::api {
namespace {

using json = nlohmann::ordered_json;

std::string_view content_type(stt::Format format) {
    switch (format) {
    case stt::Format::txt:
        return "text/plain; charset=utf-8";
    case stt::Format::json:
        return "application/json";
    case stt::Format::srt:
        return "application/x-subrip; charset=utf-8";
    case stt::Format::vtt:
        return "text/vtt; charset=utf-8";
    }
    return "application/octet-stream";
}

// Why a call has no offline transcript (yet).
std::string no_transcript_reason(const store::CallLog& call) {
    std::string reason;
    switch (call.status) {
    case store::CallStatus::waiting_for_recording:
        reason = "no transcript yet: the call is waiting for Twilio to finish its recording";
        break;
    case store::CallStatus::downloading:
        reason = "no transcript yet: the recording is being downloaded";
        break;
    case store::CallStatus::transcribing:
        reason = "no transcript yet: the recording is being transcribed";
        break;
    case store::CallStatus::gave_up:
        reason = fmt::format("no transcript: the offline job gave up ({})",
                             call.last_error.empty() ? "no reason recorded" : call.last_error);
        break;
    case store::CallStatus::done:
        reason = "no transcript was stored for this call";
        break;
    }
    if (!call.realtime_transcript.empty())
        reason +=
            fmt::format("; its realtime transcript is in GET /api/calls/{}", call.call_sid.str());
    return reason;
}

} // namespace

CallSid call_sid_param(const PathParams& params) {
    const auto it = params.find("call_sid");
    CALLSCRIBE_ASSERT(it != params.end());
    auto sid = CallSid::parse(it->second);
    if (!sid) throw ApiError(400, "not a Call SID (CA + 32 hex digits)");
    return *sid;
}

store::CallLog known_call(const ApiContext& context, const CallSid& call) {
    auto found = stored(context.store.find_call(call), "reading call " + call.str());
    if (!found) throw ApiError(404, fmt::format("no call {}", call.str()));
    return std::move(*found);
}

std::optional<std::filesystem::path> recording_on_disk(const ApiContext& context,
                                                       const store::CallLog& call) {
    if (call.recording_path.empty()) return std::nullopt;
    // The path was written by the download step; still, never leave the data folder.
    const std::filesystem::path relative(call.recording_path);
    if (relative.is_absolute()) return std::nullopt;
    for (const auto& part : relative) {
        if (part == "..") return std::nullopt;
    }
    std::error_code ec;
    const auto path = context.settings.data_dir / relative;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    return path;
}

namespace {

// A listed call with its webhooks, for the page's list (a page holds at most 200 calls).
json listed_call_json(const ApiContext& context, const store::CallLog& call) {
    json listed = call_json(call);
    listed["webhooks"] = json::array();
    for (const auto& delivery : stored(context.store.find_webhooks(call.call_sid),
                                       "reading the webhooks of " + call.call_sid.str()))
        listed["webhooks"].push_back(webhook_json(delivery));
    return listed;
}

net::ServerResponse search_calls(const ApiContext& context, const CallListQuery& request) {
    store::CallSearch search{
        .words = *request.search, .filter = request.filter, .offset = request.offset};
    const std::size_t limit = search.filter.limit;
    search.filter.limit = limit + 1; // one more tells whether there is a next page
    auto hits = stored(context.store.search_calls(search), "searching the transcripts");
    json next_offset = nullptr;
    if (hits.size() > limit) {
        hits.erase(hits.begin() + static_cast<std::ptrdiff_t>(limit), hits.end());
        next_offset = request.offset + limit;
    }
    json out{{"calls", json::array()},
             {"next_offset", next_offset},
             {"webhook_configured", context.settings.webhook_configured}};
    for (const auto& hit : hits) {
        json listed = listed_call_json(context, hit.call);
        listed["snippet"] = snippet_json(hit.snippet);
        out["calls"].push_back(std::move(listed));
    }
    return json_response(200, out);
}

} // namespace

net::ServerResponse list_calls(const ApiContext& context, const net::ServerRequest& request) {
    const CallListQuery parsed = parse_call_list_query(request);
    if (parsed.search) return search_calls(context, parsed);
    store::CallQuery query = parsed.filter;
    const std::size_t limit = query.limit;
    query.limit = limit + 1; // one more tells whether there is a next page
    auto calls = stored(context.store.list_calls(query), "listing calls");
    json next_before = nullptr;
    if (calls.size() > limit) {
        calls.erase(calls.begin() + static_cast<std::ptrdiff_t>(limit), calls.end());
        next_before = calls.back().call_sid.str();
    }
    json out{{"calls", json::array()},
             {"next_before", next_before},
             {"webhook_configured", context.settings.webhook_configured}};
    for (const auto& call : calls)
        out["calls"].push_back(listed_call_json(context, call));
    return json_response(200, out);
}

net::ServerResponse get_call(const ApiContext& context, const PathParams& params) {
    const CallSid sid = call_sid_param(params);
    const store::CallLog call = known_call(context, sid);
    const auto job = stored(context.store.find_job(sid), "reading the job of " + sid.str());
    const auto webhooks =
        stored(context.store.find_webhooks(sid), "reading the webhooks of " + sid.str());
    auto detail = call_detail_json(call, job, webhooks);
    detail["webhook_configured"] = context.settings.webhook_configured;
    return json_response(200, detail);
}

net::ServerResponse end_call(const ApiContext& context, const net::ServerRequest& request,
                             const PathParams& params) {
    const CallSid sid = call_sid_param(params);
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        throw ApiError(400, "the body must be a JSON object: {\"realtime_transcript\": \"…\", "
                            "\"recording_sid\": \"RE…\"}");
    std::optional<std::string> transcript;
    if (auto it = body.find("realtime_transcript"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) throw ApiError(400, "realtime_transcript must be a string");
        transcript = it->get<std::string>();
    }
    std::optional<RecordingSid> recording;
    if (auto it = body.find("recording_sid"); it != body.end() && !it->is_null()) {
        if (it->is_string()) recording = RecordingSid::parse(it->get<std::string>());
        if (!recording)
            throw ApiError(400, "recording_sid is not a Recording SID (RE + 32 hex digits)");
    }
    const TimePoint now = context.clock.now();
    if (transcript) {
        stored(context.store.save_realtime_transcript(sid, *transcript, now),
               "saving the realtime transcript of " + sid.str());
        if (context.live_partials) context.live_partials->clear(sid); // the live view is final
    }
    const auto enqueued = stored(context.store.enqueue_offline_stt(sid, recording, now),
                                 "enqueueing the job of " + sid.str());
    if (enqueued.created) context.wake();
    log().info("[API] {} ended{}: {}", sid.str(),
               transcript
                   ? fmt::format(" with a realtime transcript ({} bytes)", transcript->size())
                   : std::string(),
               enqueued.created ? "offline_stt job queued" : "the call already has its job");
    const store::CallLog call = known_call(context, sid);
    return json_response(202, json{{"created", enqueued.created},
                                   {"call", call_json(call)},
                                   {"job", job_json(enqueued.job, call)}});
}

net::ServerResponse retranscribe_call(const ApiContext& context, const PathParams& params) {
    const CallSid sid = call_sid_param(params);
    const store::CallLog call = known_call(context, sid);
    const bool on_disk = recording_on_disk(context, call).has_value();
    const store::JobStep from = on_disk ? store::JobStep::transcribe : store::JobStep::resolve;
    const TimePoint now = context.clock.now();
    auto job =
        stored(context.store.restart_job(sid, from, now), "restarting the job of " + sid.str());
    if (!job) {
        // A call the live agent reported whose job was never created: create it now.
        job = stored(context.store.enqueue_offline_stt(sid, call.recording_sid, now),
                     "enqueueing the job of " + sid.str())
                  .job;
    }
    context.wake();
    log().info("[API] {} retranscribe: the job runs again from {}", sid.str(),
               to_string(job->step));
    return json_response(202, json{{"from", to_string(job->step)},
                                   {"job", job_json(*job, known_call(context, sid))}});
}

net::ServerResponse get_transcript(const ApiContext& context, const net::ServerRequest& request,
                                   const PathParams& params) {
    const CallSid sid = call_sid_param(params);
    const auto format = stt::parse_format(request.query_param("format").value_or("txt"));
    if (!format) throw ApiError(400, "format must be txt, json, srt or vtt");
    const store::CallLog call = known_call(context, sid);
    if (call.final_transcript.empty() && call.final_transcript_json.empty())
        throw ApiError(404, no_transcript_reason(call));
    std::string body;
    if (*format == stt::Format::txt) {
        body = call.final_transcript + "\n";
    } else if (call.final_transcript_json.empty()) {
        throw ApiError(404, "only the plain text of this transcript is stored: ask for format=txt");
    } else if (*format == stt::Format::json) {
        body = call.final_transcript_json;
    } else {
        auto transcript = stt::parse_json(call.final_transcript_json);
        if (!transcript) {
            log().error("[API] the stored transcript of {} cannot be read: {}", sid.str(),
                        transcript.error().message);
            throw ApiError(500, "the stored transcript cannot be read");
        }
        body = stt::render(*transcript, *format);
    }
    return net::ServerResponse{.status = 200,
                               .headers = {{"Content-Type", std::string(content_type(*format))}},
                               .body = std::move(body)};
}

} // namespace callscribe::api
