#pragma once
// The webhook's priority rule (docs/webhook.md, `transcript`): the offline transcript
// when there is one, else the realtime transcript, else none.
//
// A transcript counts as present when it holds something besides whitespace (ASCII space, tab,
// CR, LF, FF, VT). The chosen text is sent with that surrounding whitespace removed.
//
// Lengths ("1234 chars" in the log lines) count Unicode code points of the UTF-8 text, not
// bytes: "é" is one char. Invalid UTF-8 is not rejected here; each byte that does not continue
// a sequence counts as one char.
//
// Pure functions, thread-safe.

#include "store/store.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace callscribe::webhook {

struct TranscriptChoice {
    store::TranscriptSource source = store::TranscriptSource::none;
    std::string text{}; // trimmed; empty when source is none
    friend bool operator==(const TranscriptChoice&, const TranscriptChoice&) = default;
};

// The rule alone, no logging.
TranscriptChoice choose_transcript(std::string_view final_transcript,
                                   std::string_view realtime_transcript);

// The rule applied to a call's transcripts. Its log line (webhook_log.hpp) is written by whoever
// saves the choice, once it is saved.
TranscriptChoice choose_transcript_for(const store::CallLog& call);

// Unicode code points in UTF-8 `text` (see the top of this file).
std::size_t count_chars(std::string_view text);

} // namespace callscribe::webhook
