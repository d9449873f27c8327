#pragma once
// The TwiML that POST /twilio/voice answers for an incoming (or outgoing) call: start the
// recording callscribe transcribes afterwards and the live transcript (Twilio's Real-Time
// Transcription, or a Media Stream to callscribe itself, or neither), then go on with the call as
// the operator configured.
//
//   <Response>
//     <Start><Transcription statusCallbackUrl="{public}/twilio/transcription-status"
//                           track="both_tracks" partialResults="true"/></Start>
//     or <Start><Stream url="wss://{public host}/twilio/media" track="both_tracks"/></Start>
//     <Start><Recording channels="dual" track="both"
//                       recordingStatusCallback="{public}/twilio/recording-status"
//                       recordingStatusCallbackEvent="completed absent"/></Start>
//     <Dial>+15551234567</Dial>  |  <Dial><Sip>sip:…</Sip></Dial>  | <Redirect>https://…</Redirect>
//   </Response>
//
// Pure; thread-safe.
#include "config/config.hpp"

#include <string>
#include <string_view>

namespace callscribe::twilio {

struct VoiceTwiml {
    std::string public_url;    // CALLSCRIBE_PUBLIC_URL, no trailing '/'
    bool transcription = true; // Twilio's Real-Time Transcription (CALLSCRIBE_REALTIME=twilio)
    bool media_stream = false; // a Media Stream of both tracks (CALLSCRIBE_REALTIME=stream)
    config::VoiceContinue next;
};

// The URL with its http scheme made a WebSocket one (https:// → wss://, http:// → ws://): where
// Twilio connects a stream, and the URL it signs the upgrade over.
std::string websocket_url(std::string_view http_url);

// The TwiML document. `next` must be set (kind != none).
std::string voice_twiml(const VoiceTwiml& voice);

// `text` safe inside an XML attribute value or element: & < > " ' as entities.
std::string xml_escaped(std::string_view text);

} // namespace callscribe::twilio
