#pragma once
// Word error rate, with the normalisation of the speech evaluation set's scorer (eval/wer.py):
// lower case; every character but a-z, 0-9 and space becomes a space, apostrophes vanish
// ("i'd" == "id"); mr/mrs/dr are spelled out as the CMU dictionary does.

#include <string>
#include <string_view>
#include <vector>

namespace callscribe::stt {

std::vector<std::string> normalised_words(std::string_view text);

struct WordErrors {
    int reference_words = 0;
    int substitutions = 0;
    int deletions = 0;
    int insertions = 0;

    int errors() const { return substitutions + deletions + insertions; }
    double rate() const { return reference_words ? double(errors()) / reference_words : 0.0; }
    WordErrors& operator+=(const WordErrors& o);
};

// Levenshtein alignment over normalised words, ties broken as wer.py breaks them.
WordErrors word_errors(std::string_view reference, std::string_view hypothesis);

} // namespace callscribe::stt
