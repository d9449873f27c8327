#pragma once
// A fake OpenAI-compatible transcription service on FakeHttpServer, speaking the wire format of
// `POST /v1/audio/transcriptions`: a multipart body with `file` and `model` (400 otherwise),
// `Authorization: Bearer {key}` when a key is configured (401 otherwise), OpenAI's error JSON,
// and a verbose_json answer with segments and, when asked for, words.
//
// Scripted answers (429 with Retry-After, 503, a malformed body, a hang-up, or a reply of its own)
// can be queued; each is served, in order, to one request that passed the checks above, instead
// of the reply set for all. All methods are thread-safe.

#include "fakes/fake_http_server.hpp"

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace callscribe::fakes {

struct FakeSttSegment {
    double start = 0;
    double end = 0;
    std::string text; // as OpenAI sends it, usually with a leading space
};

struct FakeSttWord {
    std::string word;
    double start = 0;
    double end = 0;
};

struct FakeSttReply {
    std::string language = "english";
    double duration = 5.0;
    std::vector<FakeSttSegment> segments;
    std::vector<FakeSttWord> words;

    // " Hello there." (0–2.5 s) and " How can I help you today?" (2.5–5 s), with word times.
    static FakeSttReply hello();
};

// What one request that passed the checks carried.
struct FakeSttUpload {
    std::optional<std::string> authorization;
    std::string model;
    std::optional<std::string> language;
    std::optional<std::string> response_format;
    std::vector<std::string> timestamp_granularities;
    std::optional<std::string> filename;
    std::string content_type; // of the file part
    std::string file;         // the uploaded bytes
};

class FakeSttServer {
  public:
    // With an empty `api_key` requests need no Authorization.
    explicit FakeSttServer(std::string api_key = {}, FakeSttReply reply = FakeSttReply::hello());

    // "http://127.0.0.1:{port}", the engine's base_url.
    std::string base_url() const { return m_server.url(""); }

    void set_reply(FakeSttReply reply);
    void queue_response(FakeResponse response);
    // A reply for one request only, answered in the format it asked for, as the set reply is.
    void queue_reply(FakeSttReply reply);
    // `count` answers of `status` with OpenAI's error JSON and the given headers.
    void queue_failures(int count, int status, FakeHeaders headers = {});

    std::vector<FakeSttUpload> uploads() const;
    std::size_t request_count() const { return m_server.request_count(); }

    // OpenAI's error body: {"error":{"message":...,"type":...,"param":null,"code":...}}.
    static std::string error_json(std::string_view message, std::string_view type,
                                  std::optional<std::string_view> code = std::nullopt);

  private:
    FakeResponse handle(const FakeRequest& request);

    const std::string m_api_key;
    mutable std::mutex m_mutex;
    FakeSttReply m_reply;
    std::deque<std::variant<FakeResponse, FakeSttReply>> m_script;
    std::vector<FakeSttUpload> m_uploads;
    FakeHttpServer m_server; // last: stopped before the members its handler uses go away
};

} // namespace callscribe::fakes
