import Foundation
import Ridgeline

/// What `ridgeline counters` reports: the machine's counting environment, PAPI's components, each
/// counting layer (PAPI, perf_event_open, getrusage) with its events and their status, and the
/// layer and events Ridgeline counts with. `ridgeline counters --json` prints it (keys through
/// `RecordCoding`).
public struct CounterReport: Codable, Sendable, Equatable {
    public struct Event: Codable, Sendable, Equatable {
        public var name: String
        public var kind: String
        public var meaning: String
        public var used: Bool
        public var reason: String?
    }
    public struct Component: Codable, Sendable, Equatable {
        public var name: String
        public var enabled: Bool
        public var reason: String?
    }
    /// One back-end: whether it counts here, and if not, why.
    public struct Layer: Codable, Sendable, Equatable {
        public var name: String
        public var available: Bool
        public var reason: String?
        public var events: [Event]
    }
    public var papiVersion: String?
    public var perfEventParanoid: Int?
    public var hypervisor: String?
    public var eventSources: [String]
    public var corePmu: Bool
    public var components: [Component]
    /// PAPI's `disabled_reason` for its perf_event component, verbatim, when disabled.
    public var papiPerfEventDisabledReason: String?
    public var availablePresets: [String]
    public var layers: [Layer]
    /// The layer Ridgeline counts with: the first available one ("none" when none is).
    public var source: String
    public var used: [String]

    public static func probe() -> CounterReport {
        let env = CounterEnvironment.probed()
        let layers = CounterLayer.allCases.map { probe($0, environment: env) }
        let chosen = layers.first(where: \.available)
        return CounterReport(
            papiVersion: try? PAPILibrary.version(), perfEventParanoid: env.paranoid, hypervisor: env.hypervisor,
            eventSources: env.eventSources, corePmu: env.hasCorePMU,
            components: ((try? PAPILibrary.components()) ?? []).map {
                Component(name: $0.name, enabled: $0.enabled, reason: $0.enabled ? nil : $0.reason)
            },
            papiPerfEventDisabledReason: PAPILibrary.perfEventDisabledReason(),
            availablePresets: (try? PAPILibrary.availablePresets()) ?? [],
            layers: layers, source: chosen?.name ?? "none",
            used: chosen?.events.filter(\.used).map(\.name) ?? [])
    }

    /// A layer's events and status. PAPI lists its candidates even when it counts none of them,
    /// so each keeps its own reason.
    static func probe(_ layer: CounterLayer, environment env: CounterEnvironment) -> Layer {
        let candidates: [CounterEvent]
        switch layer {
        case .papi: candidates = (try? PAPICounters(environment: env))?.candidates ?? PAPICounters.preferred
        case .perfEvent: candidates = PerfEventCounters.preferred.map(\.event)
        case .rusage: candidates = RusageCounters.counted
        }
        do {
            let source = try LayeredCounters.make(layer, environment: env)
            return Layer(
                name: layer.rawValue, available: true, reason: nil,
                events: candidates.map { c in
                    Event(
                        name: c.name, kind: c.hardware ? "hardware" : "software", meaning: c.meaning,
                        used: source.events.contains(c.name), reason: source.unavailable[c.name])
                })
        } catch {
            let reason: String
            if case RidgelineError.unavailable(_, let why) = error { reason = why } else { reason = "\(error)" }
            let papi = layer == .papi ? try? PAPICounters(environment: env) : nil
            return Layer(
                name: layer.rawValue, available: false, reason: reason,
                events: candidates.map { c in
                    Event(
                        name: c.name, kind: c.hardware ? "hardware" : "software", meaning: c.meaning,
                        used: false, reason: papi?.unavailable[c.name] ?? reason)
                })
        }
    }

    public func render() -> String {
        var out: [String] = []
        out.append(
            "PAPI \(papiVersion ?? "did not start"); perf_event_paranoid = \(perfEventParanoid.map(String.init) ?? "unreadable"); "
                + (hypervisor.map { "virtual machine (\($0))" } ?? "no hypervisor detected"))
        out.append(
            "kernel event sources: \(eventSources.joined(separator: ", ")) — "
                + (corePmu ? "a CPU PMU is present" : "no CPU PMU, so no hardware events"))
        out.append("")
        var comps = TextTable(["PAPI component", "state"])
        for c in components { comps.add([c.name, c.enabled ? "enabled" : "disabled: \(c.reason ?? "")"]) }
        out.append(comps.render())
        out.append("")
        out.append("Preset events available here: " + (availablePresets.isEmpty ? "none" : availablePresets.joined(separator: " ")))
        out.append("")
        var summary = TextTable(["counting layer", "state"])
        for layer in layers {
            let state =
                layer.available
                ? (layer.name == source ? "used" : "available (a better layer is used)") : "unavailable: \(layer.reason ?? "")"
            summary.add([layer.name, state])
        }
        out.append(summary.render())
        // Missing events usually share a reason (no PMU): each distinct reason is printed once.
        var reasons: [String] = []
        var table = TextTable(["layer", "event", "kind", "status", "meaning", "why missing"])
        for layer in layers {
            for e in layer.events {
                var note = ""
                if !e.used, let reason = e.reason {
                    if !reasons.contains(reason) { reasons.append(reason) }
                    note = "[\(reasons.firstIndex(of: reason)! + 1)]"
                }
                table.add([layer.name, e.name, e.kind, e.used ? "counted" : "missing", e.meaning, note])
            }
        }
        out.append("")
        out.append(table.render())
        for (i, reason) in reasons.enumerated() { out.append("[\(i + 1)] \(reason)") }
        out.append("")
        out.append(
            "Ridgeline counts with \(source): " + (used.isEmpty ? "nothing (no event can be counted here)" : used.joined(separator: ", ")))
        return out.joined(separator: "\n")
    }
}
