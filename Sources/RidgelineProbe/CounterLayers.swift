import Foundation
import Ridgeline

/// The counting back-ends, best first.
public enum CounterLayer: String, CaseIterable, Sendable {
    case papi
    case perfEvent = "perf_event"
    case rusage
}

/// The best back-end this machine offers, wrapped so that what it says about itself also says
/// which better layers were passed over and why: records list those reasons in
/// `counters.unavailable` under the layer's name ("papi": PAPI's own `disabled_reason`, verbatim).
///
/// Where the chosen layer cannot count context switches (kernel-mode counting refused by
/// perf_event_paranoid), getrusage's count rides along, so the harness can still leave out the
/// repetitions another thread disturbed.
public struct LayeredCounters: CounterSource {
    public private(set) var chosen: any CounterSource
    /// Better layers that could not count here, with the reason, best first.
    public let passedOver: [(layer: CounterLayer, reason: String)]
    private var switches: RusageCounters?
    static let switchesEvent = "rusage::CONTEXT-SWITCHES"

    public var source: String { chosen.source }
    public var events: [String] { chosen.events + (switches == nil ? [] : [Self.switchesEvent]) }
    public var unavailable: [String: String] {
        var all = chosen.unavailable
        for (layer, reason) in passedOver { all[layer.rawValue] = reason }
        return all
    }
    public mutating func start() throws {
        try switches?.start()
        try chosen.start()
    }
    public mutating func stop() throws -> [String: Int64] {
        var values = try chosen.stop()
        if let rusage = try switches?.stop() { values[Self.switchesEvent] = rusage[Self.switchesEvent] }
        return values
    }

    init(chosen: any CounterSource, passedOver: [(layer: CounterLayer, reason: String)]) {
        self.chosen = chosen
        self.passedOver = passedOver
        let countsSwitches = chosen.events.contains { $0.hasSuffix("CONTEXT-SWITCHES") }
        switches = countsSwitches ? nil : try? RusageCounters()
    }

    /// Tries the layers best first (or only `only`) and keeps the first that counts at least one
    /// event. Throws, with every layer's reason, when none does.
    public init(only: CounterLayer? = nil, environment: CounterEnvironment = .probed()) throws {
        var passed: [(layer: CounterLayer, reason: String)] = []
        for layer in only.map({ [$0] }) ?? CounterLayer.allCases {
            do {
                self.init(chosen: try Self.make(layer, environment: environment), passedOver: passed)
                return
            } catch RidgelineError.unavailable(_, let reason) {
                passed.append((layer, reason))
            }
        }
        throw RidgelineError.unavailable(
            what: "counters", reason: passed.map { "\($0.layer.rawValue): \($0.reason)" }.joined(separator: "; "))
    }

    /// One layer's source; throws `RidgelineError.unavailable` with the reason it counts nothing here.
    public static func make(_ layer: CounterLayer, environment: CounterEnvironment) throws -> any CounterSource {
        switch layer {
        case .papi:
            let papi = try PAPICounters(environment: environment)
            guard papi.events.isEmpty else { return papi }
            throw RidgelineError.unavailable(
                what: "PAPI counting",
                reason: PAPILibrary.perfEventDisabledReason()
                    .map { "PAPI's perf_event component is disabled: \($0)" } ?? "PAPI offers none of the events Ridgeline counts")
        case .perfEvent: return try PerfEventCounters(environment: environment)
        case .rusage: return try RusageCounters()
        }
    }
}
