#include "cli/run.hpp"

#include "cli/models_command.hpp"
#include "cli/process_command.hpp"
#include "cli/sandbox_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/transcribe_command.hpp"
#include "cli/worker_command.hpp"
#include "config/config.hpp"
#include "config/raw_values.hpp"
#include "core/log.hpp"
#include "net/curl/curl_http_client.hpp"
#include "stt/engines.hpp"
#include "stt/whisper/whisper_engine.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fmt/ranges.h>
#include <thread>

#include <cstdio>

#ifndef CALLSCRIBE_VERSION
#define CALLSCRIBE_VERSION "dev"
#endif

namespace callscribe::cli {
namespace {

std::string version_text() {
    std::string engines;
    for (const auto& engine : stt::engines())
        engines += fmt::format("\n  {:<13} {}", engine.name, engine.description);
    return fmt::format("callscribe {}\nspeech engines:{}\nwhisper.cpp {}\n", CALLSCRIBE_VERSION,
                       engines, stt::whisper::whisper_version());
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
    transcribe_cmd
        ->add_option("files", transcribe.files,
                     "Recordings (MP3, WAV, and any audio or video file FFmpeg reads), folders of "
                     "them, or - for standard input")
        ->required();
    transcribe_cmd->add_flag("-r,--recursive", transcribe.recursive,
                             "Also transcribe the files in the folders' subfolders");
    transcribe_cmd
        ->add_option("--format", transcribe.format,
                     "txt, json, srt, vtt, or all (a file of each, with -o)")
        ->check(CLI::IsMember({"txt", "json", "srt", "vtt", "all"}))
        ->capture_default_str();
    transcribe_cmd
        ->add_option("--max-line-length", transcribe.subtitles.max_line_length,
                     "SRT and WebVTT: characters a line, 10 to 200")
        ->check(CLI::Range(10, 200))
        ->capture_default_str();
    transcribe_cmd
        ->add_option("--max-line-count", transcribe.subtitles.max_line_count,
                     "SRT and WebVTT: lines a cue, 1 to 10")
        ->check(CLI::Range(1, 10))
        ->capture_default_str();
    std::string model_override, prompt_override;
    transcribe_cmd
        ->add_option("--engine", engine_override,
                     fmt::format("{} (default CALLSCRIBE_STT_ENGINE, else pocketsphinx)",
                                 fmt::join(stt::engine_names(), ", ")))
        ->check(CLI::IsMember(stt::engine_names()));
    transcribe_cmd->add_option("--model", model_override,
                               "Whisper model file (instead of CALLSCRIBE_WHISPER_MODEL)");
    transcribe_cmd->add_option(
        "--prompt", prompt_override,
        "Initial prompt: names and products (instead of CALLSCRIBE_STT_PROMPT)");
    std::string language_override, preset_override, threads_override;
    transcribe_cmd->add_option("--language", language_override,
                               "Language of the recordings, ISO 639-1 or auto (default "
                               "CALLSCRIBE_STT_LANGUAGE, else en)");
    transcribe_cmd
        ->add_option("--preset", preset_override,
                     "PocketSphinx: fast or accurate (default CALLSCRIBE_PS_PRESET, else fast)")
        ->check(CLI::IsMember({"fast", "accurate"}));
    transcribe_cmd
        ->add_option("--threads", threads_override,
                     "Whisper: threads per channel, 1 to 256 (default "
                     "CALLSCRIBE_WHISPER_THREADS, else cores / jobs)")
        ->check(CLI::Range(1, 256));
    transcribe_cmd->add_option("-o,--output-dir", transcribe.output_dir,
                               "Write one transcript file per input into this folder");
    const int max_jobs = 4 * static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    transcribe_cmd
        ->add_option(
            "-j,--jobs", transcribe.jobs,
            fmt::format(
                "Files transcribed at once, 1 to {} (default CALLSCRIBE_WORKERS, else the cores)",
                max_jobs))
        ->check(CLI::Range(1, max_jobs));
    transcribe_cmd
        ->add_option("--progress", transcribe.progress,
                     "auto (a bar on a terminal), bar, plain (a line per file, for logs) or none")
        ->check(CLI::IsMember({"auto", "bar", "plain", "none"}))
        ->capture_default_str();
    bool quiet = false;
    transcribe_cmd->add_flag("-q,--quiet", quiet, "No progress and no summary (errors only)");
    transcribe_cmd->add_flag("--no-progress", no_progress, "The same as --progress=none");

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

    ModelsOptions models;
    auto* models_cmd = app.add_subcommand("models", "Whisper model files: list, fetch, verify");
    models_cmd->require_subcommand(1);
    models_cmd->add_subcommand("list", "The known models: name, size, SHA-256, what each suits");
    auto* fetch_cmd = models_cmd->add_subcommand(
        "fetch", "Download a known model (resumable) and verify its SHA-256");
    fetch_cmd->add_option("name", models.name, "e.g. base.en")->required();
    fetch_cmd->add_option("--dir", models.dir, "Folder to save into (default DATA_DIR/models)");
    fetch_cmd->add_flag("--no-progress", no_progress, "No progress line");
    auto* verify_cmd = models_cmd->add_subcommand("verify", "Check a model file");
    verify_cmd->add_option("file", models.file, "A ggml model file")->required();
    auto* make_cmd = models_cmd->add_subcommand(
        "make-test-model", "Write a tiny model with random weights (runs, means nothing)");
    make_cmd->add_option("file", models.file, "Where to write it")->required();
    make_cmd->add_option("--state", models.state, "Width (default 64)")->check(CLI::Range(8, 1024));
    make_cmd->add_option("--layers", models.layers, "Layers (default 1)")->check(CLI::Range(1, 8));
    make_cmd->add_option("--heads", models.heads, "Attention heads (default 2)")
        ->check(CLI::Range(1, 32));
    make_cmd->add_flag("--multilingual", models.multilingual, "A multilingual vocabulary");

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
        if (!model_override.empty()) env["CALLSCRIBE_WHISPER_MODEL"] = model_override;
        if (!prompt_override.empty()) env["CALLSCRIBE_STT_PROMPT"] = prompt_override;
        if (!language_override.empty()) env["CALLSCRIBE_STT_LANGUAGE"] = language_override;
        if (!preset_override.empty()) env["CALLSCRIBE_PS_PRESET"] = preset_override;
        if (!threads_override.empty()) env["CALLSCRIBE_WHISPER_THREADS"] = threads_override;
        config = config::load_config(env, file);
        for (const auto& warning : config::misspelt_variables(env))
            log().warn("{}", warning);
    } catch (const config::ConfigError& e) {
        fmt::print(stderr, "callscribe: {}\n", e.what());
        return 2;
    }

    if (print_config) {
        fmt::print("{}", config::describe(config));
        return 0;
    }
    if (*transcribe_cmd) {
        if (transcribe_cmd->count("--jobs") == 0) transcribe.jobs = config.jobs.workers;
        if (no_progress || quiet) transcribe.progress = "none";
        auto engine = stt::make_engine(config.stt, std::make_shared<net::curl::CurlHttpClient>(),
                                       transcribe.jobs);
        if (!engine) {
            fmt::print(stderr, "callscribe: {}\n", engine.error().message);
            return 2;
        }
        return run_transcribe(transcribe, **engine);
    }
    if (*models_cmd) {
        for (auto* sub : models_cmd->get_subcommands())
            models.action = sub->get_name();
        models.progress = !no_progress;
        return run_models(models, config);
    }
    if (*process_cmd) return run_process(process, config);
    if (*worker_cmd) return run_worker(config);
    if (*sandbox_cmd) return run_sandbox(sandbox);
    if (*serve_cmd) return run_serve(serve, config);
    fmt::print(stderr, "{}", app.help());
    return 2;
}

} // namespace callscribe::cli
