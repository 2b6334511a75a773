import Foundation
import Ridgeline

/// What `ridgeline counters` reports: the machine's counting environment, PAPI's components, every
/// candidate event with its status, and the set Ridgeline counts.
public struct CounterReport: Encodable, Sendable {
    public struct Event: Encodable, Sendable {
        public var name: String
        public var kind: String
        public var meaning: String
        public var used: Bool
        public var reason: String?
    }
    public struct Component: Encodable, Sendable {
        public var name: String
        public var enabled: Bool
        public var reason: String?
    }
    public var papi_version: String
    public var perf_event_paranoid: Int?
    public var hypervisor: String?
    public var event_sources: [String]
    public var core_pmu: Bool
    public var components: [Component]
    public var available_presets: [String]
    public var events: [Event]
    public var used: [String]

    public static func probe() throws -> CounterReport {
        let counters = try PAPICounters()
        let env = counters.environment
        return CounterReport(
            papi_version: try PAPILibrary.version(), perf_event_paranoid: env.paranoid, hypervisor: env.hypervisor,
            event_sources: env.eventSources, core_pmu: env.hasCorePMU,
            components: try PAPILibrary.components().map { Component(name: $0.name, enabled: $0.enabled, reason: $0.enabled ? nil : $0.reason) },
            available_presets: try PAPILibrary.availablePresets(),
            events: counters.candidates.map { c in
                Event(name: c.name, kind: c.hardware ? "hardware" : "software", meaning: c.meaning,
                      used: counters.events.contains(c.name), reason: counters.unavailable[c.name])
            },
            used: counters.events)
    }

    public func render() -> String {
        var out: [String] = []
        out.append("PAPI \(papi_version); perf_event_paranoid = \(perf_event_paranoid.map(String.init) ?? "unreadable"); "
                   + (hypervisor.map { "virtual machine (\($0))" } ?? "no hypervisor detected"))
        out.append("kernel event sources: \(event_sources.joined(separator: ", ")) — " + (core_pmu ? "a CPU PMU is present" : "no CPU PMU, so no hardware events"))
        out.append("")
        var comps = TextTable(["PAPI component", "state"])
        for c in components { comps.add([c.name, c.enabled ? "enabled" : "disabled: \(c.reason ?? "")"]) }
        out.append(comps.render())
        out.append("")
        out.append("Preset events available here: " + (available_presets.isEmpty ? "none" : available_presets.joined(separator: " ")))
        out.append("")
        // Missing events usually share a reason (no PMU): each distinct reason is printed once.
        var reasons: [String] = []
        var table = TextTable(["event", "kind", "status", "meaning", "why missing"])
        for e in events {
            var note = ""
            if !e.used, let reason = e.reason {
                if !reasons.contains(reason) { reasons.append(reason) }
                note = "[\(reasons.firstIndex(of: reason)! + 1)]"
            }
            table.add([e.name, e.kind, e.used ? "counted" : "missing", e.meaning, note])
        }
        out.append(table.render())
        for (i, reason) in reasons.enumerated() { out.append("[\(i + 1)] \(reason)") }
        out.append("")
        out.append("Ridgeline counts: " + (used.isEmpty ? "nothing (no event can be counted here)" : used.joined(separator: ", ")))
        return out.joined(separator: "\n")
    }
}
