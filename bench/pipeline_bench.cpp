// The pipeline as a whole, in one process: the sandbox (Twilio), the SQLite store, the worker
// pool and PocketSphinx, over real HTTP on 127.0.0.1. Prints two tables:
//  1. throughput: N calls of S seconds with zero readiness backoff and W transcription workers:
//     calls per minute, the share of wall time that is not transcription, peak RSS;
//  2. waiting: M calls whose recordings never become ready, all waiting at once: threads and
//     memory held while they wait (a waiting job is a row in the store, not a thread).
// bench/pipeline runs it; bench/README.md has the figures.
#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"
#include "core/log.hpp"
#include "jobs/job_runner.hpp"
#include "jobs/offline_stt_job.hpp"
#include "jobs/worker_pool.hpp"
#include "net/curl/curl_http_client.hpp"
#include "sandbox/sandbox_server.hpp"
#include "store/store.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "twilio/recording_api.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <thread>

namespace fs = std::filesystem;
using namespace callscribe;
using steady = std::chrono::steady_clock;

namespace {

struct Options {
    int calls = 200;
    double seconds = 30;
    int workers = 2;
    int io_workers = 8;
    int waiting = 10000;
};

// A value from /proc/self/status ("Threads", "VmRSS" in kB).
long proc_status(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
    }
    return -1;
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

// A call-like recording of `seconds`: the evaluation set's telephone utterances one after the
// other, 8 kHz mono 16-bit WAV as Twilio stores it.
fs::path make_call_audio(const fs::path& dir, double seconds) {
    const fs::path eval = CALLSCRIBE_EVAL_DIR;
    std::vector<fs::path> sources;
    for (const char* subset : {"synth/phone", "real/phone"}) {
        for (const auto& e : fs::directory_iterator(eval / subset)) {
            if (e.path().extension() == ".wav") sources.push_back(e.path());
        }
    }
    std::sort(sources.begin(), sources.end());
    const fs::path out = dir / "call.wav";
    auto writer = audio::WavWriter::create(out, 8000, 1, audio::OutputFormat::wav_pcm16);
    if (!writer) throw std::runtime_error(writer.error().message);
    const auto needed = static_cast<std::size_t>(seconds * 8000);
    std::size_t written = 0;
    std::vector<std::vector<float>> chunk;
    for (std::size_t i = 0; written < needed; i = (i + 1) % sources.size()) {
        auto reader = audio::PcmReader::open(sources[i], 8000);
        if (!reader) throw std::runtime_error(reader.error().message);
        while (written < needed) {
            auto more = reader->next(chunk);
            if (!more || !*more) break;
            const std::size_t take = std::min(chunk[0].size(), needed - written);
            if (!writer->write(std::span<const float>(chunk[0].data(), take)))
                throw std::runtime_error("cannot write " + out.string());
            written += take;
        }
    }
    if (!writer->finish()) throw std::runtime_error("cannot finish " + out.string());
    return out;
}

struct Bench {
    fs::path dir;
    SystemClock clock;
    net::curl::CurlHttpClient http;
    std::unique_ptr<sandbox::SandboxServer> sandbox;
    std::unique_ptr<stt::Engine> engine;

    void start_sandbox() {
        sandbox::SandboxSettings settings;
        settings.port = 0;
        settings.work_dir = dir / "sandbox";
        settings.handler_threads = 4;
        sandbox = std::make_unique<sandbox::SandboxServer>(settings, clock, http);
        if (auto started = sandbox->start(); !started)
            throw std::runtime_error(started.error().message);
    }

    config::TwilioSettings twilio_settings() const {
        config::TwilioSettings t;
        t.account_sid = sandbox->account_sid();
        t.auth_token = sandbox->auth_token();
        t.api_base = sandbox->base_url();
        return t;
    }
};

// Runs the pool until `done(counts)` or `limit`; returns the wall time.
template <class Done>
double run_pool(jobs::WorkerPool& pool, store::Store& store, Done done, double limit_s) {
    const auto t0 = steady::now();
    pool.start();
    pool.wake();
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        auto counts = store.count_jobs();
        const double elapsed = std::chrono::duration<double>(steady::now() - t0).count();
        if ((counts && done(*counts)) || elapsed > limit_s) return elapsed;
    }
}

void throughput(Bench& b, const Options& o) {
    const fs::path audio = make_call_audio(b.dir, o.seconds);
    auto store = store::open_store("sqlite://" + (b.dir / "throughput.db").string());
    if (!store) throw std::runtime_error(store.error().message);
    const auto prepare0 = steady::now();
    const auto now = b.clock.now();
    for (int i = 0; i < o.calls; ++i) {
        sandbox::CallRequest request;
        request.audio = audio;
        auto created = b.sandbox->create_call(request);
        if (!created) throw std::runtime_error(created.error().message);
        auto enqueued = (*store)->enqueue_offline_stt(
            *CallSid::parse(created->call_sid), RecordingSid::parse(*created->recording_sid), now);
        if (!enqueued) throw std::runtime_error(enqueued.error().message);
    }
    const double prepare_s = std::chrono::duration<double>(steady::now() - prepare0).count();

    twilio::RecordingApi api(b.twilio_settings(), b.http);
    jobs::PipelineSettings settings;
    settings.ready_backoff = {Seconds{0}, Seconds{0}, Seconds{0}, Seconds{0}, Seconds{0}};
    settings.not_found_wait = Seconds{0};
    settings.data_dir = b.dir / "throughput-data";
    jobs::OfflineSttJob job(**store, api, *b.engine, b.clock, settings);
    jobs::JobRunner runner(**store, job, b.clock, "bench", Seconds{60});
    jobs::WorkerPool pool(runner, **store, *b.engine,
                          {.io_workers = o.io_workers, .cpu_workers = o.workers});
    const double wall = run_pool(
        pool, **store, [&](const store::JobCounts& c) { return c.done + c.failed >= o.calls; },
        3600);
    pool.stop();
    const auto counts = (*store)->count_jobs().value();
    const auto m = runner.metrics().snapshot();
    const double transcribe_s = m.of(store::JobStep::transcribe).total_s;
    const double other = 1.0 - transcribe_s / (o.workers * wall);
    fmt::print("\n| calls | audio each | workers | done | failed | wall | calls/min | "
               "not transcription | resolve+download (sum) | RTF per core | peak RSS |\n");
    fmt::print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    fmt::print(
        "| {} | {:.0f} s | {} | {} | {} | {:.1f} s | {:.1f} | {:.1f} % | {:.1f} s | {:.3f} | "
        "{} MiB |\n",
        o.calls, o.seconds, o.workers, counts.done, counts.failed, wall, o.calls / wall * 60,
        100 * other, m.of(store::JobStep::resolve).total_s + m.of(store::JobStep::download).total_s,
        transcribe_s / std::max(m.transcribed_audio_s, 1e-9), peak_rss_kib() / 1024);
    fmt::print("(preparing {} calls in the sandbox took {:.1f} s, not counted)\n", o.calls,
               prepare_s);
}

void waiting(Bench& b, const Options& o) {
    auto store = store::open_store("sqlite://" + (b.dir / "waiting.db").string());
    if (!store) throw std::runtime_error(store.error().message);
    const auto now = b.clock.now();
    for (int i = 0; i < o.waiting; ++i) {
        sandbox::CallRequest request;
        request.scenario.no_recording = true; // the call's recording list stays empty
        auto created = b.sandbox->create_call(request);
        if (!created) throw std::runtime_error(created.error().message);
        if (!(*store)->enqueue_offline_stt(*CallSid::parse(created->call_sid), std::nullopt, now))
            throw std::runtime_error("enqueue failed");
    }
    const long threads_before = proc_status("Threads");
    const long rss_before = proc_status("VmRSS");
    twilio::RecordingApi api(b.twilio_settings(), b.http);
    jobs::PipelineSettings settings; // default readiness backoff 3,5,5,10,10
    settings.data_dir = b.dir / "waiting-data";
    jobs::OfflineSttJob job(**store, api, *b.engine, b.clock, settings);
    jobs::JobRunner runner(**store, job, b.clock, "bench", Seconds{60});
    jobs::WorkerPool pool(runner, **store, *b.engine,
                          {.io_workers = o.io_workers, .cpu_workers = o.workers});
    // Until every call has been looked at once and waits for its next try.
    const double first_pass = run_pool(
        pool, **store,
        [&](const store::JobCounts&) {
            return runner.metrics().snapshot().of(store::JobStep::resolve).count >=
                   static_cast<std::uint64_t>(o.waiting);
        },
        600);
    const long threads_waiting = proc_status("Threads");
    const long rss_waiting = proc_status("VmRSS");
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto counts = (*store)->count_jobs().value();
    pool.stop();
    fmt::print("\n| calls waiting | first pass (one fetch each) | queued | running | threads "
               "before → while waiting | RSS before → while waiting |\n");
    fmt::print("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    fmt::print("| {} | {:.1f} s ({:.0f} fetches/s) | {} | {} | {} → {} | {} → {} MiB |\n",
               o.waiting, first_pass, o.waiting / first_pass, counts.queued, counts.running,
               threads_before, threads_waiting, rss_before / 1024, rss_waiting / 1024);
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"callscribe pipeline benchmark"};
    Options o;
    app.add_option("--calls", o.calls, "calls for the throughput run");
    app.add_option("--seconds", o.seconds, "audio seconds per call");
    app.add_option("--workers", o.workers, "transcription workers");
    app.add_option("--io-workers", o.io_workers, "download workers");
    app.add_option("--waiting", o.waiting, "calls waiting for readiness at once (0: skip)");
    CLI11_PARSE(app, argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // each table line as soon as it is known
    log().set_level(spdlog::level::warn);     // the per-call lines would dominate the run

    Bench b;
    b.dir = fs::temp_directory_path() / fmt::format("callscribe-pipeline-bench-{}", getpid());
    fs::create_directories(b.dir);
    try {
        b.start_sandbox();
        auto engine =
            stt::make_pocketsphinx_engine(stt::pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR));
        if (!engine) throw std::runtime_error(engine.error().message);
        b.engine = std::move(*engine);
        if (o.calls > 0) throughput(b, o);
        if (o.waiting > 0) waiting(b, o);
    } catch (const std::exception& e) {
        fmt::print(stderr, "pipeline_bench: {}\n", e.what());
        fs::remove_all(b.dir);
        return 1;
    }
    b.sandbox->stop();
    fs::remove_all(b.dir);
    return 0;
}
