#include "fakes/scripted_twilio.hpp"

#include "core/base64.hpp"

#include "support/temp_dir.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace callscribe::fakes {

const std::string k_account = "AC" + std::string(32, 'a');
const std::string k_token = "twilio-test-token";
const CallSid k_call = *CallSid::parse("CA" + std::string(32, '1'));
const RecordingSid k_recording = *RecordingSid::parse("RE" + std::string(32, '2'));

std::string audio_bytes() {
    return test_support::read_file(std::filesystem::path(CALLSCRIBE_EVAL_DIR) /
                                   "synth/phone/flt01.mp3");
}

// What Twilio expects: HTTP Basic with the account sid and the auth token.
config::TwilioSettings twilio_settings(std::string api_base) {
    config::TwilioSettings settings;
    settings.account_sid = k_account;
    settings.auth_token = Secret(k_token);
    settings.api_base = std::move(api_base);
    return settings;
}

std::string basic_auth_header() {
    const std::string plain = k_account + ":" + k_token;
    return "Basic " + encode_base64(plain);
}

std::string ScriptedTwilio::recording_json(const Meta& meta) const {
    return fmt::format(
        R"({{"sid":"{}","call_sid":"{}","account_sid":"{}","status":"{}","duration":{},)"
        R"("channels":1,"uri":"/2010-04-01/Accounts/{}/Recordings/{}.json","error_code":{}}})",
        k_recording.str(), k_call.str(), k_account, meta.status, meta.duration, k_account,
        k_recording.str(), meta.status == "absent" ? "16102" : "null");
}

FakeResponse ScriptedTwilio::answer(const FakeRequest& request) {
    std::lock_guard lock(mutex);
    const std::string base = "/2010-04-01/Accounts/" + k_account;
    if (request.header("authorization") != basic_auth_header()) {
        return FakeResponse::json(401, R"({"code":20003,"message":"Authenticate","status":401})");
    }
    const std::string path = request.path();
    if (path == base + "/Recordings/" + k_recording.str() + ".json") {
        const Meta& meta = metadata[std::min<std::size_t>(fetches, metadata.size() - 1)];
        ++fetches;
        return FakeResponse::json(200, recording_json(meta));
    }
    if (path == base + "/Calls/" + k_call.str() + "/Recordings.json") {
        const Meta& meta = metadata[std::min<std::size_t>(fetches, metadata.size() - 1)];
        ++fetches;
        return FakeResponse::json(
            200, list_empty ? R"({"recordings":[]})"
                            : fmt::format(R"({{"recordings":[{}]}})", recording_json(meta)));
    }
    const std::string media_path = base + "/Recordings/" + k_recording.str();
    if (path.starts_with(media_path)) {
        const std::string form = path.substr(media_path.size());
        const int n = media_requests++;
        if (media) return media(n, form);
        FakeResponse ok{200, {{"Content-Type", "audio/mpeg"}}, audio_bytes()};
        return ok;
    }
    return FakeResponse::json(404, R"({"code":20404,"message":"not found","status":404})");
}

} // namespace callscribe::fakes
