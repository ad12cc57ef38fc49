// Test-only helpers: real servers, Python workers, the swiftbeat binary.
