// libstdc++ 13 added std::ios_base_library_init() (GLIBCXX_3.4.32) and GCC 13 emits a call to it from
// every translation unit that includes <iostream>. TorchSharp's native library was built that way, so it
// fails to load on Debian 12 (libstdc++ 12). Older libstdc++ initialises its standard streams itself, so
// an empty definition is all that is missing. eng/LibStdCxxFix.targets links this next to the patched copy.
extern "C" void clipup_ios_base_library_init() __asm__("_ZSt21ios_base_library_initv");
extern "C" void clipup_ios_base_library_init() {}
