#include "sandbox/media_stream_player.hpp"

#include "audio/mulaw.hpp"
#include "audio/pcm_reader.hpp"
#include "core/base64.hpp"
#include "net/websocket/websocket_client.hpp"
#include "twilio/signature.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <random>

namespace callscribe::sandbox {

namespace {

using nlohmann::ordered_json; // keeps each message's keys in the order Twilio sends them

constexpr std::size_t k_frame = 160; // 20 ms of 8 kHz μ-law
constexpr auto k_timeout = std::chrono::seconds(15);

std::string random_stream_sid() {
    std::random_device device;
    std::mt19937_64 random(device());
    std::string sid = "MZ";
    for (int i = 0; i < 32; ++i)
        sid += "0123456789abcdef"[random() % 16];
    return sid;
}

// The file's channels as μ-law at 8 kHz, one string of bytes per track.
Result<std::vector<std::vector<std::uint8_t>>> tracks_of(const std::filesystem::path& audio) {
    auto reader = audio::PcmReader::open(audio, 8000);
    if (!reader) return reader.error();
    const int channels = std::min(reader->channels(), 2);
    std::vector<std::vector<std::uint8_t>> tracks(static_cast<std::size_t>(channels));
    std::vector<std::vector<float>> chunk;
    for (;;) {
        auto more = reader->next(chunk);
        if (!more) return more.error();
        if (!*more) break;
        for (int c = 0; c < channels; ++c)
            audio::encode_mulaw(chunk[std::size_t(c)], tracks[std::size_t(c)]);
    }
    return tracks;
}

} // namespace

MediaStreamPlayers::MediaStreamPlayers(std::string account_sid, Secret auth_token, Report report)
    : m_account_sid(std::move(account_sid)), m_auth_token(std::move(auth_token)),
      m_report(std::move(report)) {}

MediaStreamPlayers::~MediaStreamPlayers() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto& thread : m_threads)
        thread.join();
}

void MediaStreamPlayers::play(const CallSid& call, std::filesystem::path audio,
                              MediaStreamScript script) {
    std::lock_guard lock(m_mutex);
    if (m_stopping) return;
    m_threads.emplace_back([this, call, audio = std::move(audio), script = std::move(script)] {
        const auto outcome = run(call, audio, script);
        m_report(call.str(), outcome);
    });
}

bool MediaStreamPlayers::wait_until(std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(m_mutex);
    return !m_wake.wait_until(lock, until, [this] { return m_stopping; });
}

Result<std::uint16_t> MediaStreamPlayers::run(const CallSid& call,
                                              const std::filesystem::path& audio,
                                              const MediaStreamScript& script) {
    auto tracks = tracks_of(audio);
    if (!tracks) return tracks.error();
    const auto started = std::chrono::steady_clock::now();
    if (!wait_until(started + std::chrono::duration_cast<std::chrono::nanoseconds>(script.delay)))
        return fail("the sandbox stopped before the stream began");
    auto ws = net::WebSocketClient::connect(
        script.url,
        {{"X-Twilio-Signature", twilio::compute_signature(script.url, {}, m_auth_token)}},
        k_timeout);
    if (!ws) return ws.error();

    const std::string stream = script.stream_sid.empty() ? random_stream_sid() : script.stream_sid;
    static constexpr std::array<std::string_view, 2> names{"inbound", "outbound"};
    std::int64_t sequence = 0;
    const auto send = [&](ordered_json message) {
        if (message["event"] != "connected") {
            message["sequenceNumber"] = std::to_string(++sequence);
            message["streamSid"] = stream;
        }
        return ws->send(message.dump());
    };
    ordered_json track_names = ordered_json::array();
    for (std::size_t t = 0; t < tracks->size(); ++t)
        track_names.push_back(names[t]);
    if (auto sent = send({{"event", "connected"}, {"protocol", "Call"}, {"version", "1.0.0"}});
        !sent)
        return sent.error();
    auto sent = send(
        {{"event", "start"},
         {"start",
          {{"accountSid", m_account_sid},
           {"streamSid", stream},
           {"callSid", call.str()},
           {"tracks", track_names},
           {"mediaFormat", {{"encoding", "audio/x-mulaw"}, {"sampleRate", 8000}, {"channels", 1}}},
           {"customParameters", ordered_json::object()}}}});
    if (!sent) return sent.error();

    const std::size_t frames = (tracks->front().size() + k_frame - 1) / k_frame;
    const auto playing = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < frames; ++i) {
        for (std::size_t t = 0; t < tracks->size(); ++t) {
            const auto& bytes = (*tracks)[t];
            const std::size_t from = i * k_frame;
            std::string frame(k_frame, static_cast<char>(audio::k_mulaw_silence));
            std::copy(bytes.begin() + std::ptrdiff_t(from),
                      bytes.begin() + std::ptrdiff_t(std::min(bytes.size(), from + k_frame)),
                      frame.begin());
            sent = send({{"event", "media"},
                         {"media",
                          {{"track", names[t]},
                           {"chunk", std::to_string(i + 1)},
                           {"timestamp", std::to_string(i * 20)},
                           {"payload", encode_base64(frame)}}}});
            if (!sent) return sent.error();
        }
        if (script.pace > 0) {
            const auto due =
                playing + std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::duration<double>(0.02 * double(i + 1) / script.pace));
            if (!wait_until(due)) {
                (void)ws->close();
                return fail("the sandbox stopped in the middle of the stream");
            }
        }
    }
    sent = send(
        {{"event", "stop"}, {"stop", {{"accountSid", m_account_sid}, {"callSid", call.str()}}}});
    if (!sent) return sent.error();
    return ws->close();
}

} // namespace callscribe::sandbox
