# cmake -DOUTPUT=<file.cpp> -DPRESETS="<a.yaml|b.yaml>" -P EmbedPresets.cmake
# Writes the preset specs into a C++ table so the tool carries them with it.
string(REPLACE "|" ";" PRESETS "${PRESETS}")
set(body "")
foreach(preset ${PRESETS})
  get_filename_component(name ${preset} NAME_WE)
  file(READ ${preset} text)
  string(APPEND body "    {\"${name}\", R\"cnnc_preset(${text})cnnc_preset\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from frontend/presets/*.yaml by EmbedPresets.cmake.
#include \"frontend/Presets.h\"

namespace cnnc {
const EmbeddedPreset kEmbeddedPresets[] = {
${body}};
const size_t kNumEmbeddedPresets = sizeof(kEmbeddedPresets) / sizeof(kEmbeddedPresets[0]);
} // namespace cnnc
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
