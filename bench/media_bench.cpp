// Twilio Media Streams under load, in one process: the service's side (an HttpServer whose
// GET /twilio/media is live::MediaStreams, with or without live transcription on the real
// engine) and N clients that play the bundled demo call (two channels, 20 ms μ-law frames,
// Twilio's messages) at real-time pace over WebSockets on 127.0.0.1, looped for the run's length.
// The clients start together but each at its own point of the call (client i at i/N of it), as
// calls on a real line are at different moments: their utterances do not all end at once.
//
// Prints, for the service alone (the clients' own CPU is measured per thread and taken off):
// CPU per stream (% of one core), resident memory per stream (peak minus the idle process),
// frames sent and frames in the recordings (a missing one is a dropped frame); with live
// transcription, the delay from the arrival of the audio that ends an utterance to its final
// text (p50, p95, max), both where the service's sink gets it and on the live feed a page reads
// (the service's own API over a SQLite store in DIR: GET /api/calls/{sid}/live as Server-Sent
// Events, one reader per call), finals, partial results given and skipped, audio not
// transcribed live.
//
// usage: media_bench --streams N --seconds S [--live-workers W] [--dir DIR]
#include "api/api_router.hpp"
#include "api/live_transcript.hpp"
#include "api/stream_transcript.hpp"
#include "audio/mulaw.hpp"
#include "audio/pcm_reader.hpp"
#include "core/base64.hpp"
#include "live/live_transcription.hpp"
#include "live/media_streams.hpp"
#include "live/stream_recording.hpp"
#include "live_feed.hpp"
#include "net/server/http_server.hpp"
#include "net/websocket/websocket_client.hpp"
#include "store/store.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <numeric>
#include <thread>

using namespace callscribe;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::size_t k_frame = 160;

double cpu_seconds(int who) {
    rusage usage{};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Resident memory now, in MiB (/proc/self/statm).
double resident_mib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(p / 100.0 * double(values.size() - 1))];
}

// The demo call's two channels as μ-law, whole frames.
std::vector<std::vector<std::uint8_t>> call_tracks(const std::filesystem::path& audio) {
    auto reader = audio::PcmReader::open(audio, 8000);
    if (!reader) throw std::runtime_error(reader.error().message);
    std::vector<std::vector<std::uint8_t>> once(2);
    std::vector<std::vector<float>> chunk;
    while (*reader->next(chunk)) {
        for (std::size_t c = 0; c < 2; ++c)
            audio::encode_mulaw(chunk[std::min(c, chunk.size() - 1)], once[c]);
    }
    for (auto& track : once)
        track.resize(once[0].size() / k_frame * k_frame, audio::k_mulaw_silence);
    return once;
}

// Times each final utterance as it reaches the service's sink (`next`, which it then gets).
class TimingSink final : public live::LiveTranscriptSink {
  public:
    TimingSink(const Clock& clock, live::LiveTranscriptSink& next) : m_clock(clock), m_next(next) {}
    void utterance(const live::LiveUtterance& u) override {
        if (u.final) {
            const double delay = std::chrono::duration<double>(m_clock.now() - u.heard_at).count();
            std::lock_guard lock(m_mutex);
            m_delays.push_back(delay);
            m_speech_s += u.end_s - u.start_s;
        }
        m_next.utterance(u);
    }
    void stream_done(const CallSid& call, const std::string& stream_sid) override {
        m_next.stream_done(call, stream_sid);
        std::lock_guard lock(m_mutex);
        ++m_done;
        m_changed.notify_all();
    }
    std::vector<double> delays() {
        std::lock_guard lock(m_mutex);
        return m_delays;
    }
    double speech_s() {
        std::lock_guard lock(m_mutex);
        return m_speech_s;
    }
    bool wait_done(int streams) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, std::chrono::minutes(5), [&] { return m_done >= streams; });
    }

  private:
    const Clock& m_clock;
    live::LiveTranscriptSink& m_next;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<double> m_delays;
    double m_speech_s = 0; // in the final utterances
    int m_done = 0;
};

// One stream of `seconds` at real-time pace, from frame `first` of the call on (looped); returns
// the samples it sent per track.
std::size_t play(const std::string& url, const CallSid& call, int n,
                 const std::vector<std::vector<std::uint8_t>>& tracks, std::size_t first,
                 double seconds, double& client_cpu) {
    auto ws = net::WebSocketClient::connect(url, {}, std::chrono::seconds(30));
    if (!ws) throw std::runtime_error(ws.error().message);
    const std::string stream = fmt::format("MZ{:032x}", n);
    std::int64_t sequence = 0;
    auto send = [&](nlohmann::json message) {
        message["sequenceNumber"] = std::to_string(++sequence);
        message["streamSid"] = stream;
        if (!ws->send(message.dump())) throw std::runtime_error("the stream was closed");
    };
    (void)ws->send(R"({"event":"connected","protocol":"Call","version":"1.0.0"})");
    send({{"event", "start"},
          {"start",
           {{"accountSid", "AC00000000000000000000000000000000"},
            {"streamSid", stream},
            {"callSid", call.str()},
            {"tracks", {"inbound", "outbound"}},
            {"mediaFormat", {{"encoding", "audio/x-mulaw"}, {"sampleRate", 8000}, {"channels", 1}}},
            {"customParameters", nlohmann::json::object()}}}});
    const std::size_t call_frames = tracks[0].size() / k_frame;
    const auto frames = static_cast<std::size_t>(seconds * 8000) / k_frame;
    const auto started = SteadyClock::now();
    for (std::size_t i = 0; i < frames; ++i) {
        const std::size_t at = (first + i) % call_frames;
        for (std::size_t t = 0; t < 2; ++t) {
            const std::string_view payload(
                reinterpret_cast<const char*>(tracks[t].data()) + at * k_frame, k_frame);
            send({{"event", "media"},
                  {"media",
                   {{"track", t == 0 ? "inbound" : "outbound"},
                    {"chunk", std::to_string(i + 1)},
                    {"timestamp", std::to_string(i * 20)},
                    {"payload", encode_base64(payload)}}}});
        }
        std::this_thread::sleep_until(started + std::chrono::milliseconds(20 * (i + 1)));
    }
    send({{"event", "stop"}, {"stop", {{"callSid", call.str()}}}});
    (void)ws->close();
    client_cpu = cpu_seconds(RUSAGE_THREAD);
    return frames * k_frame;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Twilio Media Streams under load"};
    int streams = 20;
    double seconds = 60;
    int live_workers = 0;
    std::string dir = "/tmp/callscribe-media-bench";
    app.add_option("--streams", streams)->check(CLI::Range(1, 2000));
    app.add_option("--seconds", seconds)->check(CLI::Range(1.0, 3600.0));
    app.add_option("--live-workers", live_workers, "0: capture only")->check(CLI::Range(0, 64));
    double partial_every_s = live::LiveTranscriptionSettings{}.partial_every_s;
    app.add_option("--partial-every", partial_every_s, "seconds between partial results (0: none)")
        ->check(CLI::Range(0.0, 60.0));
    app.add_option("--dir", dir);
    std::string audio = "samples/demo-call.mp3"; // bench/media runs in the checkout
    app.add_option("--audio", audio, "the two-channel call the streams play");
    CLI11_PARSE(app, argc, argv);

    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto tracks = call_tracks(audio);
    SystemClock clock;
    // The service's side of the live feed: its store, live view and routes.
    auto store = store::open_store("sqlite://" + dir + "/calls.db");
    if (!store) throw std::runtime_error(store.error().message);
    api::ApiSettings api_settings;
    api_settings.data_dir = dir;
    api::LivePartials live_partials;
    api::ApiContext context{.store = **store,
                            .settings = api_settings,
                            .clock = clock,
                            .wake = [] {},
                            .live_partials = &live_partials};
    api::StreamTranscript stream_transcript(context);
    TimingSink sink(clock, stream_transcript);
    bench::FeedTiming feed(sink);
    std::unique_ptr<stt::Engine> engine;
    std::optional<live::LiveTranscription> live;
    if (live_workers > 0) {
        auto made =
            stt::make_pocketsphinx_engine(stt::pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR));
        if (!made) throw std::runtime_error(made.error().message);
        engine = std::move(*made);
        live.emplace(*engine,
                     live::LiveTranscriptionSettings{
                         .workers = live_workers,
                         .partial_every_s = partial_every_s > 0 ? partial_every_s : 1e9},
                     feed, clock);
    }
    live::MediaStreams media(live::MediaStreamSettings{.recordings_dir = dir},
                             live ? &*live : nullptr);
    context.media_streams = &media;
    const api::Router router = api::make_api_router(context);
    net::HttpServer server(net::ServerSettings{.host = "127.0.0.1",
                                               .port = 0,
                                               .max_connections = 2 * std::size_t(streams) + 64,
                                               .name = "bench"},
                           [&router](const net::ServerRequest& r) { return router.handle(r); });
    if (auto started = server.start(); !started) throw std::runtime_error(started.error().message);
    const std::string url = fmt::format("ws://127.0.0.1:{}/twilio/media", server.port());

    const double idle_mib = resident_mib();
    std::atomic<double> peak_mib = idle_mib;
    std::atomic<bool> running = true;
    std::thread sampler([&] {
        while (running) {
            peak_mib = std::max(peak_mib.load(), resident_mib());
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    const double cpu_before = cpu_seconds(RUSAGE_SELF);
    const auto wall_before = SteadyClock::now();
    const auto call_sid = [](int i) { return *CallSid::parse(fmt::format("CA{:032x}", i + 1)); };
    // Each call is in the log before its stream starts, and its page listens from the start.
    std::vector<std::thread> readers;
    std::vector<double> reader_cpu(static_cast<std::size_t>(streams));
    if (live) {
        for (int i = 0; i < streams; ++i) {
            const auto known =
                (*store)->save_realtime_labels(call_sid(i),
                                               {.session = fmt::format("MZ{:032x}", i + 1),
                                                .inbound = "Caller",
                                                .outbound = "Agent"},
                                               clock.now());
            if (!known) throw std::runtime_error(known.error().message);
            readers.emplace_back([&, i] {
                reader_cpu[std::size_t(i)] =
                    bench::read_live_feed(server.port(), call_sid(i), feed, clock);
            });
        }
    }
    std::vector<double> client_cpu(static_cast<std::size_t>(streams));
    std::vector<std::size_t> sent(static_cast<std::size_t>(streams));
    std::vector<std::thread> clients;
    const std::size_t call_frames = tracks[0].size() / k_frame;
    for (int i = 0; i < streams; ++i) {
        clients.emplace_back([&, i] {
            sent[std::size_t(i)] = play(url, call_sid(i), i + 1, tracks,
                                        call_frames * std::size_t(i) / std::size_t(streams),
                                        seconds, client_cpu[std::size_t(i)]);
        });
    }
    for (auto& c : clients)
        c.join();
    live::LiveFigures figures;
    if (live) {
        if (!sink.wait_done(streams)) fmt::print(stderr, "the live transcription did not finish\n");
        figures = live->figures();
        live.reset();
    }
    for (auto& r : readers)
        r.join();
    const double wall = std::chrono::duration<double>(SteadyClock::now() - wall_before).count();
    const double service_cpu = cpu_seconds(RUSAGE_SELF) - cpu_before -
                               std::accumulate(client_cpu.begin(), client_cpu.end(), 0.0) -
                               std::accumulate(reader_cpu.begin(), reader_cpu.end(), 0.0);
    running = false;
    sampler.join();
    server.stop();

    std::size_t recorded = 0, expected = 0;
    for (int i = 0; i < streams; ++i) {
        const auto path =
            live::stream_recording_path(dir, *CallSid::parse(fmt::format("CA{:032x}", i + 1)));
        expected += sent[std::size_t(i)];
        auto reader = audio::PcmReader::open(path, 8000);
        if (!reader) continue;
        std::vector<std::vector<float>> chunk;
        while (*reader->next(chunk))
            recorded += chunk[0].size();
    }
    fmt::print("{} streams of {:.0f} s at real-time pace, {} cores, live transcription: {}\n",
               streams, seconds, std::thread::hardware_concurrency(),
               live_workers > 0 ? fmt::format("{} workers", live_workers) : "off");
    fmt::print("service CPU {:.1f} % of a core per stream ({:.1f} % in all); memory {:.2f} MiB per "
               "stream (peak {:.0f} MiB, idle {:.0f} MiB)\n",
               100 * service_cpu / wall / streams, 100 * service_cpu / wall,
               (peak_mib - idle_mib) / streams, peak_mib.load(), idle_mib);
    fmt::print("frames sent {} per track, recorded {}: {} dropped\n", expected, recorded,
               expected > recorded ? expected - recorded : 0);
    if (live_workers > 0) {
        const auto delays = sink.delays();
        fmt::print(
            "finals {}; end of utterance → final: p50 {:.2f} s, p95 {:.2f} s, max {:.2f} s\n",
            delays.size(), percentile(delays, 50), percentile(delays, 95),
            delays.empty() ? 0.0 : *std::max_element(delays.begin(), delays.end()));
        const auto on_feed = feed.delays();
        fmt::print("on the live feed (SSE): {} finals; p50 {:.2f} s, p95 {:.2f} s, max {:.2f} s\n",
                   on_feed.size(), percentile(on_feed, 50), percentile(on_feed, 95),
                   on_feed.empty() ? 0.0 : *std::max_element(on_feed.begin(), on_feed.end()));
        fmt::print("speech in the finals {:.1f} s per second of the run ({:.3f} CPU s per second "
                   "of speech)\n",
                   sink.speech_s() / wall, service_cpu / sink.speech_s());
        fmt::print("partial results {} given, {} skipped (behind); audio not transcribed live "
                   "{:.1f} s\n",
                   figures.partials, figures.partials_skipped, figures.skipped_audio_s);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
