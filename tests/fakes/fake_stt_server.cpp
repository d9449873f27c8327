#include "fakes/fake_stt_server.hpp"

#include "fakes/multipart.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace callscribe::fakes {

using nlohmann::json;

FakeSttReply FakeSttReply::hello() {
    FakeSttReply reply;
    reply.segments = {{0.0, 2.5, " Hello there."}, {2.5, 5.0, " How can I help you today?"}};
    reply.words = {{"Hello", 0.0, 0.5}, {"there", 0.5, 1.0}, {"How", 2.6, 2.8},
                   {"can", 2.8, 3.0},   {"I", 3.0, 3.1},     {"help", 3.1, 3.4},
                   {"you", 3.4, 3.6},   {"today", 3.6, 4.2}};
    return reply;
}

FakeSttServer::FakeSttServer(std::string api_key, FakeSttReply reply)
    : m_api_key(std::move(api_key)), m_reply(std::move(reply)),
      m_server([this](const FakeRequest& request) { return handle(request); }) {}

void FakeSttServer::set_reply(FakeSttReply reply) {
    std::lock_guard lock(m_mutex);
    m_reply = std::move(reply);
}

void FakeSttServer::queue_response(FakeResponse response) {
    std::lock_guard lock(m_mutex);
    m_script.push_back(std::move(response));
}

void FakeSttServer::queue_reply(FakeSttReply reply) {
    std::lock_guard lock(m_mutex);
    m_script.push_back(std::move(reply));
}

void FakeSttServer::queue_failures(int count, int status, FakeHeaders headers) {
    const std::string message = status == 429
                                    ? "Rate limit reached for requests"
                                    : "The server had an error while processing your request.";
    const std::string type = status == 429 ? "requests" : "server_error";
    for (int i = 0; i < count; ++i) {
        FakeResponse response = FakeResponse::json(status, error_json(message, type));
        response.headers.insert(response.headers.end(), headers.begin(), headers.end());
        queue_response(std::move(response));
    }
}

std::vector<FakeSttUpload> FakeSttServer::uploads() const {
    std::lock_guard lock(m_mutex);
    return m_uploads;
}

std::string FakeSttServer::error_json(std::string_view message, std::string_view type,
                                      std::optional<std::string_view> code) {
    return json{{"error",
                 {{"message", message},
                  {"type", type},
                  {"param", nullptr},
                  {"code", code ? json(*code) : json(nullptr)}}}}
        .dump();
}

FakeResponse FakeSttServer::handle(const FakeRequest& request) {
    if (request.path() != "/v1/audio/transcriptions") {
        return FakeResponse::json(
            404, error_json("Invalid URL (" + request.method + " " + request.path() + ")",
                            "invalid_request_error"));
    }
    if (request.method != "POST") {
        return FakeResponse::json(405, error_json("Method not allowed", "invalid_request_error"));
    }
    const auto authorization = request.header("authorization");
    if (!m_api_key.empty() && authorization != "Bearer " + m_api_key) {
        const std::string message =
            authorization ? "Incorrect API key provided."
                          : "You didn't provide an API key. You need to provide your API key in an "
                            "Authorization header using Bearer auth.";
        const auto code =
            authorization ? std::optional<std::string_view>("invalid_api_key") : std::nullopt;
        return FakeResponse::json(401, error_json(message, "invalid_request_error", code));
    }

    const auto parts = parse_multipart(request.header("content-type").value_or(""), request.body);
    if (!parts) {
        return FakeResponse::json(
            400, error_json("Could not parse multipart form", "invalid_request_error"));
    }
    const MultipartPart* file = find_part(*parts, "file");
    const MultipartPart* model = find_part(*parts, "model");
    if (file == nullptr || !file->filename) {
        return FakeResponse::json(400,
                                  error_json("you must provide a file", "invalid_request_error"));
    }
    if (model == nullptr || model->data.empty()) {
        return FakeResponse::json(
            400, error_json("you must provide a model parameter", "invalid_request_error"));
    }

    FakeSttUpload upload{.authorization = authorization,
                         .model = model->data,
                         .language = std::nullopt,
                         .response_format = std::nullopt,
                         .timestamp_granularities = {},
                         .filename = file->filename,
                         .content_type = file->content_type,
                         .file = file->data};
    if (const auto* part = find_part(*parts, "language")) upload.language = part->data;
    if (const auto* part = find_part(*parts, "response_format"))
        upload.response_format = part->data;
    for (const auto& part : *parts) {
        if (part.name == "timestamp_granularities[]")
            upload.timestamp_granularities.push_back(part.data);
    }

    FakeSttReply reply;
    {
        std::lock_guard lock(m_mutex);
        m_uploads.push_back(upload);
        if (m_script.empty()) {
            reply = m_reply;
        } else {
            auto scripted = std::move(m_script.front());
            m_script.pop_front();
            if (auto* response = std::get_if<FakeResponse>(&scripted)) return std::move(*response);
            reply = std::move(std::get<FakeSttReply>(scripted));
        }
    }

    std::string text;
    for (const auto& segment : reply.segments)
        text += segment.text;
    text = text.substr(std::min(text.find_first_not_of(' '), text.size()));
    const std::string format = upload.response_format.value_or("json");
    if (format == "text") return FakeResponse::text(200, text + "\n");
    if (format == "json") return FakeResponse::json(200, json{{"text", text}}.dump());
    if (format != "verbose_json") {
        return FakeResponse::json(400, error_json("response_format must be one of json, text, "
                                                  "verbose_json",
                                                  "invalid_request_error"));
    }

    const auto& granularities = upload.timestamp_granularities;
    const bool want_words = std::ranges::count(granularities, "word") > 0;
    const bool want_segments =
        granularities.empty() || std::ranges::count(granularities, "segment") > 0;
    json body{{"task", "transcribe"},
              {"language", reply.language},
              {"duration", reply.duration},
              {"text", text}};
    if (want_segments) {
        json segments = json::array();
        for (std::size_t i = 0; i < reply.segments.size(); ++i) {
            const auto& segment = reply.segments[i];
            segments.push_back({{"id", i},
                                {"seek", 0},
                                {"start", segment.start},
                                {"end", segment.end},
                                {"text", segment.text},
                                {"tokens", {50364, 2425, 456, 13}},
                                {"temperature", 0.0},
                                {"avg_logprob", -0.2},
                                {"compression_ratio", 1.1},
                                {"no_speech_prob", 0.01}});
        }
        body["segments"] = std::move(segments);
    }
    if (want_words) {
        json words = json::array();
        for (const auto& word : reply.words) {
            words.push_back({{"word", word.word}, {"start", word.start}, {"end", word.end}});
        }
        body["words"] = std::move(words);
    }
    return FakeResponse::json(200, body.dump());
}

} // namespace callscribe::fakes
