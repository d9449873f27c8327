#include "stt/transcript.hpp"

namespace callscribe::stt {

std::string Transcript::text() const {
    std::string out;
    const Segment* previous = nullptr;
    for (const auto& segment : segments) {
        if (segment.text.empty()) continue;
        if (segment.speaker.empty()) {
            if (!out.empty()) out += ' ';
        } else if (previous && previous->speaker == segment.speaker) {
            out += ' '; // the same speaker goes on: one line per turn
        } else {
            if (!out.empty()) out += '\n';
            out += segment.speaker + ": ";
        }
        out += segment.text;
        previous = &segment;
    }
    return out;
}

std::string speaker_label(const std::vector<std::string>& labels, std::size_t channel) {
    if (channel < labels.size()) return labels[channel];
    return "Channel " + std::to_string(channel + 1);
}

} // namespace callscribe::stt
