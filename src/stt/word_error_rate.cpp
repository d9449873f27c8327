#include "stt/word_error_rate.hpp"

#include <array>

namespace callscribe::stt {

std::vector<std::string> normalised_words(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        if (word == "mr")
            word = "mister";
        else if (word == "mrs")
            word = "missus";
        else if (word == "dr")
            word = "doctor";
        words.push_back(std::move(word));
        word.clear();
    };
    for (char c : text) {
        if (c == '\'') continue;
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            word += c;
        } else {
            flush();
        }
    }
    flush();
    return words;
}

WordErrors& WordErrors::operator+=(const WordErrors& o) {
    reference_words += o.reference_words;
    substitutions += o.substitutions;
    deletions += o.deletions;
    insertions += o.insertions;
    return *this;
}

WordErrors word_errors(std::string_view reference, std::string_view hypothesis) {
    auto ref = normalised_words(reference);
    auto hyp = normalised_words(hypothesis);
    // cell = {edits, substitutions, deletions, insertions}
    using Cell = std::array<int, 4>;
    std::vector<Cell> prev(hyp.size() + 1), cur(hyp.size() + 1);
    for (std::size_t j = 0; j <= hyp.size(); ++j)
        prev[j] = {int(j), 0, 0, int(j)};
    for (std::size_t i = 1; i <= ref.size(); ++i) {
        cur[0] = {int(i), 0, int(i), 0};
        for (std::size_t j = 1; j <= hyp.size(); ++j) {
            Cell best = prev[j - 1];
            if (ref[i - 1] != hyp[j - 1]) {
                ++best[0];
                ++best[1];
            }
            if (prev[j][0] + 1 < best[0])
                best = {prev[j][0] + 1, prev[j][1], prev[j][2] + 1, prev[j][3]};
            if (cur[j - 1][0] + 1 < best[0])
                best = {cur[j - 1][0] + 1, cur[j - 1][1], cur[j - 1][2], cur[j - 1][3] + 1};
            cur[j] = best;
        }
        std::swap(prev, cur);
    }
    const Cell& end = prev[hyp.size()];
    return {int(ref.size()), end[1], end[2], end[3]};
}

} // namespace callscribe::stt
