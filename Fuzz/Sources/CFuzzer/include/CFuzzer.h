// libFuzzer's driver, from the fuzzer runtime `-sanitize=fuzzer` links (compiler-rt, LLVM 11 and
// later). The fuzz executable has a Swift `main` (SwiftPM renames an executable's entry point,
// so libFuzzer's own `main` cannot be the one that runs) and hands its arguments to this.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
