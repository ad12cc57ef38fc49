// The RedisClient module; see README.md for its place in swiftbeat.
