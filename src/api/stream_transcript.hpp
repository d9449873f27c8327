#pragma once
// Where the live transcript of a media stream goes (live/live_transcription.hpp), so that it
// reads like Twilio's Real-Time Transcription everywhere else: each final utterance is stored as
// one of the call's realtime utterances (the session is the stream's SID), partial results feed
// LivePartials, and when the stream has been transcribed to its end, the call's utterances
// become its realtime transcript (realtime_source media_stream; one posted to the API is kept).
// GET /api/calls/{sid}/live and the webhook's fallback need nothing else.
//
// A store that fails loses the utterance's live copy only (one log line): the recording and the
// offline transcript do not depend on it.
//
// Log line: [MEDIA] stream MZ… of call CA…: realtime transcript from the stream (12
//           utterances, 640 chars)
//
// Thread-safe (see ApiContext).
#include "api/api_context.hpp"
#include "live/live_transcription.hpp"

namespace callscribe::api {

class StreamTranscript final : public live::LiveTranscriptSink {
  public:
    explicit StreamTranscript(const ApiContext& context) : m_context(context) {}

    void utterance(const live::LiveUtterance& utterance) override;
    void stream_done(const CallSid& call, const std::string& stream_sid) override;

  private:
    const ApiContext& m_context;
};

} // namespace callscribe::api
