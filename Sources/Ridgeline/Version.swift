public let ridgelineVersion = "0.1.0"
