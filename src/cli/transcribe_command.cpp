#include "cli/transcribe_command.hpp"

#include "audio/decoder.hpp"
#include "cli/progress_bar.hpp"
#include "cli/transcribe_inputs.hpp"
#include "stt/formats.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

namespace callscribe::cli {
namespace {

// Output paths in DIR without their extension: the input's stem, numbered when a name is taken
// already (x.wav and x.mp3, or x-2.wav too) so that no transcript overwrites another.
std::vector<std::filesystem::path> output_stems(const std::vector<TranscribeInput>& inputs,
                                                const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    std::set<std::string> taken;
    for (const auto& input : inputs) {
        std::string stem = input.file.stem().string();
        std::string name = stem;
        for (int n = 2; !taken.insert(name).second; ++n)
            name = fmt::format("{}-{}", stem, n);
        out.push_back(dir / name);
    }
    return out;
}

// What --format asks for: one format, or `all` of them.
std::optional<std::vector<stt::Format>> parse_formats(const std::string& name) {
    if (name == "all")
        return std::vector{stt::Format::txt, stt::Format::json, stt::Format::srt, stt::Format::vtt};
    auto format = stt::parse_format(name);
    if (!format) return std::nullopt;
    return std::vector{*format};
}

// A recording's length from its header (or the container's estimate); 0 when it does not say
// or does not open (its turn will say why).
double audio_seconds(const std::filesystem::path& file) {
    auto decoder = audio::open_decoder(file);
    if (!decoder) return 0;
    const audio::AudioInfo& info = (*decoder)->info();
    if (info.estimated_frames <= 0 || info.sample_rate <= 0) return 0;
    return static_cast<double>(info.estimated_frames) / info.sample_rate;
}

ProgressStyle progress_style(const std::string& choice) {
    if (choice == "plain") return ProgressStyle::plain;
    if (choice == "bar") return ProgressStyle::bar;
    if (choice == "auto" && ProgressBar::stderr_is_terminal()) return ProgressStyle::bar;
    return ProgressStyle::none;
}

Result<void> write_file(const std::filesystem::path& path, const std::string& text) {
    auto temp = path;
    temp += ".part";
    {
        std::ofstream f(temp, std::ios::binary | std::ios::trunc);
        f << text;
        f.flush();
        if (!f) {
            std::error_code ec;
            std::filesystem::remove(temp, ec);
            return fail(fmt::format("{}: cannot write the transcript", path.string()));
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec)
        return fail(
            fmt::format("{}: cannot write the transcript: {}", path.string(), ec.message()));
    return {};
}

} // namespace

int run_transcribe(const TranscribeOptions& options, const stt::Engine& engine) {
    const auto formats = parse_formats(options.format);
    if (!formats) {
        fmt::print(stderr, "callscribe: --format {}: expected txt, json, srt, vtt or all\n",
                   options.format);
        return 2;
    }
    if (formats->size() > 1 && !options.output_dir) {
        fmt::print(stderr, "callscribe: --format all writes a file per format: give -o DIR\n");
        return 2;
    }
    auto gathered = TranscribeInputs::gather(options.files, options.recursive);
    if (!gathered) {
        fmt::print(stderr, "callscribe: {}\n", gathered.error().message);
        return 2;
    }
    const std::vector<TranscribeInput>& inputs = gathered->inputs();
    for (const auto& [folder, count] : gathered->unread_subfolders())
        fmt::print(stderr, "callscribe: {}: {} subfolder{} not read (--recursive reads them)\n",
                   folder.string(), count, count == 1 ? "" : "s");
    if (inputs.empty()) {
        fmt::print(stderr, "callscribe: nothing to transcribe: the folders given hold no files\n");
        return 1;
    }

    std::vector<std::filesystem::path> outputs; // without their extensions
    if (options.output_dir) {
        std::error_code ec;
        std::filesystem::create_directories(*options.output_dir, ec);
        if (ec) {
            fmt::print(stderr, "callscribe: -o {}: {}\n", options.output_dir->string(),
                       ec.message());
            return 2;
        }
        outputs = output_stems(inputs, *options.output_dir);
        // Two inputs with one name (x.wav, x.mp3): say where the second one's transcript went.
        const std::string extension =
            formats->size() == 1 ? std::string(stt::extension(formats->front())) : "*";
        for (std::size_t i = 0; i < outputs.size(); ++i) {
            if (outputs[i].filename() != inputs[i].file.stem())
                fmt::print(stderr, "callscribe: {} → {}.{} ({}.{} is another input's)\n",
                           inputs[i].name, outputs[i].string(), extension,
                           inputs[i].file.stem().string(), extension);
        }
    }

    // Before any work: what a folder holds that is not audio is set aside, and each file's
    // length read from its header, so that progress counts seconds of audio.
    const std::size_t n = inputs.size();
    std::vector<bool> not_audio(n, false);
    std::vector<double> seconds(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        if (inputs[i].from_folder) {
            auto audio = audio::holds_audio(inputs[i].file);
            not_audio[i] = audio && !*audio;
            if (not_audio[i]) {
                fmt::print(stderr, "callscribe: {}: skipped, not audio\n", inputs[i].name);
                continue;
            }
        }
        seconds[i] = audio_seconds(inputs[i].file);
    }
    std::vector<std::string> names;
    for (const auto& input : inputs)
        names.push_back(input.name);
    ProgressBar progress(progress_style(options.progress), names, seconds);
    for (std::size_t i = 0; i < n; ++i)
        if (not_audio[i]) progress.skipped(i);

    std::mutex print_mutex;
    std::atomic<std::size_t> next{0};
    std::atomic<int> failed{0};
    // Results printed to stdout keep the input order: each waits for its turn.
    std::vector<std::optional<std::string>> printed(n);
    std::size_t next_to_print = 0;

    auto report_error = [&](const std::string& message) {
        std::lock_guard lock(print_mutex);
        progress.clear();
        fmt::print(stderr, "callscribe: {}\n", message);
        ++failed;
    };
    auto flush_stdout = [&] { // with print_mutex held
        while (next_to_print < n && printed[next_to_print]) {
            const std::string& text = *printed[next_to_print];
            if (!text.empty()) {
                progress.clear();
                if (n > 1) fmt::print("==> {} <==\n", inputs[next_to_print].name);
                std::fwrite(text.data(), 1, text.size(), stdout);
                std::fflush(stdout);
            }
            ++next_to_print;
        }
    };

    auto work = [&] {
        auto transcriber = engine.make_transcriber();
        for (std::size_t i = next++; i < n; i = next++) {
            const TranscribeInput& input = inputs[i];
            if (not_audio[i]) {
                std::lock_guard lock(print_mutex);
                printed[i] = std::string();
                flush_stdout();
                continue;
            }
            const auto& file = input.file;
            transcriber->on_progress([&, i](double done, double) { progress.audio(i, done); });
            progress.started(i);
            // Every line names its input, whichever engine wrote the message.
            auto report = [&](std::string message) {
                if (message.starts_with(file.string()))
                    message = input.name + message.substr(file.string().size());
                else
                    message = fmt::format("{}: {}", input.name, message);
                report_error(message);
            };
            std::string text;
            bool ok = false;
            try {
                if (auto transcript = transcriber->transcribe(file); !transcript) {
                    report(transcript.error().message);
                } else if (options.output_dir) {
                    ok = true;
                    for (const stt::Format format : *formats) {
                        auto path = outputs[i];
                        path += ".";
                        path += stt::extension(format);
                        auto written =
                            write_file(path, stt::render(*transcript, format, options.subtitles));
                        if (!written) report(written.error().message);
                        ok = ok && written.has_value();
                    }
                } else {
                    text = stt::render(*transcript, formats->front(), options.subtitles);
                    ok = true;
                }
            } catch (const std::exception& e) { // one file's surprise must not end the batch
                report(e.what());
            }
            std::lock_guard lock(print_mutex);
            progress.finished(i, ok);
            printed[i] = std::move(text);
            flush_stdout();
        }
    };

    int jobs = std::clamp(options.jobs, 1, std::max(1, static_cast<int>(n)));
    std::vector<std::jthread> threads;
    for (int j = 1; j < jobs; ++j)
        threads.emplace_back(work);
    work();
    threads.clear();
    progress.summary();
    return failed > 0 ? 1 : 0;
}

} // namespace callscribe::cli
