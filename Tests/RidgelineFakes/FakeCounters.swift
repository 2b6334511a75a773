import Ridgeline
import RidgelineProbe

/// What a scripted counter source was asked, shared by its copies (a harness holds its own).
public final class CounterCalls: @unchecked Sendable {
    public internal(set) var starts = 0
    public internal(set) var stops = 0
    public init() {}
}

/// A counter source whose readings a test scripts: the n-th `stop()` (from 0) returns
/// `reading(n)`; `start()` or `stop()` can be made to throw from a given call on. It counts
/// nothing: it tests what the harness and the layers do with counts.
public struct ScriptedCounters: CounterSource {
    public var source: String
    public var events: [String]
    public var unavailable: [String: String] = [:]
    public var reading: (Int) -> [String: Int64]
    /// The first `start()` call (from 0) that throws, and every later one.
    public var failStartFrom: Int?
    /// The first `stop()` call (from 0) that throws, and every later one.
    public var failStopFrom: Int?
    public let calls = CounterCalls()

    public init(source: String = "scripted", events: [String], reading: @escaping (Int) -> [String: Int64]) {
        self.source = source; self.events = events; self.reading = reading
    }

    /// Counts `events` with every value 0 (no repetition disturbed).
    public init(source: String, events: [String]) {
        self.init(source: source, events: events) { _ in Dictionary(uniqueKeysWithValues: events.map { ($0, 0) }) }
    }

    public mutating func start() throws {
        defer { calls.starts += 1 }
        if let from = failStartFrom, calls.starts >= from { throw ScriptedFailure(call: "start", number: calls.starts) }
    }

    public mutating func stop() throws -> [String: Int64] {
        defer { calls.stops += 1 }
        if let from = failStopFrom, calls.stops >= from { throw ScriptedFailure(call: "stop", number: calls.stops) }
        return reading(calls.stops)
    }
}

/// The error a scripted counter source throws.
public struct ScriptedFailure: Error, CustomStringConvertible {
    public var call: String
    public var number: Int
    public init(call: String, number: Int) { self.call = call; self.number = number }
    public var description: String { "scripted \(call) failure at call \(number)" }
}

/// Counting layers as a test sets them: each opens a scripted source or refuses with a reason
/// (`RidgelineError.unavailable`, as the real layers do); every layer asked for is recorded.
public final class FakeCounterLayers: CounterLayerOpener, @unchecked Sendable {
    public var sources: [CounterLayer: ScriptedCounters] = [:]
    public var refusals: [CounterLayer: String] = [:]
    public private(set) var opened: [CounterLayer] = []

    public init(sources: [CounterLayer: ScriptedCounters] = [:], refusals: [CounterLayer: String] = [:]) {
        self.sources = sources; self.refusals = refusals
    }

    public func open(_ layer: CounterLayer) throws -> any CounterSource {
        opened.append(layer)
        if let source = sources[layer] { return source }
        throw RidgelineError.unavailable(what: "\(layer.rawValue) counting", reason: refusals[layer] ?? "not scripted")
    }
}
