// Twilio Media Streams messages (twilio::parse_media_message) and a whole stream of them through
// a media stream session, as GET /twilio/media drives one: one message per line of the input.
// No crash; a message that parses carries the members of its event; every close code is one of
// the documented ones; and however the stream ends, its recording is completed (no .part left).

#include "fuzz_support.hpp"
#include "live/media_streams.hpp"
#include "twilio/media_stream.hpp"

#include <set>

using namespace callscribe;

namespace {

const std::filesystem::path& recordings_dir() {
    static const std::filesystem::path dir = [] {
        auto path = std::filesystem::temp_directory_path() /
                    ("callscribe-fuzz-media-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
        return path;
    }();
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    if (auto message = twilio::parse_media_message(text)) {
        FUZZ_CHECK(message->event != twilio::MediaEvent::start || message->start.has_value());
        FUZZ_CHECK(message->event != twilio::MediaEvent::media || message->media.has_value());
    }

    std::error_code ec;
    std::filesystem::remove_all(recordings_dir(), ec);
    std::filesystem::create_directories(recordings_dir());
    {
        live::MediaStreams streams(live::MediaStreamSettings{.recordings_dir = recordings_dir()});
        auto session = streams.open_session();
        static const std::set<std::uint16_t> documented{1003, 1007, 1008, 1011};
        std::string_view rest = text;
        while (!rest.empty()) {
            const auto newline = rest.find('\n');
            const auto line = rest.substr(0, newline);
            rest =
                newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
            if (auto close = session->on_text(line)) {
                FUZZ_CHECK(documented.contains(close->code));
                break; // the server closes the connection: nothing more is read
            }
        }
        session->on_end("the fuzzer's stream ended");
    }
    for (const auto& entry : std::filesystem::directory_iterator(recordings_dir())) {
        const auto name = entry.path().filename().string();
        FUZZ_CHECK(!name.ends_with(".part"));
    }
    return 0;
}
