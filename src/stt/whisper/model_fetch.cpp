#include "stt/whisper/model_fetch.hpp"

#include "core/file_sync.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

namespace callscribe::stt::whisper {
namespace {

struct FileClose {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileClose>;

// Appends the body to the `.part` file, counting and reporting.
class PartFileSink final : public net::ByteSink {
  public:
    PartFileSink(std::FILE* file, std::uint64_t done, std::uint64_t total,
                 const FetchProgress& progress)
        : m_file(file), m_done(done), m_total(total), m_progress(progress) {}

    Result<void> write(std::span<const char> bytes) override {
        if (std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size())
            return fail("cannot write the downloaded model (disk full?)");
        m_done += bytes.size();
        m_written += bytes.size();
        if (m_progress) m_progress(m_done, m_total);
        return {};
    }
    std::uint64_t written() const { return m_written; }

  private:
    std::FILE* m_file;
    std::uint64_t m_done, m_total, m_written = 0;
    const FetchProgress& m_progress;
};

Result<void> sync_and_rename(const std::filesystem::path& from, const std::filesystem::path& to) {
    int fd = ::open(from.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return fail(fmt::format("{}: cannot sync the downloaded model", from.string()));
    }
    ::close(fd);
    std::error_code ec;
    std::filesystem::rename(from, to, ec);
    if (ec) return fail(fmt::format("{}: cannot rename into place: {}", to.string(), ec.message()));
    sync_directory(to.parent_path());
    return {};
}

} // namespace

Result<std::string> sha256_of_file(const std::filesystem::path& file) {
    FilePtr in(std::fopen(file.c_str(), "rb"));
    if (!in) return fail(fmt::format("{}: cannot open", file.string()));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        return fail("SHA-256 is not available");
    std::vector<unsigned char> buffer(1 << 20);
    for (;;) {
        const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get());
        if (n > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), n);
        if (n < buffer.size()) break;
    }
    if (std::ferror(in.get())) return fail(fmt::format("{}: read error", file.string()));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return Result<std::string>(boost::system::in_place_value, std::move(hex));
}

Result<FetchResult> fetch_model(const KnownModel& model, std::string_view base_url,
                                const std::filesystem::path& dir, net::HttpClient& http,
                                const FetchProgress& progress) {
    FetchResult result;
    result.file = dir / model.file_name();
    std::filesystem::path part = result.file;
    part += ".part";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return fail(fmt::format("{}: cannot create the folder: {}", dir.string(), ec.message()));

    if (std::filesystem::is_regular_file(result.file, ec) &&
        std::filesystem::file_size(result.file, ec) == model.bytes) {
        auto sha = sha256_of_file(result.file);
        if (sha && *sha == model.sha256) {
            result.already_there = true;
            return result;
        }
    }

    std::uint64_t have =
        std::filesystem::is_regular_file(part, ec) ? std::filesystem::file_size(part, ec) : 0;
    if (have > model.bytes) have = 0; // not a prefix of this file: start over
    std::string url(base_url);
    while (url.ends_with('/'))
        url.pop_back();
    url += "/" + model.file_name();
    const std::string shown = net::redact_url(url);

    if (have < model.bytes) {
        net::HttpRequest request{.method = "GET", .url = url};
        request.timeout = Seconds{6 * 3600}; // a large model on a slow line
        request.stall_timeout = Seconds{60};
        if (have > 0) request.headers.emplace_back("Range", fmt::format("bytes={}-", have));
        FilePtr out(std::fopen(part.c_str(), have > 0 ? "ab" : "wb"));
        if (!out) return fail(fmt::format("{}: cannot write", part.string()));
        PartFileSink sink(out.get(), have, model.bytes, progress);
        auto response = http.download(request, sink);
        const bool flushed = std::fflush(out.get()) == 0;
        if (!response)
            return fail(fmt::format("{}: download interrupted after {} of {} bytes ({}); run the "
                                    "same command again to resume",
                                    shown, have + sink.written(), model.bytes,
                                    response.error().message));
        if (response->status == 200 && have > 0) {
            // The server ignored the Range: what it sent is the whole file from the start.
            out.reset();
            std::filesystem::remove(part, ec);
            return fetch_model(model, base_url, dir, http, progress);
        }
        if (response->status != 200 && response->status != 206)
            return fail(fmt::format("{} answered {}", shown, response->status));
        if (!flushed) return fail(fmt::format("{}: cannot write (disk full?)", part.string()));
        result.resumed_from = have;
        result.downloaded = sink.written();
    }

    const std::uint64_t size = std::filesystem::file_size(part, ec);
    auto sha = sha256_of_file(part);
    if (!sha) return sha.error();
    if (size != model.bytes || *sha != model.sha256) {
        std::filesystem::remove(part, ec);
        return fail(fmt::format("{}: the download does not match (size {}, expected {}; SHA-256 "
                                "{}, expected {}); it was removed",
                                shown, size, model.bytes, *sha, model.sha256));
    }
    if (auto renamed = sync_and_rename(part, result.file); !renamed) return renamed.error();
    return result;
}

} // namespace callscribe::stt::whisper
