import Foundation
import Testing

@testable import Ridgeline

/// The optional `collective` block of a profile's links: read, written back, and rejected with the
/// field named when wrong.
@Suite struct CollectiveYAMLTests {
    static func profile(_ collective: String) -> String {
        HardwareProfileYAMLTests.variant(
            "power: 400 W",
            """
            scale_up:
              name: NVLink
              bandwidth: 300 GB/s
              latency: 3 us
              domain: 8
              collective: \(collective)
            scale_out: {name: IB, bandwidth: 25 GB/s, latency: 5 us, collective: {base_latency: 20 us, efficiency: 0.85}}
            power: 400 W
            """)
    }

    static let fitted =
        "{source: \"fit\", base_latency: 31.74 us, low_latency_fraction: 0.927, pipeline_fill: 20 MiB, efficiency: 0.778, bus_bandwidth: {2: 201.3 GB/s, 8: 233.4 GB/s}}"

    @Test func readsAndWritesBack() throws {
        let p = try HardwareProfile.parse(yaml: Self.profile(Self.fitted), file: "t.yaml")
        let c = try #require(p.scaleUp?.collective)
        #expect(abs(c.baseLatency - 31.74e-6) < 1e-12 && c.lowLatencyFraction == 0.927 && c.pipelineFill == 20 * 1_048_576)
        #expect(c.busBandwidth == [2: 201.3e9, 8: 233.4e9] && c.efficiency == 0.778 && c.source == "fit")
        #expect(p.scaleOut?.collective?.efficiency == 0.85 && p.scaleOut?.collective?.lowLatencyFraction == 1)
        let again = try HardwareProfile.parse(yaml: p.yaml(), file: "written.yaml")
        #expect(again.scaleUp == p.scaleUp && again.scaleOut == p.scaleOut)
    }

    @Test(arguments: [
        ("{bus_bandwidth: {1: 200 GB/s}}", "scale_up.collective.bus_bandwidth.1"),
        ("{bus_bandwidth: {2: 200 GB}}", "scale_up.collective.bus_bandwidth.2"),
        ("{low_latency_fraction: 1.5}", "scale_up.collective.low_latency_fraction"),
        ("{base_latency: 30}", "scale_up.collective.base_latency"),
        ("{hop: 3 us}", "scale_up.collective.hop"),
    ])
    func badFieldsAreNamed(_ collective: String, _ field: String) {
        do {
            _ = try HardwareProfile.parse(yaml: Self.profile(collective), file: "t.yaml")
            Issue.record("expected an error for \(collective)")
        } catch {
            #expect("\(error)".contains(field) && "\(error)".contains("t.yaml"), "\(error)")
        }
    }
}
