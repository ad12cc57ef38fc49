// Only the header matters: the driver lives in the fuzzer runtime. SwiftPM needs a source file.
