#include "api/recording_download.hpp"

#include "api/api_error.hpp"
#include "api/byte_range.hpp"
#include "api/call_routes.hpp"
#include "api/recording_fallback.hpp"

#include <fmt/format.h>

namespace callscribe::api {
namespace {

std::string audio_type(const std::filesystem::path& path) {
    return path.extension() == ".wav" ? "audio/wav" : "audio/mpeg";
}

[[noreturn]] void recording_not_on_disk(const store::CallLog& call) {
    throw ApiError(404, fmt::format("the recording of {} is not on disk (the call is {})",
                                    call.call_sid.str(), to_string(call.status)));
}

// The recording's file when it is on this machine: where the worker saved it, else where an
// earlier fall-back download left it.
std::optional<std::filesystem::path> local_file(const ApiContext& context,
                                                const store::CallLog& call) {
    if (auto path = recording_on_disk(context, call)) return path;
    if (context.recording_fallback == nullptr) return std::nullopt;
    return context.recording_fallback->cached(call.call_sid);
}

// The file, whole or the part `range_header` asks for.
net::ServerResponse file_response(const store::CallLog& call, const std::filesystem::path& path,
                                  const std::optional<std::string>& range_header) {
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) recording_not_on_disk(call);

    net::ServerResponse response{
        .status = 200,
        .headers = {{"Content-Type", audio_type(path)},
                    {"Content-Disposition",
                     fmt::format("attachment; filename=\"{}\"", path.filename().string())},
                    {"Accept-Ranges", "bytes"}},
        .file = net::FileBody{.path = path}};
    if (!range_header) return response;
    const ByteRange range = parse_byte_range(*range_header, size);
    switch (range.kind) {
    case ByteRange::Kind::whole:
        return response;
    case ByteRange::Kind::unsatisfiable:
        throw ApiError(416, fmt::format("the range is outside the recording ({} bytes)", size),
                       {{"Content-Range", fmt::format("bytes */{}", size)}});
    case ByteRange::Kind::partial:
        break;
    }
    response.status = 206;
    response.headers.emplace_back("Content-Range",
                                  fmt::format("bytes {}-{}/{}", range.first, range.last(), size));
    response.file->offset = range.first;
    response.file->length = range.length;
    return response;
}

} // namespace

net::ServerResponse download_recording(const ApiContext& context, const net::ServerRequest& request,
                                       const PathParams& params) {
    const CallSid sid = call_sid_param(params);
    const store::CallLog call = known_call(context, sid);
    // With If-Range the whole file is sent: the validator is not checked.
    std::optional<std::string> range = request.header("range");
    if (request.header("if-range")) range.reset();
    if (auto path = local_file(context, call)) return file_response(call, *path, range);
    if (context.recording_fallback == nullptr) recording_not_on_disk(call);
    // Twilio may take a minute to answer: off the handler threads, which callbacks and health
    // checks need (the HttpServer runs deferred work on a pool of its own).
    return net::ServerResponse::defer([&context, call, range] {
        return file_response(call, context.recording_fallback->fetch(call), range);
    });
}

} // namespace callscribe::api
