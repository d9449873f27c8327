// Word error rate and real-time factor of an offline engine over the speech evaluation set.
//
// usage: stt_bench [--eval DIR] [--conditions clean,phone_mp3,phone_wav] [--preset fast|accurate]
// [--option -KEY=VALUE]...
//                  [--repeat N] [--no-vad] [--vad-hangover S] [--vad-pre-roll S] [--hyps DIR]
//                  [--engine pocketsphinx|whisper] [--model FILE] [--threads N]
// Prints one row per condition and subset. RTF = decoding CPU seconds of the process / audio
// seconds (per core with one thread); model load time is measured and printed apart. For
// whisper, `model%` is the share of the transcription's wall time spent inside whisper_full():
// the rest is what callscribe adds around it (decode, resample, VAD, windowing, guards, merge).

#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "stt/whisper/whisper_engine.hpp"
#include "stt/word_error_rate.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

namespace {

using namespace callscribe;

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

double wall_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Totals {
    int utterances = 0;
    stt::WordErrors errors;
    double audio_s = 0, cpu_s = 0, wall_s = 0, speech_s = 0, model_s = 0;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, sep);)
        if (!item.empty()) out.push_back(item);
    return out;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int usage() {
    fmt::print(stderr, "usage: stt_bench [--eval DIR] [--conditions clean,phone_mp3,phone_wav] "
                       "[--preset fast|accurate] [--option -KEY=VALUE]... [--repeat N] [--no-vad] "
                       "[--vad-hangover S] [--vad-pre-roll S] [--hyps DIR] "
                       "[--engine pocketsphinx|whisper] [--model FILE] [--threads N]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::string eval_dir = CALLSCRIBE_EVAL_DIR;
    std::vector<std::string> conditions = {"clean", "phone_mp3"};
    std::string hyps_dir;
    int repeat = 3;
    auto settings = stt::pocketsphinx_defaults(CALLSCRIBE_PS_MODEL_DIR);
    std::string engine_name = "pocketsphinx";
    stt::whisper::WhisperSettings whisper;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (arg == "--eval") {
            eval_dir = value();
        } else if (arg == "--conditions") {
            conditions = split(value(), ',');
        } else if (arg == "--option") {
            auto kv = value();
            auto eq = kv.find('=');
            if (eq == std::string::npos || kv.empty() || kv[0] != '-') return usage();
            settings.options.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else if (arg == "--preset") {
            auto preset = stt::parse_preset(value());
            if (!preset) return usage();
            settings.preset = *preset;
        } else if (arg == "--vad-hangover") {
            settings.vad.hangover_s = std::atof(value().c_str());
        } else if (arg == "--vad-pre-roll") {
            settings.vad.pre_roll_s = std::atof(value().c_str());
        } else if (arg == "--repeat") {
            repeat = std::max(1, std::atoi(value().c_str()));
        } else if (arg == "--no-vad") {
            settings.skip_silence = false;
        } else if (arg == "--hyps") {
            hyps_dir = value();
        } else if (arg == "--engine") {
            engine_name = value();
            if (engine_name != "pocketsphinx" && engine_name != "whisper") return usage();
        } else if (arg == "--model") {
            whisper.model = value();
        } else if (arg == "--threads") {
            whisper.threads = std::max(1, std::atoi(value().c_str()));
        } else {
            return usage();
        }
    }

    std::vector<nlohmann::json> utterances;
    std::ifstream manifest(eval_dir + "/manifest.jsonl");
    if (!manifest) {
        fmt::print(stderr, "stt_bench: cannot read {}/manifest.jsonl\n", eval_dir);
        return 2;
    }
    for (std::string line; std::getline(manifest, line);)
        if (!line.empty()) utterances.push_back(nlohmann::json::parse(line));

    if (engine_name == "whisper" && whisper.model.empty()) {
        fmt::print(
            "engine whisper: skipped (no --model FILE given; `callscribe models fetch "
            "base.en` downloads one, `callscribe models make-test-model` makes a test one)\n");
        return 0;
    }
    double load_start = wall_seconds();
    auto engine = engine_name == "whisper" ? stt::whisper::make_whisper_engine(whisper)
                                           : stt::make_pocketsphinx_engine(settings);
    if (!engine) {
        fmt::print(stderr, "stt_bench: {}\n", engine.error().message);
        return 2;
    }
    auto transcriber = (*engine)->make_transcriber();
    double load_s = wall_seconds() - load_start;

    std::string options;
    for (const auto& [k, v] : stt::preset_options(settings.preset))
        options += fmt::format(" {} {}", k, v);
    for (const auto& [k, v] : settings.options)
        options += fmt::format(" {} {}", k, v);
    if (engine_name == "whisper") {
        fmt::print("engine whisper, model {}, {} thread(s), silence skipped (VAD), guards on\n",
                   whisper.model.string(), whisper.threads);
    } else {
        fmt::print("engine pocketsphinx, preset {}, options:{}{}\n",
                   settings.preset == stt::Preset::fast ? "fast" : "accurate", options,
                   settings.skip_silence ? ", silence skipped (VAD)" : ", no VAD");
    }
    fmt::print(
        "model load: {:.2f} s (excluded from RTF); RTF = median of {} decodes per utterance\n\n",
        load_s, repeat);
    fmt::print("{:<10} {:<6} {:>4} {:>5} {:>4} {:>4} {:>4} {:>7} {:>8} {:>8} {:>8} {:>7}\n",
               "condition", "subset", "utts", "words", "sub", "del", "ins", "WER", "audio_s",
               "RTF/core", "speech%", "model%");

    int failures = 0;
    for (const auto& condition : conditions) {
        std::map<std::string, Totals> totals;
        std::ofstream hyps;
        if (!hyps_dir.empty()) hyps.open(hyps_dir + "/" + condition + ".tsv");
        for (const auto& u : utterances) {
            if (!u.contains(condition)) {
                fmt::print(stderr, "stt_bench: {} has no {}\n", u["id"].get<std::string>(),
                           condition);
                return 2;
            }
            std::string path = eval_dir + "/" + u[condition].get<std::string>();
            // The machine's speed wanders from run to run: each utterance is decoded `repeat`
            // times and its median time counts (the text is the same every time).
            std::vector<double> cpus, walls, models;
            Result<stt::Transcript> transcript = fail("not run");
            for (int r = 0; r < repeat; ++r) {
                double cpu0 = cpu_seconds(), wall0 = wall_seconds();
                transcript = transcriber->transcribe(path);
                cpus.push_back(cpu_seconds() - cpu0);
                walls.push_back(wall_seconds() - wall0);
                models.push_back(transcript ? transcript->model_s : 0);
            }
            double cpu = median(cpus), wall = median(walls), model = median(models);
            std::string text;
            if (transcript) {
                text = transcript->text();
            } else {
                fmt::print(stderr, "stt_bench: {}\n", transcript.error().message);
                ++failures;
            }
            double audio = u["duration_s"].get<double>();
            auto errors = stt::word_errors(u["text"].get<std::string>(), text);
            double speech = 0;
            if (transcript)
                for (const auto& s : transcript->segments)
                    speech += s.end_s - s.start_s;
            for (const auto& key : {u["subset"].get<std::string>(), std::string("ALL")}) {
                auto& t = totals[key];
                ++t.utterances;
                t.errors += errors;
                t.audio_s += audio;
                t.cpu_s += cpu;
                t.wall_s += wall;
                t.speech_s += speech;
                t.model_s += model;
            }
            if (hyps)
                hyps << fmt::format("{}\t{:.3f}\t{:.3f}\t{:.4f}\t{}\n", u["id"].get<std::string>(),
                                    audio, cpu, cpu / audio, text);
        }
        for (const auto& [subset, t] : totals) {
            if (subset == "ALL") continue;
            fmt::print("{:<10} {:<6} {:>4} {:>5} {:>4} {:>4} {:>4} {:>6.1f}% {:>8.1f} {:>8.3f} "
                       "{:>7.0f}% {:>6.1f}%\n",
                       condition, subset, t.utterances, t.errors.reference_words,
                       t.errors.substitutions, t.errors.deletions, t.errors.insertions,
                       100 * t.errors.rate(), t.audio_s, t.cpu_s / t.audio_s,
                       100 * t.speech_s / t.audio_s, 100 * t.model_s / t.wall_s);
        }
        const auto& t = totals["ALL"];
        fmt::print(
            "{:<10} {:<6} {:>4} {:>5} {:>4} {:>4} {:>4} {:>6.1f}% {:>8.1f} {:>8.3f} {:>7.0f}% "
            "{:>6.1f}%\n",
            condition, "ALL", t.utterances, t.errors.reference_words, t.errors.substitutions,
            t.errors.deletions, t.errors.insertions, 100 * t.errors.rate(), t.audio_s,
            t.cpu_s / t.audio_s, 100 * t.speech_s / t.audio_s, 100 * t.model_s / t.wall_s);
    }
    return failures ? 1 : 0;
}
