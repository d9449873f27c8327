#pragma once
// GET /api/calls/{call_sid}/download: the call's recording, streamed from disk
// (data_dir / recording_path) without holding it in memory.
//
// Headers: Content-Type audio/mpeg or audio/wav (by the file's extension), Content-Disposition:
// attachment; filename="CA….mp3", Accept-Ranges: bytes. A Range header (byte_range.hpp) gives
// 206 with Content-Range, or 416 with "Content-Range: bytes */size" when unsatisfiable; a
// malformed or multi-range header is ignored (200, the whole file). With If-Range the Range is
// ignored too: there is no validator to compare it with.
//
// A call that is not known → 404. A recording that is not on disk (the API runs on another
// machine than the worker, or the job has not downloaded it yet) is fetched from Twilio into the
// recordings folder first, then served from there (recording_fallback.hpp: why, and its
// answers); that fetch is a deferred answer (net::ServerResponse::defer), run off the handler
// threads. Without a RecordingFallback in the context → 404 saying it is not on disk.
//
// Thread-safe (see ApiContext).
#include "api/api_context.hpp"
#include "api/router.hpp"
#include "net/server/server_types.hpp"

namespace callscribe::api {

net::ServerResponse download_recording(const ApiContext& context, const net::ServerRequest& request,
                                       const PathParams& params);

} // namespace callscribe::api
