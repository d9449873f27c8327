#pragma once
// The call log routes (/api/calls…). Every {call_sid} is validated first (CA + 32 hex digits,
// after percent-decoding): anything else is 400 and touches nothing. A call that is not in the
// log is 404.
//
// GET  /api/calls?status=&source=&since=&until=&number=&limit=&before=
//      newest first: {"calls": [call + {"webhooks"}…], "next_before": "CA…" | null,
//      "webhook_configured"}; pass next_before as `before` for the next page.
// GET  /api/calls?q=…&(the same filters)&limit=&offset=
//      full-text search over every transcript, best match first: {"calls": [call +
//      {"webhooks", "snippet"}…], "next_offset": n | null, "webhook_configured"}; pass
//      next_offset as `offset` for the next page. The parameters: call_list_query.hpp; a bad
//      value → 400.
// GET  /api/calls/{call_sid}                 the call, its job and its webhooks (call_json.hpp)
// POST /api/calls/{call_sid}/end             from the live agent at the end of a call: JSON
//      {"realtime_transcript"?: "…", "recording_sid"?: "RE…"} → the realtime transcript is saved
//      (when given) and the job enqueued (idempotent) → 202 {"created", "call", "job"}.
//      Not a JSON object, a member of the wrong type, a bad RE sid → 400.
// POST /api/calls/{call_sid}/retranscribe    runs the job again: from transcribe when the
//      recording is on disk, else from resolve → 202 {"from", "job"}.
// GET  /api/calls/{call_sid}/transcript?format=txt|json|srt|vtt (default txt)
//      the offline transcript with its Content-Type; 404 saying why when there is none yet;
//      400 for another format.
//
// Thread-safe (see ApiContext).
#include "api/api_context.hpp"
#include "api/router.hpp"
#include "net/server/server_types.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <optional>

namespace callscribe::api {

net::ServerResponse list_calls(const ApiContext& context, const net::ServerRequest& request);
net::ServerResponse get_call(const ApiContext& context, const PathParams& params);
net::ServerResponse end_call(const ApiContext& context, const net::ServerRequest& request,
                             const PathParams& params);
net::ServerResponse retranscribe_call(const ApiContext& context, const PathParams& params);
net::ServerResponse get_transcript(const ApiContext& context, const net::ServerRequest& request,
                                   const PathParams& params);

// Shared by the routes under /api/calls/{call_sid}/.
// The {call_sid} parameter, or ApiError 400.
CallSid call_sid_param(const PathParams& params);
// The call, or ApiError 404.
store::CallLog known_call(const ApiContext& context, const CallSid& call);
// The call's recording file when it is on disk (data_dir / recording_path), else nothing.
std::optional<std::filesystem::path> recording_on_disk(const ApiContext& context,
                                                       const store::CallLog& call);

} // namespace callscribe::api
