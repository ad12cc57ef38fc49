// The JSON module; see README.md for its place in swiftbeat.
