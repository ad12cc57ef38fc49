// The CeleryMessage module; see README.md for its place in swiftbeat.
