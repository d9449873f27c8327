#include "net/curl/curl_http_client.hpp"

#include "core/text.hpp"
#include "net/curl/redirect.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <system_error>

namespace callscribe::net::curl {

namespace {

struct EasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct MimeDeleter {
    void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using Mime = std::unique_ptr<curl_mime, MimeDeleter>;

using Clock = std::chrono::steady_clock;

void global_init_once() {
    static std::once_flag once;
    std::call_once(once,
                   [] { CALLSCRIBE_ASSERT(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK); });
}

void append(Slist& list, const std::string& line) {
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    CALLSCRIBE_ASSERT(grown != nullptr);
    (void)list.release(); // `grown` is the same list with one more node
    list.reset(grown);
}

std::string seconds_text(Seconds seconds) {
    return fmt::format("{:g}s", seconds.count());
}

// What one hop of a transfer collects; curl's callbacks write into it.
struct Transfer {
    ByteSink* sink = nullptr;
    int status = 0;
    Headers headers;
    std::string body;
    std::optional<Error> sink_error;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    const std::string_view line = trim_whitespace(std::string_view(data, size * count));
    if (line.starts_with("HTTP/")) {
        // A new status line (after "100 Continue", say) starts a new set of headers.
        transfer.headers.clear();
        const auto space = line.find(' ');
        transfer.status = space == std::string_view::npos ? 0 : std::atoi(line.data() + space + 1);
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        transfer.headers.emplace_back(ascii_lower(trim_whitespace(line.substr(0, colon))),
                                      std::string(trim_whitespace(line.substr(colon + 1))));
    }
    return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    const size_t length = size * count;
    if (transfer.sink == nullptr) {
        transfer.body.append(data, length);
    } else if (transfer.status >= 200 && transfer.status < 300) {
        auto written = transfer.sink->write(std::span<const char>(data, length));
        if (!written) {
            transfer.sink_error = written.error();
            return 0; // anything but `length` makes curl stop with CURLE_WRITE_ERROR
        }
    } else {
        const size_t room = CurlHttpClient::k_error_body_limit - transfer.body.size();
        transfer.body.append(data, std::min(length, room));
    }
    return length;
}

Error transport_error(CURLcode code, const char* detail, const std::string& url,
                      const HttpRequest& request, bool connected, bool stalled) {
    const std::string where = redact_url(url);
    if (code == CURLE_OPERATION_TIMEDOUT) {
        if (!connected) {
            return fail_retryable(fmt::format("connect timed out after {}: {}",
                                              seconds_text(request.connect_timeout), where));
        }
        if (stalled) {
            return fail_retryable(fmt::format("no data for {}, gave up: {}",
                                              seconds_text(request.stall_timeout), where));
        }
        return fail_retryable(
            fmt::format("timed out after {}: {}", seconds_text(request.timeout), where));
    }
    const std::string what = *detail != '\0' ? detail : curl_easy_strerror(code);
    const bool retryable = code != CURLE_URL_MALFORMAT && code != CURLE_UNSUPPORTED_PROTOCOL &&
                           code != CURLE_READ_ERROR && code != CURLE_BAD_FUNCTION_ARGUMENT;
    return Error{fmt::format("{}: {}", what, where), retryable};
}

long milliseconds(Seconds seconds) {
    return std::max(
        1L, static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(seconds).count()));
}

} // namespace

CurlHttpClient::CurlHttpClient() {
    global_init_once();
}

Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request) {
    return perform(request, nullptr);
}

Result<HttpResponse> CurlHttpClient::download(const HttpRequest& request, ByteSink& sink) {
    return perform(request, &sink);
}

Result<HttpResponse> CurlHttpClient::perform(const HttpRequest& request, ByteSink* sink) {
    for (const auto& part : request.form) {
        std::error_code ec;
        if (part.file && !std::filesystem::is_regular_file(*part.file, ec)) {
            return fail(fmt::format("cannot read upload file {}", part.file->string()));
        }
    }
    if (!is_http_url(request.url)) {
        return fail(fmt::format("not an http(s) URL: {}", redact_url(request.url)));
    }

    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(request.timeout);
    Hop current{.url = request.url, .method = request.method};

    for (int hop = 0;; ++hop) {
        const Seconds remaining = deadline - Clock::now();
        if (remaining <= Seconds::zero()) {
            return fail_retryable(fmt::format(
                "timed out after {}: {}", seconds_text(request.timeout), redact_url(current.url)));
        }

        // The header list and the MIME body must outlive the easy handle that points at them.
        Slist headers;
        Mime mime;
        EasyHandle easy(curl_easy_init());
        CALLSCRIBE_ASSERT(easy != nullptr);
        CURL* handle = easy.get();
        char detail[CURL_ERROR_SIZE] = {};
        Transfer transfer;
        transfer.sink = sink;

        curl_easy_setopt(handle, CURLOPT_URL, current.url.c_str());
        curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
        curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L); // threads: no SIGALRM for DNS timeouts
        curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L); // redirects: see the loop's end
        curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, milliseconds(remaining));
        curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                         milliseconds(std::min(request.connect_timeout, remaining)));
        if (request.stall_timeout > Seconds::zero()) {
            // curl's low-speed check: less than 1 byte/s for this many whole seconds.
            curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
            curl_easy_setopt(
                handle, CURLOPT_LOW_SPEED_TIME,
                std::max(1L, static_cast<long>(std::ceil(request.stall_timeout.count()))));
        }
        curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
        curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);

        for (const auto& [name, value] : request.headers) {
            if (!current.with_credentials && ascii_lower(name) == "authorization") continue;
            append(headers, fmt::format("{}: {}", name, value));
        }
        if (current.with_credentials && request.bearer_token) {
            append(headers, "Authorization: Bearer " + request.bearer_token->reveal());
        }
        // Without this curl holds bodies over 1 MiB for a "100 Continue" that many servers never
        // send.
        append(headers, "Expect:");
        curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());

        if (current.with_credentials && request.basic_auth) {
            // CURLOPT_UNRESTRICTED_AUTH stays off, so curl itself would never hand these to
            // another host; we follow redirects ourselves and drop them on a change of origin.
            curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
            curl_easy_setopt(handle, CURLOPT_USERNAME, request.basic_auth->user.c_str());
            curl_easy_setopt(handle, CURLOPT_PASSWORD,
                             request.basic_auth->password.reveal().c_str());
        }

        if (current.with_body && !request.form.empty()) {
            mime.reset(curl_mime_init(handle));
            CALLSCRIBE_ASSERT(mime != nullptr);
            for (const auto& part : request.form) {
                curl_mimepart* mime_part = curl_mime_addpart(mime.get());
                CALLSCRIBE_ASSERT(mime_part != nullptr);
                curl_mime_name(mime_part, part.name.c_str());
                if (part.file) {
                    // Streamed from disk while sending; the file is never read into memory.
                    if (curl_mime_filedata(mime_part, part.file->c_str()) != CURLE_OK) {
                        return fail(fmt::format("cannot read upload file {}", part.file->string()));
                    }
                    if (!part.filename.empty())
                        curl_mime_filename(mime_part, part.filename.c_str());
                    curl_mime_type(mime_part, part.content_type.empty()
                                                  ? "application/octet-stream"
                                                  : part.content_type.c_str());
                } else {
                    curl_mime_data(mime_part, part.value.data(), part.value.size());
                    if (!part.content_type.empty())
                        curl_mime_type(mime_part, part.content_type.c_str());
                }
            }
            curl_easy_setopt(handle, CURLOPT_MIMEPOST, mime.get());
            if (current.method != "POST")
                curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, current.method.c_str());
        } else if (current.method == "GET") {
            curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
        } else if (current.method == "HEAD") {
            curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
        } else {
            if (current.method != "POST")
                curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, current.method.c_str());
            if (current.method == "POST" || (current.with_body && !request.body.empty())) {
                const std::string_view body = current.with_body ? request.body : std::string_view{};
                curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                                 static_cast<curl_off_t>(body.size()));
                curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
            }
        }

        const CURLcode code = curl_easy_perform(handle);
        if (transfer.sink_error) return *transfer.sink_error;
        if (code != CURLE_OK) {
            curl_off_t connect_us = 0;
            curl_easy_getinfo(handle, CURLINFO_CONNECT_TIME_T, &connect_us);
            // Timed out well before the deadline: the low-speed check ended it.
            const bool stalled =
                request.stall_timeout > Seconds::zero() && Clock::now() + Seconds{1} < deadline;
            return transport_error(code, detail, current.url, request, connect_us > 0, stalled);
        }

        long status = 0;
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
        char* location = nullptr;
        curl_easy_getinfo(handle, CURLINFO_REDIRECT_URL, &location);
        if (request.follow_redirects) {
            auto next = next_hop(current, static_cast<int>(status), location, request.url);
            if (!next) return next.error();
            if (*next) {
                if (hop == k_max_redirects) {
                    // A loop may be a passing misconfiguration of a CDN: worth a later try.
                    return fail_retryable(fmt::format("more than {} redirects from {}",
                                                      k_max_redirects, redact_url(request.url)));
                }
                current = std::move(**next);
                continue;
            }
        }

        char* effective = nullptr;
        curl_easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &effective);
        HttpResponse response;
        response.status = static_cast<int>(status);
        response.headers = std::move(transfer.headers);
        response.body = std::move(transfer.body);
        response.effective_url = effective != nullptr ? effective : current.url;
        return response;
    }
}

} // namespace callscribe::net::curl
