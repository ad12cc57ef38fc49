// The BeatRunner module; see README.md for its place in swiftbeat.
