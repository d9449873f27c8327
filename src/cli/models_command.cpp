#include "cli/models_command.hpp"

#include "cli/progress_bar.hpp"
#include "net/curl/curl_http_client.hpp"
#include "stt/whisper/model_catalog.hpp"
#include "stt/whisper/model_fetch.hpp"
#include "stt/whisper/model_file.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace callscribe::cli {
namespace {

double mb(std::uint64_t bytes) {
    return double(bytes) / 1e6;
}

int list() {
    fmt::print("{:<20} {:>8}  {:<64}  {}\n", "name", "MB", "sha256", "suits");
    for (const auto& m : stt::whisper::known_models())
        fmt::print("{:<20} {:>8.1f}  {:<64}  {}\n", m.name, mb(m.bytes), m.sha256, m.suits);
    fmt::print("\ncallscribe models fetch NAME downloads one; base.en is the recommended start.\n");
    return 0;
}

// One line on stderr, redrawn at most ten times a second: percent, megabytes and speed.
class DownloadLine {
  public:
    DownloadLine(bool enabled, std::string name) : m_enabled(enabled), m_name(std::move(name)) {}
    ~DownloadLine() {
        if (m_drawn) std::fputs("\n", stderr);
    }
    void update(std::uint64_t done, std::uint64_t total) {
        if (!m_enabled) return;
        const auto now = std::chrono::steady_clock::now();
        if (!m_started) {
            m_started = true;
            m_start = now;
            m_start_bytes = done;
        }
        if (done < total && now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        const double seconds = std::chrono::duration<double>(now - m_start).count();
        const double rate = seconds > 0 ? mb(done - m_start_bytes) / seconds : 0;
        fmt::print(stderr, "\r{} {:3.0f} % {:.1f}/{:.1f} MB {:.1f} MB/s   ", m_name,
                   total ? 100.0 * double(done) / double(total) : 0.0, mb(done), mb(total), rate);
        std::fflush(stderr);
        m_drawn = true;
    }

  private:
    bool m_enabled;
    std::string m_name;
    bool m_started = false, m_drawn = false;
    std::chrono::steady_clock::time_point m_start{}, m_last{};
    std::uint64_t m_start_bytes = 0;
};

int fetch(const ModelsOptions& options, const config::Config& config) {
    const auto model = stt::whisper::find_known_model(options.name);
    if (!model) {
        fmt::print(stderr,
                   "callscribe: models fetch {}: unknown model (callscribe models list "
                   "shows the known ones)\n",
                   options.name);
        return 2;
    }
    const auto dir = options.dir.value_or(config.storage.data_dir / "models");
    net::curl::CurlHttpClient http;
    stt::whisper::FetchResult result;
    {
        DownloadLine line(options.progress && ProgressBar::stderr_is_terminal(),
                          model->file_name());
        auto fetched = stt::whisper::fetch_model(
            *model, config.stt.model_base_url, dir, http,
            [&](std::uint64_t done, std::uint64_t total) { line.update(done, total); });
        if (!fetched) {
            fmt::print(stderr, "callscribe: {}\n", fetched.error().message);
            return 1;
        }
        result = *fetched;
    }
    if (result.already_there) {
        fmt::print("{} is there already (SHA-256 verified)\n", result.file.string());
    } else {
        fmt::print("{}: {:.1f} MB, SHA-256 verified{}\n", result.file.string(), mb(model->bytes),
                   result.resumed_from
                       ? fmt::format(" (resumed at {:.1f} MB)", mb(result.resumed_from))
                       : "");
    }
    fmt::print("use it with: CALLSCRIBE_STT_ENGINE=whisper CALLSCRIBE_WHISPER_MODEL={}\n",
               result.file.string());
    return 0;
}

int verify(const std::filesystem::path& file) {
    auto info = stt::whisper::inspect_model_file(file);
    if (!info) {
        fmt::print(stderr, "callscribe: {}\n", info.error().message);
        return 1;
    }
    fmt::print("{}: a Whisper model ({}, {}, {} weights, {} tensors, {:.1f} MB)\n", file.string(),
               info->size_name, info->multilingual ? "multilingual" : "English-only",
               info->weight_type, info->tensors, mb(info->bytes));
    // A file named as a published one must be that file, byte for byte.
    for (const auto& known : stt::whisper::known_models()) {
        if (file.filename() != known.file_name()) continue;
        auto sha = stt::whisper::sha256_of_file(file);
        if (!sha) {
            fmt::print(stderr, "callscribe: {}\n", sha.error().message);
            return 1;
        }
        if (*sha != known.sha256 || info->bytes != known.bytes) {
            fmt::print(stderr, "callscribe: {}: not the published {} (SHA-256 {}, expected {})\n",
                       file.string(), known.name, *sha, known.sha256);
            return 1;
        }
        fmt::print("{}: SHA-256 matches the published {}\n", file.string(), known.name);
    }
    return 0;
}

int make_test_model(const ModelsOptions& options) {
    stt::whisper::TestModelShape shape;
    shape.state = options.state;
    shape.layers = options.layers;
    shape.heads = options.heads;
    shape.multilingual = options.multilingual;
    if (auto written = stt::whisper::write_test_model(options.file, shape); !written) {
        fmt::print(stderr, "callscribe: {}\n", written.error().message);
        return 2;
    }
    fmt::print("{}: a test model with random weights (it runs; its words mean nothing)\n",
               options.file.string());
    return 0;
}

} // namespace

int run_models(const ModelsOptions& options, const config::Config& config) {
    if (options.action == "list") return list();
    if (options.action == "fetch") return fetch(options, config);
    if (options.action == "verify") return verify(options.file);
    if (options.action == "make-test-model") return make_test_model(options);
    fmt::print(stderr, "callscribe: models: expected list, fetch, verify or make-test-model\n");
    return 2;
}

} // namespace callscribe::cli
