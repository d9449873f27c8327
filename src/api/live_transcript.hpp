#pragma once
// A call's transcript while it is being spoken, from Twilio's Real-Time Transcription callbacks:
// the final utterances stored so far (assembled and labelled as the realtime transcript will be)
// and each track's latest partial result, which Twilio replaces as the speaker goes on and which
// is therefore kept in memory only, never stored.
//
// GET /api/calls/{call_sid}/live → {"transcript": "Caller: …\nAgent: …", "partials":
//     [{"speaker": "Caller", "text": "…"}], "final": bool}. `final` is true once the call has
//     its realtime transcript (the transcription stopped, or one was posted to /end): the
//     transcript is then that one, and there are no partials. A call that is not in the log is
//     404. With "Accept: text/event-stream" the answer is Server-Sent Events instead: an event
//     `live` carrying that same object at once and after every change, until `final` (then the
//     stream ends). The page listens to it while the call is live.
//
// Partials live in the process that received the callback: behind a load balancer, another
// node shows the final utterances only.
//
// Thread safety: LivePartials is thread-safe; the route is thread-safe (see ApiContext).
#include "api/api_context.hpp"
#include "api/router.hpp"
#include "core/clock.hpp"
#include "core/sid.hpp"
#include "net/server/server_types.hpp"
#include "twilio/realtime_transcription.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::api {

class LivePartials {
  public:
    struct Partial {
        twilio::RttTrack track = twilio::RttTrack::inbound;
        std::string text;
        TimePoint at{}; // when it arrived
    };

    // A track's newest partial result replaces the one before it. At most `max_calls` calls are
    // held: past that, the call whose partial is oldest is forgotten (its transcription stopped
    // without telling, most likely).
    void set(const CallSid& call, Partial partial);
    // A final utterance of the track arrived: its partial is done.
    void clear_track(const CallSid& call, twilio::RttTrack track);
    // The transcription stopped (or the call ended).
    void clear(const CallSid& call);
    std::vector<Partial> of(const CallSid& call) const;

    // Something of the call's live transcript changed: its watchers are woken. set(),
    // clear_track() and clear() call it; so does whoever stores a final utterance or the
    // realtime transcript, once it is stored.
    void changed(const CallSid& call) const;

    // `wake` is called after each change of the call, from the thread that made it (so it must
    // be quick), until the Watch is destroyed; not after its destructor returns.
    class Watch {
      public:
        Watch() = default;
        Watch(Watch&& other) noexcept;
        Watch& operator=(Watch&& other) noexcept;
        ~Watch();

      private:
        friend class LivePartials;
        Watch(const LivePartials* owner, std::uint64_t id) : m_owner(owner), m_id(id) {}
        const LivePartials* m_owner = nullptr;
        std::uint64_t m_id = 0;
    };
    [[nodiscard]] Watch watch(const CallSid& call, std::function<void()> wake);

    static constexpr std::size_t max_calls = 10'000;

  private:
    void forget(std::uint64_t watch_id) const;

    mutable std::mutex m_mutex;
    std::map<CallSid, std::vector<Partial>> m_partials;
    // Separate from m_mutex: a wake never runs under the lock that guards the partials.
    struct Watcher {
        CallSid call;
        std::function<void()> wake;
    };
    mutable std::mutex m_watch_mutex;
    mutable std::map<std::uint64_t, Watcher> m_watchers;
    mutable std::uint64_t m_next_watch = 1;
};

// The labels of the call's latest transcription session (its started callback), or the
// defaults.
twilio::RttLabels live_labels(const ApiContext& context, const CallSid& call);
// The call's final utterances, assembled with its labels ("" when none). `source` is where they
// came from: media_stream when the latest session is a stream's (its SID, MZ…, names it),
// else twilio_rtt.
std::string assemble_live_transcript(const ApiContext& context, const CallSid& call,
                                     std::size_t* utterance_count = nullptr,
                                     store::RealtimeSource* source = nullptr);

// The call's final utterances saved as its realtime transcript (from `source`, as
// assemble_live_transcript tells; one posted to the API is kept). Nothing when it has none.
// A store failure throws ApiError (503), as stored() does.
struct SavedLiveTranscript {
    std::size_t utterances = 0;
    std::size_t chars = 0;
    store::RealtimeSource source = store::RealtimeSource::twilio_rtt;
    bool api_kept = false; // one posted to the API was there: it stays
};
std::optional<SavedLiveTranscript> save_live_transcript(const ApiContext& context,
                                                        const CallSid& call);

net::ServerResponse get_live_transcript(const ApiContext& context,
                                        const net::ServerRequest& request,
                                        const PathParams& params);

} // namespace callscribe::api
