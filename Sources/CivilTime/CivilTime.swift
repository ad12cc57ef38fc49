// The CivilTime module; see README.md for its place in swiftbeat.
