// The AMQPClient module; see README.md for its place in swiftbeat.
