#include "webhook/transcript_choice.hpp"

#include "core/text.hpp"
#include "webhook/webhook_log.hpp"

namespace callscribe::webhook {

namespace {} // namespace

TranscriptChoice choose_transcript(std::string_view final_transcript,
                                   std::string_view realtime_transcript) {
    if (auto text = trim_whitespace(final_transcript); !text.empty())
        return {store::TranscriptSource::offline, std::string(text)};
    if (auto text = trim_whitespace(realtime_transcript); !text.empty())
        return {store::TranscriptSource::realtime, std::string(text)};
    return {store::TranscriptSource::none, {}};
}

TranscriptChoice choose_transcript_for(const store::CallLog& call) {
    return choose_transcript(call.final_transcript, call.realtime_transcript);
}

std::size_t count_chars(std::string_view text) {
    std::size_t count = 0;
    for (char c : text) // every byte but a continuation byte (10xxxxxx) starts a code point
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
    return count;
}

} // namespace callscribe::webhook
