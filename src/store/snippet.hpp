#pragma once
// The excerpt of a search hit, shared by the SQL adapters: the database's own snippet function
// (FTS5 snippet(), PostgreSQL ts_headline) wraps each matched word in k_match_start …
// k_match_end; split_snippet() turns that text into pieces.
//
// The markers are control characters. So that they cannot come from a transcript, the adapters
// give the snippet functions each transcript with these two replaced by spaces, and
// split_snippet() leaves out every other control character.
//
// Pure; thread-safe.
#include "store/store.hpp"

#include <string_view>
#include <vector>

namespace callscribe::store {

inline constexpr char k_match_start = '\x02';
inline constexpr char k_match_end = '\x03';

// Splits `marked` (the snippet function's output over one of `call`'s transcripts) into pieces:
// the marked words are `match` pieces, the text between them plain ones; tabs and line breaks
// become spaces, other control characters are dropped, and empty pieces are left out. When the
// excerpt is found in one of the call's transcripts with more words before or after it, "…"
// stands for them.
std::vector<SnippetPiece> split_snippet(std::string_view marked, const CallLog& call);

} // namespace callscribe::store
