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

// The recording's file: where the worker saved it, else where an earlier fall-back download
// left it, else fetched from Twilio now (when this service may).
std::filesystem::path recording_file(const ApiContext& context, const store::CallLog& call) {
    if (auto path = recording_on_disk(context, call)) return *path;
    if (context.recording_fallback == nullptr) recording_not_on_disk(call);
    if (auto path = context.recording_fallback->cached(call.call_sid)) return *path;
    return context.recording_fallback->fetch(call);
}

} // namespace

net::ServerResponse download_recording(const ApiContext& context, const net::ServerRequest& request,
                                       const PathParams& params) {
    const CallSid sid = call_sid_param(params);
    const store::CallLog call = known_call(context, sid);
    const std::filesystem::path path = recording_file(context, call);
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
    const auto range_header = request.header("range");
    if (!range_header || request.header("if-range")) return response;
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

} // namespace callscribe::api
