#pragma once
// The live transcript as a page sees it, for bench/media: GET /api/calls/{sid}/live as
// Server-Sent Events, read by one thread per call and timed against the arrival of the audio
// that ended each final utterance.
#include "core/clock.hpp"
#include "core/sid.hpp"
#include "live/live_transcription.hpp"

#include <boost/asio.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace callscribe::bench {

// Words in a live transcript ("Caller: … \nAgent: …"), without the speakers' labels.
inline std::size_t transcript_words(const std::string& transcript) {
    std::size_t words = 0;
    std::istringstream lines(transcript);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream tokens(line);
        std::string token;
        for (bool first = true; tokens >> token; first = false) {
            if (!(first && token.ends_with(':'))) ++words;
        }
    }
    return words;
}

// Passes the live transcript on to `next` (the service's sink: the store and the live view),
// noting each final utterance first: when the feed shows as many words as a call's finals
// hold, up to one of them, that one has reached the page.
class FeedTiming final : public live::LiveTranscriptSink {
  public:
    explicit FeedTiming(live::LiveTranscriptSink& next) : m_next(next) {}

    void utterance(const live::LiveUtterance& u) override {
        if (u.final) {
            std::lock_guard lock(m_mutex);
            auto& finals = m_finals[u.call];
            const std::size_t before = finals.empty() ? 0 : finals.back().words;
            finals.push_back({before + transcript_words(u.text), u.heard_at, false});
        }
        m_next.utterance(u);
    }
    void stream_done(const CallSid& call, const std::string& stream_sid) override {
        m_next.stream_done(call, stream_sid);
    }

    // The feed of `call` showed `words` words at `at`.
    void seen(const CallSid& call, std::size_t words, TimePoint at) {
        std::lock_guard lock(m_mutex);
        for (auto& final : m_finals[call]) {
            if (final.seen || final.words > words) continue;
            final.seen = true;
            m_delays.push_back(std::chrono::duration<double>(at - final.heard_at).count());
        }
    }
    std::vector<double> delays() {
        std::lock_guard lock(m_mutex);
        return m_delays;
    }

  private:
    struct Final {
        std::size_t words; // the call's words up to and including this utterance
        TimePoint heard_at;
        bool seen;
    };
    live::LiveTranscriptSink& m_next;
    std::mutex m_mutex;
    std::map<CallSid, std::vector<Final>> m_finals;
    std::vector<double> m_delays;
};

// Reads the live events of `call` from the service on 127.0.0.1:`port` until the final one (or
// the end of the stream); returns the thread's CPU seconds.
inline double read_live_feed(std::uint16_t port, const CallSid& call, FeedTiming& timing,
                             const Clock& clock) {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(socket, asio::buffer(fmt::format("GET /api/calls/{}/live HTTP/1.1\r\nHost: "
                                                 "127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
                                                 call.str())));
    std::string buffer;
    boost::system::error_code ec;
    for (;;) {
        const std::size_t n = asio::read_until(socket, asio::dynamic_buffer(buffer), "\n\n", ec);
        if (ec) break;
        const std::string block = buffer.substr(0, n);
        buffer.erase(0, n);
        const auto data = block.find("data: ");
        if (data == std::string::npos) continue; // the header, or a keep-alive comment
        const auto view = nlohmann::json::parse(block.substr(data + 6), nullptr, false);
        if (view.is_discarded()) continue;
        timing.seen(call, transcript_words(view.value("transcript", "")), clock.now());
        if (view.value("final", false)) break;
    }
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace callscribe::bench
