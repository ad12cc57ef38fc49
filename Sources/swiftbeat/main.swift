print("swiftbeat")
