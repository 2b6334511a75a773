import Foundation
import Ridgeline

/// `ridgeline compare --serve`: one model served on several devices, side by side: throughput per
/// device against latency as the load grows (the curve serving is judged by), and why it needs a
/// GPU at all: a prefill pass sits right of the ridge point (compute-bound), a small decode step
/// far left of it (bound by reading the weights and the KV cache), and only a large batch moves
/// decode towards the ridge. The report takes plain numbers, so it does not depend on the model
/// that produced them.
public enum CompareServingReport {
    /// One load on one device: `concurrency` requests in flight.
    public struct LoadPoint: Sendable {
        public var concurrency: Int
        public var ttft: Double
        public var tpot: Double
        public var tokensPerSecond: Double
        public var tokensPerSecondPerDevice: Double
        public init(concurrency: Int, ttft: Double, tpot: Double, tokensPerSecond: Double, tokensPerSecondPerDevice: Double) {
            self.concurrency = concurrency; self.ttft = ttft; self.tpot = tpot
            self.tokensPerSecond = tokensPerSecond; self.tokensPerSecondPerDevice = tokensPerSecondPerDevice
        }
    }

    /// The work of one pass on one device: a prefill, or a decode step at a batch.
    public struct Phase: Sendable {
        public var label: String
        public var flops: Double
        public var bytes: Double
        public var seconds: Double
        public var bound: String
        public init(label: String, flops: Double, bytes: Double, seconds: Double, bound: String) {
            self.label = label; self.flops = flops; self.bytes = bytes; self.seconds = seconds; self.bound = bound
        }
        public var intensity: Double { bytes > 0 ? flops / bytes : 0 }
        public var attained: Double { seconds > 0 ? flops / seconds : 0 }
    }

    public struct Device: Sendable {
        public var profile: HardwareProfile
        /// "tp 4 · pp 1, fp8": how the replica is laid out.
        public var layout: String
        /// The GEMMs' dtype: its peak is the compute roof.
        public var dtype: DType
        public var sweep: [LoadPoint]
        public var phases: [Phase]
        public init(profile: HardwareProfile, layout: String, dtype: DType, sweep: [LoadPoint], phases: [Phase]) {
            self.profile = profile; self.layout = layout; self.dtype = dtype; self.sweep = sweep; self.phases = phases
        }
        /// FLOP per byte where the compute roof meets the device-memory roof.
        public var ridgePoint: Double { profile.matrixPeak(dtype).flopsPerSecond / profile.deviceMemory.bandwidth }
    }

    /// The page: key figures, the throughput-latency curves, prefill and decode against each
    /// device's ridge point, then the devices' ceilings side by side.
    public static func build(model: String, workload: String, devices: [Device], provenance: Provenance) -> Report {
        let profiles = devices.map(\.profile)
        return Report(
            name: "compare-serve-\(CompareModelReport.slug(model))-" + profiles.map(\.id).joined(separator: "-"),
            title: "Serving \(model): \(profiles.map(\.name).joined(separator: " vs "))",
            summary:
                "\(model) served on \(devices.count) devices (\(workload)), predicted by Ridgeline's serving model: throughput against latency as the load grows, and where prefill and decode sit on each device's roofline.",
            provenance: provenance,
            sections: [
                Report.Section("Key figures", [.keyFigures(keyFigures(devices))]),
                throughputSection(devices),
                prefillDecodeSection(devices),
                Report.Section("The devices", DeviceSheet.items(profiles)),
            ])
    }

    /// Per device: the most output tokens/s per device over its sweep, and the time per output
    /// token of one request alone (the sweep's first load).
    static func keyFigures(_ devices: [Device]) -> [(String, String)] {
        var figures: [(String, String)] = []
        for d in devices {
            if let best = d.sweep.max(by: { $0.tokensPerSecondPerDevice < $1.tokensPerSecondPerDevice }) {
                figures.append(
                    (
                        "\(d.profile.id) (\(d.layout)): most output tokens/s per device",
                        "\(SI.format(best.tokensPerSecondPerDevice, digits: 3)) at \(best.concurrency) in flight"
                    ))
            }
            if let one = d.sweep.first {
                figures.append(("\(d.profile.id): time per output token, one request", Quantity.format(one.tpot, .seconds)))
            }
        }
        return figures
    }

    /// The chart serving is judged by: one curve per device, one point per load, with the sweep's
    /// table as its data.
    static func throughputSection(_ devices: [Device]) -> Report.Section {
        let curve = throughputCurve(devices)
        return Report.Section(
            "Throughput against latency",
            [
                .chart(
                    Report.Chart(
                        id: curve.id, title: curve.title, svg: curve.svg, data: sweepTable(devices),
                        caption:
                            "Each point one load (requests in flight, closed loop with continuous batching); up and left is better. Log-log."
                    ))
            ])
    }

    /// Output tokens/s per device against time per output token: one curve per device, named with
    /// its layout, one point per load.
    static func throughputCurve(_ devices: [Device]) -> CurveChart {
        CurveChart(
            id: "throughput-latency", title: "Throughput against latency",
            series: devices.map { d in
                CurveChart.Series(
                    name: "\(d.profile.id) (\(d.layout))",
                    points: d.sweep.map {
                        (
                            x: $0.tpot, y: $0.tokensPerSecondPerDevice,
                            label:
                                "\($0.concurrency) in flight: TPOT \(Quantity.format($0.tpot, .seconds)), TTFT \(Quantity.format($0.ttft, .seconds)), \(SI.format($0.tokensPerSecondPerDevice, digits: 3)) tokens/s per device"
                        )
                    })
            },
            xTitle: "Time per output token (s)", yTitle: "Output tokens/s per device")
    }

    /// Every load of every device's sweep, one row each: the numbers behind the curves.
    static func sweepTable(_ devices: [Device]) -> DataTable {
        var sweep = DataTable(
            id: "throughput-latency", title: "Throughput against latency",
            columns: [
                .init("hardware", "device"), .init("concurrency", "in flight", .number), .init("ttft_s", "TTFT", .quantity(.seconds)),
                .init("tpot_s", "TPOT", .quantity(.seconds)), .init("output_tokens_per_s", "output tokens/s", .si("")),
                .init("output_tokens_per_s_per_device", "per device", .si("")),
            ])
        for d in devices {
            for p in d.sweep {
                sweep.add([
                    .text(d.profile.id), .number(Double(p.concurrency)), .number(p.ttft), .number(p.tpot), .number(p.tokensPerSecond),
                    .number(p.tokensPerSecondPerDevice),
                ])
            }
        }
        return sweep
    }

    /// Why serving needs a GPU: the explanation, the passes' table, and one roofline per device.
    static func prefillDecodeSection(_ devices: [Device]) -> Report.Section {
        Report.Section(
            "Why it needs a GPU: prefill against decode",
            [
                .paragraph(
                    "A prefill pass multiplies every weight by hundreds of prompt tokens: its intensity is far right of the ridge point and it runs at the compute roof. A decode step reads every weight (and each sequence's KV cache) to produce one token per sequence: at batch 1 its intensity is about one FLOP per byte, far left of the ridge, so it runs at the memory roof; only a large batch moves it towards the ridge. Memory bandwidth sets single-request latency, peak FLOP/s sets prefill and large-batch throughput."
                ),
                .table(phaseTable(devices)),
            ] + devices.enumerated().map { i, d in .chart(roofline(d, style: Palette.style(i + 2))) })
    }

    /// Every pass of every device next to that device's ridge point, numbered as on its roofline.
    static func phaseTable(_ devices: [Device]) -> DataTable {
        var phases = DataTable(
            id: "prefill-decode", title: "Prefill and decode against each device's ridge point",
            columns: [
                .init("hardware", "device"), .init("phase", "pass"), .init("flops", "FLOPs per device", .si("")),
                .init("bytes", "bytes per device", .quantity(.bytes)), .init("intensity_flop_per_byte", "FLOP/byte", .number),
                .init("ridge_point_flop_per_byte", "ridge point (FLOP/byte)", .number), .init("time_s", "time", .quantity(.seconds)),
                .init("attained_flops_per_s", "attained", .quantity(.flopsPerSecond)), .init("bound", "bound"),
            ],
            caption:
                "Intensity below the ridge point (peak ÷ device-memory bandwidth) means the pass waits on memory, above it on arithmetic.")
        for d in devices {
            for p in d.phases {
                phases.add([
                    .text(d.profile.id), .text(p.label), .number(p.flops), .number(p.bytes), .number(p.intensity), .number(d.ridgePoint),
                    .number(p.seconds), .number(p.attained), .text(p.bound),
                ])
            }
        }
        return phases
    }

    /// One device's passes on its roofline. Two ceilings only, the GEMM dtype's peak and device
    /// memory, because they meet at the ridge point the table quotes; `style` tells the devices apart.
    static func roofline(_ d: Device, style: SeriesStyle) -> Report.Chart {
        let (actual, peak) = d.profile.matrixPeak(d.dtype)
        let ceilings: [RooflineChart.Ceiling] = [
            .init(
                .compute(peak), label: "\(actual.rawValue) \(Quantity.format(peak, .flopsPerSecond, digits: 3))", group: 0,
                style: Palette.style(0)),
            .init(
                .memory(d.profile.deviceMemory.bandwidth),
                label:
                    "\(d.profile.deviceMemory.name) \(Quantity.format(d.profile.deviceMemory.bandwidth, .bytesPerSecond, digits: 3))",
                group: 0, style: Palette.style(1)),
        ]
        let points = d.phases.enumerated().map { k, p in
            RooflineChart.Point(
                tag: "\(k + 1)", label: "\(k + 1). \(p.label): \(Quantity.format(p.seconds, .seconds)), \(p.bound)-bound",
                intensity: p.intensity, flopsPerSecond: p.attained, measured: false, style: style)
        }
        let chart = RooflineChart(
            id: "roofline-\(d.profile.id)", title: "Prefill and decode on \(d.profile.name)", ceilings: ceilings, points: points,
            legend: [LegendEntry("pass (hollow: predicted)", .marker(style, filled: false))])
        return Report.Chart(
            id: chart.id, title: chart.title, svg: chart.svg, data: DeviceSheet.rooflineData(chart, id: chart.id),
            caption:
                "\(d.profile.id): ridge point \(SI.trimmed(d.ridgePoint, digits: 3)) FLOP/byte. Points numbered as in the table: the prefill of one prompt, then decode steps at growing batches."
        )
    }
}
