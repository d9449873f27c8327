#include "twilio/recording_api.hpp"

#include "audio/decoder.hpp"
#include "net/retry.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <system_error>
#include <unistd.h>

namespace callscribe::twilio {

namespace fs = std::filesystem;

void throw_exception_from_error(const ApiFailure& failure, const boost::source_location&) {
    throw ErrorException(Error{failure.message, failure.kind == ApiFailureKind::transient});
}

namespace {

// Twilio's error bodies: {"code": 20404, "message": "..."} (2010 API) or RFC 9457
// {"title", "detail", "code"} (newer APIs). Empty when the body is neither.
std::string twilio_error_text(const std::string& body) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_object()) return {};
    std::string text;
    for (const char* key : {"message", "detail", "title"}) {
        if (auto it = parsed.find(key); it != parsed.end() && it->is_string()) {
            text = it->get<std::string>();
            break;
        }
    }
    if (auto code = parsed.find("code"); code != parsed.end() && code->is_number_integer()) {
        text = fmt::format("{} (code {})", text, code->get<int>());
    }
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text.size() > 200 ? text.substr(0, 200) + "…" : text;
}

ApiFailure local_failure(std::string message) {
    return ApiFailure{ApiFailureKind::transient, 0, std::nullopt, std::move(message)};
}

// Writes the body to an open file descriptor; an error (a full disk) stops the transfer.
class FileSink final : public net::ByteSink {
  public:
    FileSink(int fd, fs::path path) : m_fd(fd), m_path(std::move(path)) {}
    Result<void> write(std::span<const char> bytes) override {
        while (!bytes.empty()) {
            const ssize_t n = ::write(m_fd, bytes.data(), bytes.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                return fail_retryable(
                    fmt::format("{}: write failed: {}", m_path.string(), std::strerror(errno)));
            }
            bytes = bytes.subspan(static_cast<std::size_t>(n));
            m_bytes += n;
        }
        return {};
    }
    std::int64_t bytes() const { return m_bytes; }

  private:
    int m_fd;
    fs::path m_path;
    std::int64_t m_bytes = 0;
};

// Owns a temporary file: closes it and, unless committed, removes it.
class TempFile {
  public:
    explicit TempFile(fs::path path)
        : m_path(std::move(path)),
          m_fd(::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) {}
    ~TempFile() {
        close();
        if (!m_committed) {
            std::error_code ignored;
            fs::remove(m_path, ignored);
        }
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const { return m_fd; }
    const fs::path& path() const { return m_path; }
    Result<void> sync_and_close() {
        if (::fsync(m_fd) != 0) {
            return fail_retryable(
                fmt::format("{}: fsync failed: {}", m_path.string(), std::strerror(errno)));
        }
        if (::close(std::exchange(m_fd, -1)) != 0) {
            return fail_retryable(
                fmt::format("{}: close failed: {}", m_path.string(), std::strerror(errno)));
        }
        return {};
    }
    void committed() { m_committed = true; }

  private:
    void close() {
        if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
    }
    fs::path m_path;
    int m_fd;
    bool m_committed = false;
};

// Temporary downloads are hidden files named after the call, so that a restarted job can
// sweep what an interrupted one left: ".{CallSid}.{random}.part".
constexpr std::string_view k_temp_suffix = ".part";

void remove_leftovers(const fs::path& dir, const CallSid& call) {
    std::error_code ec;
    const std::string prefix = "." + call.str() + ".";
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(prefix) && name.ends_with(k_temp_suffix)) {
            std::error_code ignored;
            fs::remove(entry.path(), ignored);
        }
    }
}

std::string temp_name(const CallSid& call) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format(".{}.{:016x}{}", call.str(), random(), k_temp_suffix);
}

// Reads the first samples: a body that only looks like audio (an error page, a cut header)
// fails here rather than in the transcriber.
Result<std::string> check_audio(const fs::path& file) {
    auto decoder = audio::open_decoder(file);
    if (!decoder) return decoder.error();
    std::array<float, 4096> samples{};
    auto read = (*decoder)->read(samples);
    if (!read) return read.error();
    if (*read == 0) return fail(fmt::format("{}: no audio in file", file.string()));
    std::string extension = (*decoder)->info().codec == "mp3" ? "mp3" : "wav";
    return Result<std::string>(boost::system::in_place_value, std::move(extension));
}

void sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace

ApiFailure classify_failure(const std::string& url, const Result<net::HttpResponse>& answer) {
    const std::string where = net::redact_url(url);
    if (!answer) {
        // A malformed URL or a refused protocol will fail the same way next time.
        return ApiFailure{answer.error().retryable ? ApiFailureKind::transient
                                                   : ApiFailureKind::rejected,
                          0, std::nullopt, answer.error().message};
    }
    const net::HttpResponse& response = *answer;
    const std::string detail = twilio_error_text(response.body);
    const std::string message =
        detail.empty()
            ? fmt::format("Twilio answered {} for {}", response.status, where)
            : fmt::format("Twilio answered {} for {}: {}", response.status, where, detail);
    ApiFailure failure{ApiFailureKind::rejected, response.status, std::nullopt, message};
    if (response.status == 404) {
        failure.kind = ApiFailureKind::not_found;
    } else if (response.status == 401 || response.status == 403) {
        failure.kind = ApiFailureKind::unauthorized;
    } else if (response.status == 429 || response.status == 408 || response.status >= 500 ||
               response.status < 200 || (response.status >= 300 && response.status < 400)) {
        // 3xx here means a redirect the client would not follow (too many hops): retry later.
        failure.kind = ApiFailureKind::transient;
        failure.retry_after = net::retry_after(response);
    }
    return failure;
}

RecordingApi::RecordingApi(config::TwilioSettings settings, net::HttpClient& http)
    : m_settings(std::move(settings)), m_http(http) {}

net::HttpRequest RecordingApi::request_for(const std::string& url) const {
    net::HttpRequest request{.method = "GET", .url = url};
    // Credentials go to the configured API host only, never to a URL that came from elsewhere.
    if (url.starts_with(m_settings.api_base + "/")) {
        if (!m_settings.api_key.empty()) {
            request.basic_auth = net::BasicAuth{m_settings.api_key, m_settings.api_secret};
        } else {
            request.basic_auth = net::BasicAuth{m_settings.account_sid, m_settings.auth_token};
        }
    }
    return request;
}

template <class T>
ApiResult<T> RecordingApi::parse_answer(const std::string& url,
                                        const Result<net::HttpResponse>& answer,
                                        Result<T> (*parse)(std::string_view)) const {
    if (!answer || answer->status < 200 || answer->status >= 300) {
        return classify_failure(url, answer);
    }
    auto parsed = parse(answer->body);
    if (!parsed) {
        // Twilio answered 2xx with something that is not the resource: a proxy's page, a cut
        // body. Worth another try.
        return local_failure(
            fmt::format("{} from {}", parsed.error().message, net::redact_url(url)));
    }
    return std::move(*parsed);
}

ApiResult<Recording> RecordingApi::fetch(const RecordingSid& recording) const {
    const std::string url =
        fmt::format("{}/2010-04-01/Accounts/{}/Recordings/{}.json", m_settings.api_base,
                    m_settings.account_sid, recording.str());
    return parse_answer<Recording>(url, m_http.send(request_for(url)), &parse_recording);
}

ApiResult<std::vector<Recording>> RecordingApi::list_for_call(const CallSid& call) const {
    const std::string url = fmt::format("{}/2010-04-01/Accounts/{}/Calls/{}/Recordings.json",
                                        m_settings.api_base, m_settings.account_sid, call.str());
    return parse_answer<std::vector<Recording>>(url, m_http.send(request_for(url)),
                                                &parse_recording_list);
}

ApiResult<SavedRecording> RecordingApi::download(const std::string& url, const CallSid& call,
                                                 const fs::path& recordings_dir,
                                                 DownloadLimits limits) const {
    std::error_code ec;
    fs::create_directories(recordings_dir, ec);
    if (ec) {
        return local_failure(
            fmt::format("{}: cannot create folder: {}", recordings_dir.string(), ec.message()));
    }
    remove_leftovers(recordings_dir, call);
    TempFile temp(recordings_dir / temp_name(call));
    if (temp.fd() < 0) {
        return local_failure(
            fmt::format("{}: cannot create: {}", temp.path().string(), std::strerror(errno)));
    }
    FileSink sink(temp.fd(), temp.path());
    net::HttpRequest request = request_for(url);
    request.timeout = limits.total;
    request.stall_timeout = limits.stall;
    const auto answer = m_http.download(request, sink);
    if (!answer || answer->status < 200 || answer->status >= 300) {
        return classify_failure(url, answer);
    }
    const std::string where = net::redact_url(url);
    if (sink.bytes() == 0) {
        return local_failure(
            fmt::format("Twilio answered {} with an empty body for {}", answer->status, where));
    }
    if (auto synced = temp.sync_and_close(); !synced) return local_failure(synced.error().message);
    auto extension = check_audio(temp.path());
    if (!extension) {
        return local_failure(fmt::format(
            "{} answered {} ({}) with a body that is not audio: {}", where, answer->status,
            answer->header("content-type").value_or("no type"), extension.error().message));
    }
    const fs::path destination = recordings_dir / fmt::format("{}.{}", call.str(), *extension);
    fs::rename(temp.path(), destination, ec);
    if (ec) {
        return local_failure(
            fmt::format("{}: cannot rename into place: {}", destination.string(), ec.message()));
    }
    temp.committed();
    sync_directory(recordings_dir);
    return SavedRecording{destination, sink.bytes(), answer->status};
}

} // namespace callscribe::twilio
