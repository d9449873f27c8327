// stt::whisper::inspect_model_file on any bytes (a model file as a download or a disk could
// leave it): no crash, no read past the end, no huge allocation; a file it accepts has every
// tensor its header implies.

#include "fuzz_support.hpp"
#include "stt/whisper/model_file.hpp"

using namespace callscribe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::ScratchFile file("model.bin");
    auto info = stt::whisper::inspect_model_file(file.write(data, size));
    if (!info) {
        FUZZ_CHECK(!info.error().message.empty());
        FUZZ_CHECK(info.error().message.find('\n') == std::string::npos);
        return 0;
    }
    const auto& h = info->header;
    FUZZ_CHECK(info->bytes == size);
    FUZZ_CHECK(info->tensors == 11 + 15 * h.n_audio_layer + 24 * h.n_text_layer);
    return 0;
}
