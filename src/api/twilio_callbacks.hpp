#pragma once
// Twilio's callbacks (form-encoded POSTs; reference/twilio-facts.md §2–3).
//
// Both first check who is calling, before reading anything else: when an auth token is set, the
// X-Twilio-Signature must match public_url + path + raw query and the form's parameters, and the
// AccountSid must be ours (when one is configured). Otherwise → 403 and nothing changes. Then
// the SIDs are validated (missing or malformed → 400).
//
// The answer is 204 No Content: a status callback's body is never read as TwiML, so there is
// nothing to say, and no body means no Content-Type for Twilio's debugger to complain about.
// The work happens later, on the workers; the handler only enqueues (idempotent: one job per
// call, so a retried callback changes nothing) and wakes them.
//
// POST /twilio/recording-status  RecordingStatusCallback
//   completed                 → enqueue (CallSid, RecordingSid); RecordingSid required
//   absent | failed           → enqueue too: the job sees the status, gives up at once and
//                               sends the fallback webhook (realtime transcript or none), so
//                               every call still ends with a webhook
//   in-progress, or unknown   → 204, nothing
// POST /twilio/call-status       call status callback
//   completed                 → enqueue (CallSid, RecordingSid when the call recorded)
//   busy | failed | no-answer | canceled
//                             → enqueue too: the call ended without a recording; the job finds
//                               none, spends its readiness backoff and sends the fallback webhook
//   anything else (ringing, in-progress, …) → 204, nothing
// POST /twilio/voice  the call's voice webhook (the phone number's "A call comes in", or Url= of
//   an outgoing call): TwiML that starts the recording and Twilio's transcription, then goes on
//   as CALLSCRIBE_VOICE_CONTINUE says (twilio/voice_twiml.hpp); 503 when it is not set
// POST /twilio/transcription-status  Twilio's Real-Time Transcription status callback
//                                    (docs/twilio-realtime-transcription.md)
//   transcription-started     → the session's track labels are kept
//   transcription-content     → a final utterance is kept (once per session and SequenceId:
//                               a retried callback changes nothing); a partial one is not
//   transcription-stopped     → the call's final utterances, in order and labelled by track,
//                               become its realtime transcript (realtime_source twilio_rtt),
//                               unless one was posted to /api/calls/{sid}/end
//   transcription-error       → a log line
//   A callback for a call callscribe does not know yet creates its row. A malformed one (bad
//   TranscriptionData, an unknown event, …) → 400 and one log line naming the field.
// GET /twilio/media  the WebSocket of a Twilio Media Stream (docs/media-streams.md; the
//   messages: live/media_streams.hpp). The upgrade is signed over the stream's URL,
//   wss://{public host}/twilio/media (ws:// when CALLSCRIBE_PUBLIC_URL is http://), with no
//   parameters → 403 otherwise; not an upgrade → 426; media streams off → 503.
//
// Thread-safe (see ApiContext).
#include "api/api_context.hpp"
#include "net/server/server_types.hpp"

namespace callscribe::api {

net::ServerResponse recording_status_callback(const ApiContext& context,
                                              const net::ServerRequest& request);
net::ServerResponse call_status_callback(const ApiContext& context,
                                         const net::ServerRequest& request);
net::ServerResponse voice_callback(const ApiContext& context, const net::ServerRequest& request);
net::ServerResponse transcription_status_callback(const ApiContext& context,
                                                  const net::ServerRequest& request);
net::ServerResponse media_stream_upgrade(const ApiContext& context,
                                         const net::ServerRequest& request);

} // namespace callscribe::api
