// The BeatCore module; see README.md for its place in swiftbeat.
