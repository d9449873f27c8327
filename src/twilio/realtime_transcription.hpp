#pragma once
// Twilio's Real-Time Transcription (`<Start><Transcription statusCallbackUrl=…>`, or the Call
// Transcriptions REST resource): its status callbacks read into values, and a call's final
// utterances assembled into one transcript. What Twilio sends, with its sources:
// docs/twilio-realtime-transcription.md.
//
// - parse_rtt_event() reads one callback's form: the event (started, content, stopped, error),
//   the session (TranscriptionSid) and its SequenceId, and per event the labels, the utterance
//   or the error. Parameters it does not know are ignored (Twilio adds some without notice).
//   A missing or malformed field is an Error naming it (the route answers 400).
// - assemble_rtt_transcript() orders final utterances by SequenceId (one counter per session,
//   shared by the tracks), keeps one per sequence number (a retried callback repeats one) and
//   writes a line per turn, "Caller: …" / "Agent: …", as the offline transcript of a
//   two-channel call does.
//
// Pure functions; thread-safe.
#include "core/result.hpp"
#include "net/url_encoding.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::twilio {

enum class RttEventKind { started, content, stopped, error };
enum class RttTrack { inbound, outbound };

std::string_view to_string(RttEventKind kind);
std::string_view to_string(RttTrack track); // "inbound_track" | "outbound_track"

// One final or partial result of one track.
struct RttUtterance {
    std::int64_t sequence = 0;
    RttTrack track = RttTrack::inbound;
    std::string text;
    bool final = true;
    std::optional<double> confidence{}; // only when Twilio sends it (final results)
};

struct RttEvent {
    RttEventKind kind = RttEventKind::content;
    std::string transcription_sid; // "GT…"
    std::int64_t sequence = 0;     // SequenceId: per session, from 1
    // transcription-started: the labels the session was given (empty when none).
    std::string inbound_label{};
    std::string outbound_label{};
    // transcription-content
    std::optional<RttUtterance> utterance{};
    // transcription-error
    std::optional<int> error_code{};
    std::string error{};
};

Result<RttEvent> parse_rtt_event(const net::FormFields& form);

// Who speaks on each track; an empty label falls back to the default.
struct RttLabels {
    std::string inbound = "Caller";
    std::string outbound = "Agent";
};

// Who speaks on `track`: its label, or the default when the label is empty.
std::string speaker(const RttLabels& labels, RttTrack track);

// The call's realtime transcript from its final utterances (partial ones are skipped), in any
// order and with repeats. Empty when there is no final utterance with text.
std::string assemble_rtt_transcript(std::vector<RttUtterance> utterances,
                                    const RttLabels& labels = {});

} // namespace callscribe::twilio
