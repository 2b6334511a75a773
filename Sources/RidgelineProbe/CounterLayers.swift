import Foundation
import Ridgeline

/// The counting back-ends, best first.
public enum CounterLayer: String, CaseIterable, Sendable {
    case papi
    case perfEvent = "perf_event"
    case rusage
}

/// Opens one counting layer: what `LayeredCounters` picks through, best first. The machine's
/// layers are `SystemCounterLayers`; a test scripts them (`FakeCounterLayers` in Tests/RidgelineFakes)
/// to check the order and the fallbacks on any machine.
public protocol CounterLayerOpener {
    /// The layer's source, or `RidgelineError.unavailable` with the reason it counts nothing here.
    func open(_ layer: CounterLayer) throws -> any CounterSource
}

/// This machine's layers: PAPI, `perf_event_open` and `getrusage` (`LayeredCounters.make`).
public struct SystemCounterLayers: CounterLayerOpener {
    /// What the layers explain a missing event with; probed when a layer needs it, if nil.
    public var environment: CounterEnvironment?

    public init(environment: CounterEnvironment? = nil) { self.environment = environment }

    public func open(_ layer: CounterLayer) throws -> any CounterSource {
        try LayeredCounters.make(layer, environment: environment ?? .probed())
    }
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
    private var switches: (any CounterSource)?
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

    /// `chosen`, with getrusage's context switches (from `layers`) beside it when it counts none.
    init(
        chosen: any CounterSource, passedOver: [(layer: CounterLayer, reason: String)],
        layers: any CounterLayerOpener = SystemCounterLayers()
    ) {
        self.chosen = chosen
        self.passedOver = passedOver
        let countsSwitches = chosen.events.contains { $0.hasSuffix("CONTEXT-SWITCHES") }
        switches = countsSwitches ? nil : try? layers.open(.rusage)
    }

    /// Tries the layers best first (or only `only`) and keeps the first that counts at least one
    /// event. Throws, with every layer's reason, when none does.
    public init(only: CounterLayer? = nil, layers: any CounterLayerOpener = SystemCounterLayers()) throws {
        var passed: [(layer: CounterLayer, reason: String)] = []
        for layer in only.map({ [$0] }) ?? CounterLayer.allCases {
            do {
                self.init(chosen: try layers.open(layer), passedOver: passed, layers: layers)
                return
            } catch RidgelineError.unavailable(_, let reason) {
                passed.append((layer, reason))
            }
        }
        throw RidgelineError.unavailable(
            what: "counters", reason: passed.map { "\($0.layer.rawValue): \($0.reason)" }.joined(separator: "; "))
    }

    /// One layer's source; throws `RidgelineError.unavailable` with the reason it counts nothing
    /// here. The environment is read only by the layers that explain missing events with it.
    public static func make(_ layer: CounterLayer, environment: @autoclosure () -> CounterEnvironment) throws -> any CounterSource {
        switch layer {
        case .papi:
            let papi = try PAPICounters(environment: environment())
            guard papi.events.isEmpty else { return papi }
            throw RidgelineError.unavailable(
                what: "PAPI counting",
                reason: PAPILibrary.perfEventDisabledReason()
                    .map { "PAPI's perf_event component is disabled: \($0)" } ?? "PAPI offers none of the events Ridgeline counts")
        case .perfEvent: return try PerfEventCounters(environment: environment())
        case .rusage: return try RusageCounters()
        }
    }
}

/// `--counters`: the best layer that counts here (`auto`), none, or one layer by name.
public enum CounterChoice: Equatable, Sendable {
    case auto, none
    case only(CounterLayer)

    public init?(argument: String) {
        switch argument {
        case "auto": self = .auto
        case "none": self = .none
        default:
            guard let layer = CounterLayer(rawValue: argument) else { return nil }
            self = .only(layer)
        }
    }

    public static var allValueStrings: [String] { ["auto", "none"] + CounterLayer.allCases.map(\.rawValue) }

    /// The counters this choice asks for, from `layers`: by default the best layer that counts
    /// here (records say which, and why the better ones were passed over), and with none, no
    /// counters and a note saying why. A layer asked for by name that cannot count here is an
    /// error, not a silent downgrade.
    public func counters(from layers: any CounterLayerOpener) throws -> (source: any CounterSource, note: String?) {
        switch self {
        case .none: return (NoCounters(), nil)
        case .auto:
            do { return (try LayeredCounters(layers: layers), nil) } catch {
                return (NoCounters(), "counters: none can be read here (\(error)); measuring without counters")
            }
        case .only(let layer): return (try LayeredCounters(only: layer, layers: layers), nil)
        }
    }
}
