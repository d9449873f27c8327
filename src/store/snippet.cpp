#include "store/snippet.hpp"

#include <algorithm>
#include <string>

namespace callscribe::store {
namespace {

constexpr std::string_view k_ellipsis = "…";

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

// Whether `text` holds a word: a letter or digit (any byte of a multi-byte character counts).
bool has_word(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x80 || (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z');
    });
}

// `transcript` as the snippet functions saw it: the markers replaced by spaces.
std::string marker_free(std::string_view transcript) {
    std::string text(transcript);
    std::replace(text.begin(), text.end(), k_match_start, ' ');
    std::replace(text.begin(), text.end(), k_match_end, ' ');
    return text;
}

// Whether words of the transcript come before and after `excerpt` (markers removed).
std::pair<bool, bool> words_around(std::string_view excerpt, const CallLog& call) {
    if (excerpt.empty()) return {false, false};
    for (const std::string* transcript : {&call.final_transcript, &call.realtime_transcript}) {
        const std::string text = marker_free(*transcript);
        const auto at = text.find(excerpt);
        if (at == std::string::npos) continue;
        return {has_word(std::string_view(text).substr(0, at)),
                has_word(std::string_view(text).substr(at + excerpt.size()))};
    }
    return {false, false};
}

} // namespace

std::vector<SnippetPiece> split_snippet(std::string_view marked, const CallLog& call) {
    std::vector<SnippetPiece> pieces;
    std::string excerpt; // `marked` without its markers, as it stands in the transcript
    SnippetPiece current;
    const auto flush = [&] {
        if (!current.text.empty()) pieces.push_back(current);
        current.text.clear();
    };
    for (const char c : marked) {
        if (c == k_match_start || c == k_match_end) {
            flush();
            current.match = c == k_match_start;
            continue;
        }
        excerpt += c;
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\r' || c == '\t') {
            current.text += ' ';
        } else if (!is_control(u)) {
            current.text += c;
        }
    }
    flush();
    if (pieces.empty()) return pieces;
    const auto [before, after] = words_around(excerpt, call);
    if (before) {
        if (pieces.front().match) {
            pieces.insert(pieces.begin(), SnippetPiece{std::string(k_ellipsis), false});
        } else {
            pieces.front().text.insert(0, k_ellipsis);
        }
    }
    if (after) {
        if (pieces.back().match) {
            pieces.push_back(SnippetPiece{std::string(k_ellipsis), false});
        } else {
            pieces.back().text += k_ellipsis;
        }
    }
    return pieces;
}

} // namespace callscribe::store
