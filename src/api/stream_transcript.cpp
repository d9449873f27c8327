#include "api/stream_transcript.hpp"

#include "api/live_transcript.hpp"
#include "core/log.hpp"

namespace callscribe::api {

namespace {

twilio::RttTrack rtt_track(twilio::MediaTrack track) {
    return track == twilio::MediaTrack::outbound ? twilio::RttTrack::outbound
                                                 : twilio::RttTrack::inbound;
}

} // namespace

void StreamTranscript::utterance(const live::LiveUtterance& utterance) {
    const auto track = rtt_track(utterance.track);
    if (!utterance.final) {
        if (m_context.live_partials) {
            m_context.live_partials->set(
                utterance.call, {.track = track, .text = utterance.text, .at = utterance.heard_at});
        }
        return;
    }
    // Stored before the partial is cleared: a page woken by the clearing finds the final words.
    auto added = m_context.store.add_realtime_utterance(utterance.call,
                                                        {.session = utterance.stream_sid,
                                                         .sequence = utterance.sequence,
                                                         .track = std::string(to_string(track)),
                                                         .text = utterance.text},
                                                        m_context.clock.now());
    if (m_context.live_partials) m_context.live_partials->clear_track(utterance.call, track);
    if (!added) {
        log().error("[MEDIA] stream {} of call {}: utterance {} not saved: {}",
                    utterance.stream_sid, utterance.call.str(), utterance.sequence,
                    added.error().message);
    }
}

void StreamTranscript::stream_done(const CallSid& call, const std::string& stream_sid) {
    try {
        const auto saved = save_live_transcript(m_context, call);
        if (!saved) {
            log().info("[MEDIA] stream {} of call {}: no words heard live", stream_sid, call.str());
        } else if (saved->api_kept) {
            log().info("[MEDIA] stream {} of call {}: the realtime transcript posted to the API "
                       "is kept",
                       stream_sid, call.str());
        } else {
            log().info("[MEDIA] stream {} of call {}: realtime transcript from the stream ({} "
                       "utterances, {} chars)",
                       stream_sid, call.str(), saved->utterances, saved->chars);
        }
    } catch (const std::exception& e) { // the store's errors, as ApiError
        log().error("[MEDIA] stream {} of call {}: realtime transcript not saved: {}", stream_sid,
                    call.str(), e.what());
    }
    // After the save: the watchers woken by the clearing find the call's realtime transcript.
    if (m_context.live_partials) m_context.live_partials->clear(call);
}

} // namespace callscribe::api
