#include "stt/whisper/model_file.hpp"

#include <ggml.h>

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace callscribe::stt::whisper {
namespace {

constexpr std::uint32_t k_magic = GGML_FILE_MAGIC;
constexpr std::int32_t k_vocab_english = 51864; // English-only; multilingual models have more
constexpr std::int32_t k_vocab_max = 60000;
constexpr std::int32_t k_fft_bins = 201;      // Whisper's 400-sample FFT
constexpr std::int32_t k_text_tokens = 50256; // GPT-2's vocabulary: the ids below <|endoftext|>

// What decides a tensor's type: 1-D tensors, conv biases and positional embeddings are f32,
// the conv kernels f16 (f32 in an all-f32 model), every other matrix the model's weight type.
enum class Kind { f32, conv, weight };

struct TensorSpec {
    std::string name;
    std::array<std::int64_t, 3> ne; // ggml order: ne[0] is the innermost dimension
    int n_dims;
    Kind kind;
};

std::vector<TensorSpec> expected_tensors(const ModelHeader& h) {
    const std::int64_t s = h.n_audio_state, t = h.n_text_state;
    std::vector<TensorSpec> out = {
        {"encoder.positional_embedding", {s, h.n_audio_ctx, 1}, 2, Kind::f32},
        {"encoder.conv1.weight", {3, h.n_mels, s}, 3, Kind::conv},
        {"encoder.conv1.bias", {1, s, 1}, 2, Kind::f32},
        {"encoder.conv2.weight", {3, s, s}, 3, Kind::conv},
        {"encoder.conv2.bias", {1, s, 1}, 2, Kind::f32},
        {"encoder.ln_post.weight", {s, 1, 1}, 1, Kind::f32},
        {"encoder.ln_post.bias", {s, 1, 1}, 1, Kind::f32},
        {"decoder.positional_embedding", {t, h.n_text_ctx, 1}, 2, Kind::f32},
        {"decoder.token_embedding.weight", {t, h.n_vocab, 1}, 2, Kind::weight},
        {"decoder.ln.weight", {t, 1, 1}, 1, Kind::f32},
        {"decoder.ln.bias", {t, 1, 1}, 1, Kind::f32},
    };
    auto attention = [&](const std::string& prefix, const std::string& ln, std::int64_t n) {
        out.push_back({prefix + ln + ".weight", {n, 1, 1}, 1, Kind::f32});
        out.push_back({prefix + ln + ".bias", {n, 1, 1}, 1, Kind::f32});
        const std::string attn = prefix + ln.substr(0, ln.size() - 3); // "attn_ln" → "attn"
        for (const char* part : {"query", "key", "value", "out"}) {
            out.push_back({fmt::format("{}.{}.weight", attn, part), {n, n, 1}, 2, Kind::weight});
            if (std::string_view(part) != "key") // Whisper's key projections have no bias
                out.push_back({fmt::format("{}.{}.bias", attn, part), {n, 1, 1}, 1, Kind::f32});
        }
    };
    auto block = [&](const std::string& prefix, std::int64_t n, bool cross) {
        out.push_back({prefix + "mlp_ln.weight", {n, 1, 1}, 1, Kind::f32});
        out.push_back({prefix + "mlp_ln.bias", {n, 1, 1}, 1, Kind::f32});
        out.push_back({prefix + "mlp.0.weight", {n, 4 * n, 1}, 2, Kind::weight});
        out.push_back({prefix + "mlp.0.bias", {4 * n, 1, 1}, 1, Kind::f32});
        out.push_back({prefix + "mlp.2.weight", {4 * n, n, 1}, 2, Kind::weight});
        out.push_back({prefix + "mlp.2.bias", {n, 1, 1}, 1, Kind::f32});
        attention(prefix, "attn_ln", n);
        if (cross) attention(prefix, "cross_attn_ln", n);
    };
    for (int i = 0; i < h.n_audio_layer; ++i)
        block(fmt::format("encoder.blocks.{}.", i), s, false);
    for (int i = 0; i < h.n_text_layer; ++i)
        block(fmt::format("decoder.blocks.{}.", i), t, true);
    return out;
}

// The weight types whisper.cpp maps from a header's ftype; any other value makes ggml abort.
bool known_ftype(std::int32_t ftype) {
    return ftype == 0 || ftype == 1 || ftype == 2 || ftype == 3 || (ftype >= 7 && ftype <= 25);
}

ggml_type type_of(Kind kind, ggml_type wtype) {
    switch (kind) {
    case Kind::f32:
        return GGML_TYPE_F32;
    case Kind::conv:
        return wtype == GGML_TYPE_F32 ? GGML_TYPE_F32 : GGML_TYPE_F16;
    case Kind::weight:
        return wtype;
    }
    return wtype;
}

std::uint64_t bytes_of(ggml_type type, std::int64_t elements) {
    return std::uint64_t(elements) * ggml_type_size(type) / std::uint64_t(ggml_blck_size(type));
}

std::string size_name(std::int32_t audio_layers) {
    switch (audio_layers) {
    case 4:
        return "tiny";
    case 6:
        return "base";
    case 12:
        return "small";
    case 24:
        return "medium";
    case 32:
        return "large";
    default:
        return "unknown";
    }
}

// Reads little-endian values from the file, remembering where a read fell short.
class Reader {
  public:
    explicit Reader(std::ifstream& in) : m_in(in) {}
    template <class T> bool read(T& value) {
        m_in.read(reinterpret_cast<char*>(&value), sizeof value);
        return bool(m_in);
    }
    bool read_bytes(std::string& out, std::size_t n) {
        out.resize(n);
        m_in.read(out.data(), std::streamsize(n));
        return bool(m_in);
    }
    std::uint64_t offset() { return std::uint64_t(m_in.tellg()); }
    void skip_to(std::uint64_t offset) { m_in.seekg(std::streamoff(offset)); }

  private:
    std::ifstream& m_in;
};

Result<ModelHeader> check_header(const ModelHeader& h) {
    auto bad = [](std::string_view what, std::int64_t value) {
        return fail(fmt::format("implausible header: {} = {}", what, value));
    };
    if (h.n_vocab < k_vocab_english || h.n_vocab > k_vocab_max) return bad("n_vocab", h.n_vocab);
    for (auto [what, value, max] : {std::tuple{"n_audio_ctx", h.n_audio_ctx, 4096},
                                    std::tuple{"n_audio_state", h.n_audio_state, 8192},
                                    std::tuple{"n_audio_head", h.n_audio_head, 256},
                                    std::tuple{"n_audio_layer", h.n_audio_layer, 128},
                                    std::tuple{"n_text_ctx", h.n_text_ctx, 4096},
                                    std::tuple{"n_text_state", h.n_text_state, 8192},
                                    std::tuple{"n_text_head", h.n_text_head, 256},
                                    std::tuple{"n_text_layer", h.n_text_layer, 128}}) {
        if (value < 1 || value > max) return bad(what, value);
    }
    if (h.n_text_state != h.n_audio_state)
        return fail(fmt::format("implausible header: n_text_state {} differs from n_audio_state {}",
                                h.n_text_state, h.n_audio_state));
    if (h.n_audio_state % h.n_audio_head != 0 || h.n_text_state % h.n_text_head != 0)
        return fail("implausible header: the state does not divide into the attention heads");
    if (h.n_mels != 80 && h.n_mels != 128) return bad("n_mels", h.n_mels);
    if (!known_ftype(h.ftype % GGML_QNT_VERSION_FACTOR)) return bad("ftype", h.ftype);
    return h;
}

Result<ModelFileInfo> inspect(std::ifstream& in, std::uint64_t file_bytes) {
    Reader r(in);
    std::uint32_t magic = 0;
    if (!r.read(magic) || magic != k_magic)
        return fail(fmt::format("not a ggml Whisper model (magic {:#010x}, expected {:#010x})",
                                magic, k_magic));
    ModelHeader h;
    for (std::int32_t* field :
         {&h.n_vocab, &h.n_audio_ctx, &h.n_audio_state, &h.n_audio_head, &h.n_audio_layer,
          &h.n_text_ctx, &h.n_text_state, &h.n_text_head, &h.n_text_layer, &h.n_mels, &h.ftype}) {
        if (!r.read(*field)) return fail("truncated: the file ends inside its header");
    }
    if (auto ok = check_header(h); !ok) return ok.error();
    const ggml_type wtype = ggml_ftype_to_ggml_type(ggml_ftype(h.ftype % GGML_QNT_VERSION_FACTOR));

    std::int32_t n_mel = 0, n_fft = 0;
    if (!r.read(n_mel) || !r.read(n_fft))
        return fail("truncated: the file ends before its mel filters");
    if (n_mel != h.n_mels || n_fft != k_fft_bins)
        return fail(fmt::format("mel filters of {}×{}, expected {}×{}", n_mel, n_fft, h.n_mels,
                                k_fft_bins));
    r.skip_to(r.offset() + std::uint64_t(n_mel) * std::uint64_t(n_fft) * sizeof(float));

    std::int32_t n_tokens = 0;
    if (!r.read(n_tokens)) return fail("truncated: the file ends before its vocabulary");
    if (n_tokens < 0 || n_tokens > h.n_vocab)
        return fail(fmt::format("a vocabulary of {} tokens in a model of {}", n_tokens, h.n_vocab));
    bool has_space = false; // whisper.cpp's decoder looks the " " token up and throws without it
    std::string token;
    for (std::int32_t i = 0; i < n_tokens; ++i) {
        std::uint32_t length = 0;
        if (!r.read(length)) return fail("truncated: the file ends inside its vocabulary");
        if (length > 1024)
            return fail(fmt::format("vocabulary token {} is {} bytes long", i, length));
        if (!r.read_bytes(token, length))
            return fail("truncated: the file ends inside its vocabulary");
        has_space = has_space || token == " ";
    }
    if (!has_space) return fail("the vocabulary lacks the token \" \"");

    std::map<std::string, TensorSpec> expected;
    for (auto& spec : expected_tensors(h))
        expected.emplace(spec.name, spec);
    std::set<std::string> seen;
    for (;;) {
        const std::uint64_t at = r.offset();
        if (at > file_bytes) return fail("truncated: the file ends inside its vocabulary");
        if (at == file_bytes) break;
        std::int32_t n_dims = 0, name_length = 0, type = 0;
        if (!r.read(n_dims) || !r.read(name_length) || !r.read(type))
            return fail(fmt::format("truncated: a tensor header at offset {} is cut", at));
        if (n_dims < 1 || n_dims > 3 || name_length < 1 || name_length > 256)
            return fail(fmt::format("corrupt tensor header at offset {}", at));
        std::array<std::int32_t, 3> ne{1, 1, 1};
        for (int d = 0; d < n_dims; ++d)
            if (!r.read(ne[std::size_t(d)]))
                return fail(fmt::format("truncated: a tensor header at offset {} is cut", at));
        std::string name;
        if (!r.read_bytes(name, std::size_t(name_length)))
            return fail(fmt::format("truncated: a tensor header at offset {} is cut", at));
        const auto spec = expected.find(name);
        if (spec == expected.end())
            return fail(fmt::format("unknown tensor '{}' at offset {}", name, at));
        if (!seen.insert(name).second) return fail(fmt::format("tensor '{}' appears twice", name));
        const auto& want = spec->second.ne;
        if (ne[0] != want[0] || ne[1] != want[1] || ne[2] != want[2])
            return fail(fmt::format("tensor '{}' has shape [{}, {}, {}], expected [{}, {}, {}]",
                                    name, ne[0], ne[1], ne[2], want[0], want[1], want[2]));
        if (type < 0 || type >= GGML_TYPE_COUNT || ggml_blck_size(ggml_type(type)) <= 0 ||
            ggml_type_size(ggml_type(type)) == 0)
            return fail(fmt::format("tensor '{}' has an unknown type {}", name, type));
        const std::int64_t elements = std::int64_t(want[0]) * want[1] * want[2];
        const std::uint64_t bytes = bytes_of(ggml_type(type), elements);
        if (bytes != bytes_of(type_of(spec->second.kind, wtype), elements))
            return fail(fmt::format("tensor '{}' is of type {}, which does not fit the model's {}",
                                    name, ggml_type_name(ggml_type(type)), ggml_type_name(wtype)));
        const std::uint64_t data = r.offset();
        if (data + bytes > file_bytes)
            return fail(fmt::format("truncated: tensor '{}' needs {} bytes at offset {}, the file "
                                    "ends at {}",
                                    name, bytes, data, file_bytes));
        r.skip_to(data + bytes);
    }
    for (const auto& [name, spec] : expected)
        if (!seen.contains(name)) return fail(fmt::format("tensor '{}' is missing", name));

    ModelFileInfo info;
    info.header = h;
    info.bytes = file_bytes;
    info.tensors = int(seen.size());
    info.multilingual = h.n_vocab > k_vocab_english;
    info.size_name = size_name(h.n_audio_layer);
    info.weight_type = ggml_type_name(wtype);
    return info;
}

// Writes little-endian values; remembers a failed write.
class Writer {
  public:
    explicit Writer(std::ofstream& out) : m_out(out) {}
    template <class T> void put(const T& value) {
        m_out.write(reinterpret_cast<const char*>(&value), sizeof value);
    }
    void put_bytes(std::string_view bytes) {
        m_out.write(bytes.data(), std::streamsize(bytes.size()));
    }

  private:
    std::ofstream& m_out;
};

// A token the test vocabulary spells: short ASCII syllables, some with a leading space (a word
// start), so the random model's text is readable rather than raw bytes.
std::string test_token(int i) {
    if (i == 0) return " ";
    static constexpr std::string_view consonants = "bdfgklmnprstvz";
    static constexpr std::string_view vowels = "aeiou";
    std::string token = i % 3 == 0 ? " " : "";
    for (int n = i; n > 0 || token.size() < 2; n /= 70) {
        token += consonants[std::size_t(n % 14)];
        token += vowels[std::size_t(n / 14 % 5)];
    }
    return token;
}

} // namespace

Result<ModelFileInfo> inspect_model_file(const std::filesystem::path& file) {
    auto failed = [&](const std::string& what) {
        return fail(fmt::format("{}: {}", file.string(), what));
    };
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status)) return failed("cannot open: no such file");
    if (std::filesystem::is_directory(status)) return failed("is a directory, not a model file");
    const std::uintmax_t bytes = std::filesystem::file_size(file, ec);
    if (ec) return failed(fmt::format("cannot open: {}", ec.message()));
    if (bytes == 0) return failed("empty file");
    std::ifstream in(file, std::ios::binary);
    if (!in) return failed("cannot open: permission denied or unreadable");
    auto info = inspect(in, bytes);
    if (!info) return failed(info.error().message);
    return info;
}

Result<void> write_test_model(const std::filesystem::path& file, const TestModelShape& shape) {
    if (shape.state < 8 || shape.heads < 1 || shape.layers < 1 || shape.state % shape.heads != 0)
        return fail(fmt::format("{}: a test model needs a state of at least 8 that divides into "
                                "its heads",
                                file.string()));
    ModelHeader h;
    h.n_vocab = shape.multilingual ? k_vocab_english + 1 : k_vocab_english;
    h.n_audio_ctx = 1500;
    h.n_audio_state = h.n_text_state = shape.state;
    h.n_audio_head = h.n_text_head = shape.heads;
    h.n_audio_layer = h.n_text_layer = shape.layers;
    h.n_text_ctx = 448;
    h.n_mels = 80;
    h.ftype = 1; // f16

    auto temp = file;
    temp += ".part";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        Writer w(out);
        w.put(k_magic);
        for (std::int32_t field :
             {h.n_vocab, h.n_audio_ctx, h.n_audio_state, h.n_audio_head, h.n_audio_layer,
              h.n_text_ctx, h.n_text_state, h.n_text_head, h.n_text_layer, h.n_mels, h.ftype})
            w.put(field);

        std::mt19937 random(shape.seed);
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        // Mel filters: triangles over the FFT bins, as Whisper's are, so the spectrogram is sane.
        w.put(h.n_mels);
        w.put(k_fft_bins);
        for (int m = 0; m < h.n_mels; ++m) {
            const float centre = 1.0f + float(m) * (k_fft_bins - 2) / float(h.n_mels);
            for (int f = 0; f < k_fft_bins; ++f)
                w.put(std::max(0.0f, 1.0f - std::abs(float(f) - centre) / 2.0f));
        }
        // Every text token (whisper.cpp adds the special ones from id 50256 on).
        w.put(k_text_tokens);
        for (int i = 0; i < k_text_tokens; ++i) {
            const std::string token = test_token(i);
            w.put(std::uint32_t(token.size()));
            w.put_bytes(token);
        }
        for (const auto& spec : expected_tensors(h)) {
            const ggml_type type = type_of(spec.kind, GGML_TYPE_F16);
            w.put(std::int32_t(spec.n_dims));
            w.put(std::int32_t(spec.name.size()));
            w.put(std::int32_t(type));
            for (int d = 0; d < spec.n_dims; ++d)
                w.put(std::int32_t(spec.ne[std::size_t(d)]));
            w.put_bytes(spec.name);
            // Norms scale by one, biases start at zero, and everything else is small noise.
            const bool norm = spec.name.find("ln") != std::string::npos;
            const bool bias = spec.name.ends_with(".bias");
            const float scale = 1.0f / std::sqrt(float(spec.ne[0]));
            const std::int64_t n = spec.ne[0] * spec.ne[1] * spec.ne[2];
            for (std::int64_t i = 0; i < n; ++i) {
                const float value = norm && !bias ? 1.0f : bias ? 0.0f : uniform(random) * scale;
                if (type == GGML_TYPE_F32) {
                    w.put(value);
                } else {
                    w.put(ggml_fp32_to_fp16(value));
                }
            }
        }
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(temp, ec);
            return fail(fmt::format("{}: cannot write the model file", file.string()));
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, file, ec);
    if (ec)
        return fail(
            fmt::format("{}: cannot write the model file: {}", file.string(), ec.message()));
    return {};
}

} // namespace callscribe::stt::whisper
