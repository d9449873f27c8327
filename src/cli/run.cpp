#include "cli/run.hpp"

#include "cli/process_command.hpp"
#include "cli/sandbox_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/transcribe_command.hpp"
#include "cli/worker_command.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "net/curl/curl_http_client.hpp"
#include "stt/engines.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#ifndef CALLSCRIBE_VERSION
#define CALLSCRIBE_VERSION "dev"
#endif

namespace callscribe::cli {
namespace {

std::string version_text() {
    std::string engines;
    for (auto name : stt::engine_names())
        engines += (engines.empty() ? "" : ", ") + std::string(name);
    return fmt::format("callscribe {}\nspeech engines: {}\n", CALLSCRIBE_VERSION, engines);
}

} // namespace

int run(int argc, char** argv) {
    CLI::App app{"callscribe: durable offline transcripts of Twilio call recordings"};
    bool print_config = false;
    app.add_flag("--print-config", print_config,
                 "Print the configuration in effect (secrets as ***) and exit");
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", version_text());
    std::optional<std::string> config_file;
    bool verbose = false;
    app.add_option("--config", config_file, "TOML file with the same keys as the environment")
        ->check(CLI::ExistingFile);
    app.add_flag("-v,--verbose", verbose, "Log debug detail");

    TranscribeOptions transcribe;
    std::string engine_override;
    bool no_progress = false;
    auto* transcribe_cmd = app.add_subcommand("transcribe", "Transcribe local audio files");
    transcribe_cmd->add_option("files", transcribe.files, "MP3 or WAV recordings")->required();
    transcribe_cmd->add_option("--format", transcribe.format, "txt, json, srt or vtt")
        ->check(CLI::IsMember({"txt", "json", "srt", "vtt"}));
    transcribe_cmd->add_option("--engine", engine_override, "pocketsphinx or openai")
        ->check(CLI::IsMember({"pocketsphinx", "openai"}));
    transcribe_cmd->add_option("-o,--output-dir", transcribe.output_dir,
                               "Write one transcript file per input into this folder");
    transcribe_cmd->add_option("-j,--jobs", transcribe.jobs,
                               "Files transcribed at once (default CALLSCRIBE_WORKERS)");
    transcribe_cmd->add_flag("--no-progress", no_progress, "No progress bar");

    // The service's commands; their options are parsed now so that usage errors exit 2.
    ServeOptions serve;
    ProcessOptions process;
    SandboxOptions sandbox;
    auto* serve_cmd = app.add_subcommand("serve", "HTTP API, Twilio callbacks and workers");
    serve_cmd->add_flag("--sandbox", serve.sandbox, "Embedded Twilio emulator and a demo call");
    auto* worker_cmd = app.add_subcommand("worker", "Workers only (many workers, one database)");
    auto* process_cmd = app.add_subcommand("process", "Run the offline job for calls now");
    process_cmd->add_option("calls", process.calls, "Call SIDs (CA...)")->required();
    process_cmd->add_option("--recording", process.recordings,
                            "Recording SIDs (RE...), one per call in the same order");
    auto* sandbox_cmd = app.add_subcommand("sandbox", "Twilio-compatible emulator");
    sandbox_cmd
        ->add_option("--listen", sandbox.listen,
                     "host:port or [v6]:port to listen on; port 0 picks one")
        ->capture_default_str();
    sandbox_cmd->add_option("--storage-listen", sandbox.storage_listen,
                            "Serve recording media from a second listener (another \"host\")");
    sandbox_cmd->add_option("--account-sid", sandbox.account_sid,
                            "Account SID to emulate (default: a fixed test account)");
    sandbox_cmd->add_option("--auth-token", sandbox.auth_token,
                            "Auth token to accept (default: a fixed test token)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    log().set_level(verbose ? spdlog::level::debug : spdlog::level::info);

    config::Config config;
    try {
        std::optional<std::filesystem::path> file;
        if (config_file) file = *config_file;
        auto env = config::process_environment();
        if (!engine_override.empty()) env["CALLSCRIBE_STT_ENGINE"] = engine_override;
        config = config::load_config(env, file);
    } catch (const config::ConfigError& e) {
        fmt::print(stderr, "callscribe: {}\n", e.what());
        return 2;
    }

    if (print_config) {
        fmt::print("{}", config::describe(config));
        return 0;
    }
    if (*transcribe_cmd) {
        auto engine = stt::make_engine(config.stt, std::make_shared<net::curl::CurlHttpClient>());
        if (!engine) {
            fmt::print(stderr, "callscribe: {}\n", engine.error().message);
            return 2;
        }
        if (transcribe_cmd->count("--jobs") == 0) transcribe.jobs = config.jobs.workers;
        transcribe.progress = !no_progress;
        return run_transcribe(transcribe, **engine);
    }
    if (*process_cmd) return run_process(process, config);
    if (*worker_cmd) return run_worker(config);
    if (*sandbox_cmd) return run_sandbox(sandbox);
    if (*serve_cmd) return run_serve(serve, config);
    fmt::print(stderr, "{}", app.help());
    return 2;
}

} // namespace callscribe::cli
