#pragma once
// What Twilio's Real-Time Transcription of a sandbox call sends to its status callback
// (docs/twilio-realtime-transcription.md): `transcription-started` with the track labels, one
// final `transcription-content` per spoken line, `transcription-stopped`, each signed by the
// CallbackSender like Twilio's other callbacks. SequenceId counts the session's events from 1
// in the order the lines were spoken.
//
// Knobs for what a receiver must survive: the contents sent in another order than spoken (a
// fixed permutation drawn from `seed`, so a test can replay it) and some of them sent twice (a
// retried callback). `transcription-stopped` always goes last.
//
// Pure; thread-safe.
#include "core/sid.hpp"
#include "sandbox/callback_sender.hpp"
#include "twilio/realtime_transcription.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace callscribe::sandbox {

struct SpokenLine {
    twilio::RttTrack track = twilio::RttTrack::inbound;
    std::string text{};
};

struct TranscriptionScript {
    std::string url{};               // the status callback URL, as the signature covers it
    std::string transcription_sid{}; // "GT…"; a new random one for each session when empty
    Seconds delay{0};                // before the callbacks go out
    std::vector<SpokenLine> lines{};
    bool shuffled = false; // contents in another order than spoken
    bool partials = false; // each line's first words as a partial result before its final one
    Seconds spacing{0};    // between consecutive callbacks (after `delay` for the first)
    int duplicates = 0;    // this many contents sent a second time
    std::uint32_t seed = 1;
    std::string inbound_label{}; // sent in transcription-started when set
    std::string outbound_label{};
};

// The callbacks of one transcription session `transcription_sid` ("GT…") of `call`.
std::vector<Callback> transcription_callbacks(const std::string& account_sid, const CallSid& call,
                                              const std::string& transcription_sid,
                                              const TranscriptionScript& script);

} // namespace callscribe::sandbox
