#include "fakes/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace callscribe::fakes {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The value of `key=` in a header such as `form-data; name="file"; filename="a.mp3"`.
std::optional<std::string> parameter(std::string_view header, std::string_view key) {
    std::size_t at = 0;
    while ((at = header.find(';', at)) != std::string_view::npos) {
        ++at;
        std::string_view rest = trim(header.substr(at));
        const auto eq = rest.find('=');
        if (eq == std::string_view::npos) continue;
        if (lower(trim(rest.substr(0, eq))) != key) continue;
        rest = rest.substr(eq + 1);
        if (rest.starts_with('"')) {
            const auto close = rest.find('"', 1);
            if (close == std::string_view::npos) return std::nullopt;
            return std::string(rest.substr(1, close - 1));
        }
        return std::string(trim(rest.substr(0, rest.find(';'))));
    }
    return std::nullopt;
}

} // namespace

std::optional<std::vector<MultipartPart>> parse_multipart(std::string_view content_type,
                                                          std::string_view body) {
    if (!lower(content_type).starts_with("multipart/form-data")) return std::nullopt;
    const auto boundary = parameter(content_type, "boundary");
    if (!boundary || boundary->empty()) return std::nullopt;
    const std::string delimiter = "--" + *boundary;

    if (!body.starts_with(delimiter)) return std::nullopt;
    std::size_t at = delimiter.size();
    std::vector<MultipartPart> parts;
    for (;;) {
        if (body.substr(at, 2) == "--") return parts; // the closing delimiter
        if (body.substr(at, 2) != "\r\n") return std::nullopt;
        at += 2;
        const auto headers_end = body.find("\r\n\r\n", at);
        if (headers_end == std::string_view::npos) return std::nullopt;
        const auto next = body.find("\r\n" + delimiter, headers_end + 4);
        if (next == std::string_view::npos) return std::nullopt;

        MultipartPart part;
        bool has_disposition = false;
        std::string_view headers = body.substr(at, headers_end - at);
        while (!headers.empty()) {
            const auto eol = std::min(headers.find("\r\n"), headers.size());
            const std::string_view line = headers.substr(0, eol);
            headers = headers.substr(std::min(eol + 2, headers.size()));
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) return std::nullopt;
            const std::string name = lower(trim(line.substr(0, colon)));
            const std::string_view value = trim(line.substr(colon + 1));
            if (name == "content-disposition") {
                if (!lower(value).starts_with("form-data")) return std::nullopt;
                const auto field = parameter(value, "name");
                if (!field) return std::nullopt;
                part.name = *field;
                part.filename = parameter(value, "filename");
                has_disposition = true;
            } else if (name == "content-type") {
                part.content_type = std::string(value);
            }
        }
        if (!has_disposition) return std::nullopt;
        part.data = std::string(body.substr(headers_end + 4, next - headers_end - 4));
        parts.push_back(std::move(part));
        at = next + 2 + delimiter.size();
    }
}

const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name) {
    const auto it = std::ranges::find(parts, name, &MultipartPart::name);
    return it == parts.end() ? nullptr : &*it;
}

} // namespace callscribe::fakes
