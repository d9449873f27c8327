#include "stt/transcript.hpp"

#include <algorithm>

namespace callscribe::stt {

std::string Transcript::text() const {
    const bool has_speakers =
        std::ranges::any_of(segments, [](const Segment& s) { return !s.speaker.empty(); });
    std::string out;
    const std::string* turn_speaker = nullptr;
    for (const auto& segment : segments) {
        if (segment.text.empty()) continue;
        if (has_speakers && (turn_speaker == nullptr || *turn_speaker != segment.speaker)) {
            // A new turn: one line per change of speaker.
            if (!out.empty()) out += '\n';
            out += segment.speaker.empty() ? std::string("Unknown") : segment.speaker;
            out += ": ";
            turn_speaker = &segment.speaker;
        } else if (!out.empty()) {
            out += ' ';
        }
        out += segment.text;
    }
    return out;
}

} // namespace callscribe::stt
