#include "api/live_transcript.hpp"

#include "api/api_error.hpp"
#include "api/call_routes.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <utility>

namespace callscribe::api {

void LivePartials::set(const CallSid& call, Partial partial) {
    std::unique_lock lock(m_mutex);
    if (!m_partials.contains(call) && m_partials.size() >= max_calls) {
        const auto newest = [](const std::vector<Partial>& partials) {
            TimePoint at{};
            for (const auto& p : partials)
                at = std::max(at, p.at);
            return at;
        };
        const auto stalest = std::ranges::min_element(
            m_partials, {}, [&](const auto& entry) { return newest(entry.second); });
        m_partials.erase(stalest);
    }
    {
        auto& partials = m_partials[call];
        std::erase_if(partials, [&](const Partial& p) { return p.track == partial.track; });
        partials.push_back(std::move(partial));
    }
    lock.unlock();
    changed(call);
}

void LivePartials::clear_track(const CallSid& call, twilio::RttTrack track) {
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_partials.find(call);
        if (it != m_partials.end()) {
            std::erase_if(it->second, [&](const Partial& p) { return p.track == track; });
            if (it->second.empty()) m_partials.erase(it);
        }
    }
    changed(call);
}

void LivePartials::clear(const CallSid& call) {
    {
        std::lock_guard lock(m_mutex);
        m_partials.erase(call);
    }
    changed(call);
}

void LivePartials::changed(const CallSid& call) const {
    std::lock_guard lock(m_watch_mutex);
    for (const auto& [id, watcher] : m_watchers) {
        if (watcher.call == call) watcher.wake();
    }
}

LivePartials::Watch LivePartials::watch(const CallSid& call, std::function<void()> wake) {
    std::lock_guard lock(m_watch_mutex);
    const std::uint64_t id = m_next_watch++;
    m_watchers.emplace(id, Watcher{.call = call, .wake = std::move(wake)});
    return Watch(this, id);
}

void LivePartials::forget(std::uint64_t watch_id) const {
    std::lock_guard lock(m_watch_mutex);
    m_watchers.erase(watch_id);
}

LivePartials::Watch::Watch(Watch&& other) noexcept
    : m_owner(std::exchange(other.m_owner, nullptr)), m_id(other.m_id) {}

LivePartials::Watch& LivePartials::Watch::operator=(Watch&& other) noexcept {
    if (this != &other) {
        if (m_owner) m_owner->forget(m_id);
        m_owner = std::exchange(other.m_owner, nullptr);
        m_id = other.m_id;
    }
    return *this;
}

LivePartials::Watch::~Watch() {
    if (m_owner) m_owner->forget(m_id);
}

std::vector<LivePartials::Partial> LivePartials::of(const CallSid& call) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_partials.find(call);
    return it == m_partials.end() ? std::vector<Partial>{} : it->second;
}

namespace {

twilio::RttLabels labels_of(const store::RealtimeLabels& session) {
    return {.inbound = session.inbound, .outbound = session.outbound};
}

} // namespace

twilio::RttLabels live_labels(const ApiContext& context, const CallSid& call) {
    const auto sessions = stored(context.store.realtime_labels(call),
                                 fmt::format("reading the transcription labels of {}", call.str()));
    return sessions.empty() ? twilio::RttLabels{} : labels_of(sessions.back());
}

std::string assemble_live_transcript(const ApiContext& context, const CallSid& call,
                                     std::size_t* utterance_count, store::RealtimeSource* source) {
    const auto stored_utterances =
        stored(context.store.realtime_utterances(call),
               fmt::format("reading the realtime utterances of {}", call.str()));
    if (utterance_count) *utterance_count = stored_utterances.size();
    if (stored_utterances.empty()) return {};
    if (source) {
        *source = stored_utterances.back().session.starts_with("MZ")
                      ? store::RealtimeSource::media_stream
                      : store::RealtimeSource::twilio_rtt;
    }
    const auto sessions = stored(context.store.realtime_labels(call),
                                 fmt::format("reading the transcription labels of {}", call.str()));
    // Session by session (each numbers its utterances from 1), each with its own labels.
    std::string transcript;
    for (auto it = stored_utterances.begin(); it != stored_utterances.end();) {
        const auto session_end = std::find_if(
            it, stored_utterances.end(), [&](const auto& u) { return u.session != it->session; });
        std::vector<twilio::RttUtterance> utterances;
        for (; it != session_end; ++it) {
            utterances.push_back({.sequence = it->sequence,
                                  .track = it->track == to_string(twilio::RttTrack::outbound)
                                               ? twilio::RttTrack::outbound
                                               : twilio::RttTrack::inbound,
                                  .text = it->text});
        }
        const auto labels =
            std::ranges::find(sessions, std::prev(it)->session, &store::RealtimeLabels::session);
        const std::string part = twilio::assemble_rtt_transcript(
            std::move(utterances),
            labels == sessions.end() ? twilio::RttLabels{} : labels_of(*labels));
        if (part.empty()) continue;
        if (!transcript.empty()) transcript += '\n';
        transcript += part;
    }
    return transcript;
}

std::optional<SavedLiveTranscript> save_live_transcript(const ApiContext& context,
                                                        const CallSid& call) {
    SavedLiveTranscript saved;
    const std::string text =
        assemble_live_transcript(context, call, &saved.utterances, &saved.source);
    if (text.empty()) return std::nullopt;
    saved.chars = text.size();
    const auto log = stored(
        context.store.save_realtime_transcript(call, text, context.clock.now(), saved.source),
        fmt::format("saving the realtime transcript of {}", call.str()));
    saved.api_kept = log.realtime_source == store::RealtimeSource::api;
    return saved;
}

namespace {

// The object GET /api/calls/{sid}/live answers (see the header).
nlohmann::ordered_json live_view(const ApiContext& context, const CallSid& call) {
    const store::CallLog log = known_call(context, call);
    if (log.realtime_source != store::RealtimeSource::none) {
        return {{"transcript", log.realtime_transcript},
                {"partials", nlohmann::ordered_json::array()},
                {"final", true}};
    }
    auto partials = nlohmann::ordered_json::array();
    const auto live = context.live_partials ? context.live_partials->of(call)
                                            : std::vector<LivePartials::Partial>{};
    if (!live.empty()) {
        const auto labels = live_labels(context, call);
        for (const auto& partial : live)
            partials.push_back(
                {{"speaker", twilio::speaker(labels, partial.track)}, {"text", partial.text}});
    }
    return {{"transcript", assemble_live_transcript(context, call)},
            {"partials", std::move(partials)},
            {"final", false}};
}

// The live view as Server-Sent Events: one `live` event at once and one after each change,
// the last one final.
class LiveEvents final : public net::EventStream {
  public:
    LiveEvents(const ApiContext& context, CallSid call)
        : m_context(context), m_call(std::move(call)) {}

    void start(std::function<void()> wake) override {
        if (m_context.live_partials) m_watch = m_context.live_partials->watch(m_call, wake);
    }

    Events next() override {
        const auto view = live_view(m_context, m_call);
        std::string data = view.dump();
        if (data == m_sent) return {};
        m_sent = std::move(data);
        return {.text = fmt::format("event: live\ndata: {}\n\n", m_sent),
                .done = view["final"].get<bool>()};
    }

    void end() override { m_watch = {}; }

  private:
    const ApiContext& m_context;
    const CallSid m_call;
    LivePartials::Watch m_watch;
    std::string m_sent; // the last event's data
};

bool wants_events(const net::ServerRequest& request) {
    return request.header("accept").value_or("").find("text/event-stream") != std::string::npos;
}

} // namespace

net::ServerResponse get_live_transcript(const ApiContext& context,
                                        const net::ServerRequest& request,
                                        const PathParams& params) {
    const CallSid call = call_sid_param(params);
    if (!wants_events(request))
        return net::ServerResponse::json(200, live_view(context, call).dump());
    known_call(context, call); // an unknown call is a 404, not an empty stream
    net::ServerResponse response;
    response.events = std::make_shared<LiveEvents>(context, call);
    return response;
}

} // namespace callscribe::api
