#pragma once
// Downloading a Whisper model file: resumable, verified, renamed into place.
//
// fetch_model() downloads `{base_url}/{file name}` into `dir` through a `.part` file beside the
// target. A `.part` left by a broken download is resumed with a Range request (a server that
// answers 200 instead of 206 starts it over). The whole file is then checked against the known
// size and SHA-256; only a file that matches is fsynced and renamed to its final name, so the
// final name never holds a partial or corrupt model. A target that is there and matches already
// is not downloaded again.
//
// Failures, one line each: a 404 or other status (naming the URL without its query), a
// broken connection (the `.part` is kept: running again resumes), a size or checksum mismatch
// (the `.part` is removed: it cannot be resumed into a good file), a folder that cannot be
// written. Thread-safe as its HttpClient; two fetches of one file at once are not supported.

#include "core/result.hpp"
#include "net/http_client.hpp"
#include "stt/whisper/model_catalog.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace callscribe::stt::whisper {

struct FetchResult {
    std::filesystem::path file;
    std::uint64_t downloaded = 0; // bytes that came over the network this time
    std::uint64_t resumed_from = 0;
    bool already_there = false;
};

// Bytes of the file so far, out of its full size.
using FetchProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

Result<FetchResult> fetch_model(const KnownModel& model, std::string_view base_url,
                                const std::filesystem::path& dir, net::HttpClient& http,
                                const FetchProgress& progress = {});

// The SHA-256 of a file as lower-case hex. Fails naming the file when it cannot be read.
Result<std::string> sha256_of_file(const std::filesystem::path& file);

} // namespace callscribe::stt::whisper
