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

std::string websocket_url(std::string_view http_url) {
    if (http_url.starts_with("https://")) return fmt::format("wss://{}", http_url.substr(8));
    if (http_url.starts_with("http://")) return fmt::format("ws://{}", http_url.substr(7));
    return std::string(http_url);
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
    if (voice.media_stream) {
        twiml += fmt::format("  <Start><Stream url=\"{}/twilio/media\" track=\"both_tracks\"/>"
                             "</Start>\n",
                             xml_escaped(websocket_url(voice.public_url)));
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
