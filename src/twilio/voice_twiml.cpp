#include "twilio/voice_twiml.hpp"

#include "core/result.hpp"

#include <fmt/format.h>

namespace callscribe::twilio {

std::string xml_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string voice_twiml(const VoiceTwiml& voice) {
    using Kind = config::VoiceContinue::Kind;
    CALLSCRIBE_ASSERT(voice.next.kind != Kind::none);
    const std::string base = xml_escaped(voice.public_url);
    std::string twiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>\n";
    if (voice.transcription) {
        twiml += fmt::format("  <Start><Transcription statusCallbackUrl=\"{}/twilio/"
                             "transcription-status\" track=\"both_tracks\" "
                             "partialResults=\"true\"/></Start>\n",
                             base);
    }
    twiml += fmt::format("  <Start><Recording channels=\"dual\" track=\"both\" "
                         "recordingStatusCallback=\"{}/twilio/recording-status\" "
                         "recordingStatusCallbackEvent=\"completed absent\"/></Start>\n",
                         base);
    const std::string target = xml_escaped(voice.next.target);
    switch (voice.next.kind) {
    case Kind::dial_number:
        twiml += fmt::format("  <Dial>{}</Dial>\n", target);
        break;
    case Kind::dial_sip:
        twiml += fmt::format("  <Dial><Sip>{}</Sip></Dial>\n", target);
        break;
    case Kind::redirect:
        twiml += fmt::format("  <Redirect method=\"POST\">{}</Redirect>\n", target);
        break;
    case Kind::none:
        break;
    }
    twiml += "</Response>\n";
    return twiml;
}

} // namespace callscribe::twilio
