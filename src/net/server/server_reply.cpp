#include "net/server/server_reply.hpp"

#include <fmt/format.h>

namespace callscribe::net {

std::optional<std::string> open_file_body(Reply& reply) {
    if (!reply.response.file) return std::nullopt;
    const FileBody& body = *reply.response.file;
    boost::beast::file file;
    boost::system::error_code ec;
    file.open(body.path.c_str(), boost::beast::file_mode::scan, ec);
    const std::uint64_t size = ec ? 0 : file.size(ec);
    if (ec) return ec.message();
    const std::uint64_t length = body.offset <= size ? body.length.value_or(size - body.offset) : 0;
    if (body.offset > size || length > size - body.offset)
        return "range beyond the end of the file";
    if (length > 0) file.seek(body.offset, ec);
    if (ec) return ec.message();
    if (reply.response.status == 206 && !reply.response.header("content-range")) {
        reply.response.headers.emplace_back(
            "Content-Range", length == 0 ? fmt::format("bytes */{}", size)
                                         : fmt::format("bytes {}-{}/{}", body.offset,
                                                       body.offset + length - 1, size));
    }
    reply.file = std::move(file);
    reply.offset = body.offset;
    reply.length = length;
    return std::nullopt;
}

} // namespace callscribe::net
