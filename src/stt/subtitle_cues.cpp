#include "stt/subtitle_cues.hpp"

#include <algorithm>
#include <sstream>

namespace callscribe::stt {

namespace {

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string word; in >> word;)
        words.push_back(word);
    return words;
}

// When each word starts and ends: the engine's word times when there is one per word of the
// text, else the segment's time shared out by characters.
struct WordTimes {
    std::vector<double> start, end;
};

WordTimes word_times(const Segment& segment, const std::vector<std::string>& words) {
    WordTimes times;
    const double from = std::max(0.0, segment.start_s);
    const double to = std::max(from, segment.end_s);
    if (segment.words.size() == words.size()) {
        for (const auto& word : segment.words) {
            times.start.push_back(std::clamp(word.start_s, from, to));
            times.end.push_back(std::clamp(word.end_s, from, to));
        }
        return times;
    }
    std::size_t total = 0;
    for (const auto& word : words)
        total += text_length(word) + 1;
    std::size_t before = 0;
    for (const auto& word : words) {
        times.start.push_back(from + (to - from) * double(before) / double(total));
        before += text_length(word) + 1;
        times.end.push_back(from + (to - from) * double(before) / double(total));
    }
    return times;
}

} // namespace

std::size_t text_length(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::vector<SubtitleCue> subtitle_cues(const Transcript& transcript, const SubtitleLimits& limits,
                                       bool speaker_in_text) {
    const std::size_t max_length = std::max<std::size_t>(1, limits.max_line_length);
    const std::size_t max_lines = std::max<std::size_t>(1, limits.max_line_count);
    std::vector<const Segment*> segments;
    for (const auto& s : transcript.segments)
        if (!split_words(s.text).empty()) segments.push_back(&s);
    std::stable_sort(segments.begin(), segments.end(),
                     [](const Segment* a, const Segment* b) { return a->start_s < b->start_s; });

    std::vector<SubtitleCue> cues;
    for (const Segment* segment : segments) {
        const auto words = split_words(segment->text);
        const WordTimes times = word_times(*segment, words);
        // SRT's "Speaker:" label leads each cue's first line and counts as a word of it; it
        // stands alone on that line when the first word does not fit beside it, and runs over
        // the limit only in one-line cues, where it cannot.
        const std::string label =
            speaker_in_text && !segment->speaker.empty() ? segment->speaker + ":" : "";
        SubtitleCue cue;
        std::size_t first_word = 0, line_length = 0;
        bool label_alone = false;
        auto start_cue = [&] {
            cue = SubtitleCue{.speaker = segment->speaker};
            line_length = 0;
            label_alone = !label.empty();
            if (label_alone) {
                cue.lines.push_back(label);
                line_length = text_length(label);
            }
        };
        auto close = [&](std::size_t last_word) {
            cue.start_s = times.start[first_word];
            cue.end_s = times.end[last_word];
            cues.push_back(std::move(cue));
            first_word = last_word + 1;
        };
        // Puts a word in the cue; false when the cue is full.
        auto place = [&](const std::string& word) {
            const std::size_t length = text_length(word);
            const bool fits = !cue.lines.empty() && line_length + 1 + length <= max_length;
            if (fits || (label_alone && cue.lines.size() == max_lines)) {
                cue.lines.back() += ' ' + word;
                line_length += 1 + length;
            } else if (cue.lines.size() < max_lines) {
                cue.lines.push_back(word);
                line_length = length;
            } else {
                return false;
            }
            label_alone = false;
            return true;
        };
        start_cue();
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (place(words[i])) continue;
            close(i - 1);
            start_cue();
            place(words[i]); // a fresh cue always takes a word
        }
        close(words.size() - 1);
    }
    // Monotonic and well-formed, whatever the engine's times.
    for (std::size_t i = 0; i < cues.size(); ++i) {
        if (i > 0) cues[i].start_s = std::max(cues[i].start_s, cues[i - 1].start_s);
        cues[i].end_s = std::max(cues[i].end_s, cues[i].start_s + 0.001);
    }
    return cues;
}

} // namespace callscribe::stt
