#include "twilio/media_download.hpp"

#include "core/file_sync.hpp"

#include "audio/decoder.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <system_error>
#include <unistd.h>

namespace callscribe::twilio {

namespace fs = std::filesystem;

namespace {

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

} // namespace

MediaDownload::MediaDownload(const RecordingApi& api, fs::path recordings_dir)
    : m_api(api), m_dir(std::move(recordings_dir)) {}

ApiResult<SavedRecording> MediaDownload::form(const std::string& media_url, std::size_t form,
                                              const CallSid& call, DownloadLimits limits) const {
    CALLSCRIBE_ASSERT(form < k_media_suffixes.size());
    const std::string url = media_url + std::string(k_media_suffixes[form]);
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    if (ec) {
        return transient_failure(
            fmt::format("{}: cannot create folder: {}", m_dir.string(), ec.message()));
    }
    remove_leftovers(m_dir, call);
    TempFile temp(m_dir / temp_name(call));
    if (temp.fd() < 0) {
        return transient_failure(
            fmt::format("{}: cannot create: {}", temp.path().string(), std::strerror(errno)));
    }
    FileSink sink(temp.fd(), temp.path());
    const auto answer = m_api.get_media(url, sink, limits);
    if (!answer || answer->status < 200 || answer->status >= 300) {
        return classify_failure(url, answer);
    }
    const std::string where = net::redact_url(url);
    if (sink.bytes() == 0) {
        return transient_failure(
            fmt::format("Twilio answered {} with an empty body for {}", answer->status, where));
    }
    if (auto synced = temp.sync_and_close(); !synced) {
        return transient_failure(synced.error().message);
    }
    auto extension = check_audio(temp.path());
    if (!extension) {
        return transient_failure(fmt::format(
            "{} answered {} ({}) with a body that is not audio: {}", where, answer->status,
            answer->header("content-type").value_or("no type"), extension.error().message));
    }
    const fs::path destination = m_dir / fmt::format("{}.{}", call.str(), *extension);
    fs::rename(temp.path(), destination, ec);
    if (ec) {
        return transient_failure(
            fmt::format("{}: cannot rename into place: {}", destination.string(), ec.message()));
    }
    temp.committed();
    sync_directory(m_dir);
    return SavedRecording{destination, sink.bytes(), answer->status};
}

ApiResult<SavedRecording> MediaDownload::first_available(const std::string& media_url,
                                                         const CallSid& call,
                                                         const LimitsSource& limits,
                                                         const TryObserver& trying) const {
    ApiResult<SavedRecording> saved = transient_failure("no media URL form was tried");
    for (std::size_t form = 0; form < k_media_suffixes.size(); ++form) {
        const auto budget = limits();
        if (!budget) {
            return transient_failure(fmt::format(
                "no time left to download the recording of {} from Twilio", call.str()));
        }
        if (trying) trying(form, media_url + std::string(k_media_suffixes[form]));
        saved = this->form(media_url, form, call, *budget);
        if (saved || saved.error().kind != ApiFailureKind::not_found) return saved;
    }
    return saved;
}

} // namespace callscribe::twilio
