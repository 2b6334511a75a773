import Foundation
import Ridgeline

/// Fits a profile's collective parameters (`CollectiveParameters`, the links' per-step latency) on
/// timed collectives, and judges a network on timings it was not fitted on.
///
/// Scale-up: samples inside one node fit the hop latency, the base latency, the low-latency
/// protocol's bandwidth fraction and the Simple protocol's pipeline fill by a coordinate search
/// that minimises the mean relative error weighted by 1/size (every octave of message sizes
/// counts alike, so the small messages of tensor parallelism weigh as much as the large
/// gradient buckets); for each search point the large-message bus bandwidth of each group size is
/// the median of what the largest quarter of that group's sizes implies. Scale-out: samples that
/// span nodes fit the network's hop latency, base latency, fill and efficiency the same way,
/// predicted by `Network.time(..., hierarchical: true)` with the scale-up fit held fixed.
public enum NetworkFit {
    /// The fitted links (a link without samples comes back as the profile had it).
    public struct Result: Sendable {
        public var scaleUp: Link?
        public var scaleOut: Link?
    }

    /// Error of a network's predictions on samples.
    public struct Judgement: Sendable {
        public struct Group: Sendable {
            public var collective: Collective
            public var ranks: Int
            public var nodes: Int
            public var count: Int
            public var medianAPE: Double
            public var p90APE: Double
            /// Median signed error (predicted − measured) / measured.
            public var bias: Double
        }
        public var groups: [Group]
        public var count: Int
        public var medianAPE: Double
        public var meanAPE: Double
        public var p90APE: Double
    }

    /// Even size indices fit, odd are held out (held out by size, the rule of every Ridgeline fit).
    public static func split(_ samples: [CollectiveSample]) -> (fit: [CollectiveSample], heldOut: [CollectiveSample]) {
        (samples.filter { $0.sizeIndex % 2 == 0 }, samples.filter { $0.sizeIndex % 2 == 1 })
    }

    /// Fits the links of `profile` on `samples` (already the fit share). A link without samples is
    /// returned unchanged.
    public static func fit(
        _ samples: [CollectiveSample], profile: HardwareProfile, source: String,
        assumptions: TrainingAssumptions = TrainingAssumptions()
    ) throws -> Result {
        let inside = samples.filter { !$0.group.spansNodes }
        let across = samples.filter { $0.group.spansNodes }
        var up = profile.scaleUp
        var out = profile.scaleOut
        if !inside.isEmpty {
            guard let link = profile.scaleUp ?? profile.scaleOut else {
                throw RidgelineError.missingField(file: profile.id, field: "scale_up (the profile has no link to fit)")
            }
            let domain = max(link.domainSize ?? 1, inside.map(\.ranks).max() ?? 1)
            up = fitScaleUp(
                inside,
                link: Link(
                    name: link.name, bandwidth: link.bandwidth, latency: link.latency, domainSize: domain,
                    collective: link.collective), source: source, assumptions: assumptions)
        }
        if !across.isEmpty {
            guard let link = profile.scaleOut else {
                throw RidgelineError.missingField(file: profile.id, field: "scale_out (multi-node samples need a network to fit)")
            }
            var fittedProfile = profile
            fittedProfile.scaleUp = up
            out = fitScaleOut(across, profile: fittedProfile, link: link, source: source, assumptions: assumptions)
        }
        return Result(scaleUp: up, scaleOut: out)
    }

    /// Predicted seconds of each sample on `network` (nodes joined hierarchically, as NCCL's rings do).
    public static func predict(_ sample: CollectiveSample, network: Network) -> Double {
        network.time(sample.collective, bytes: sample.bytes, group: sample.group, hierarchical: true)
    }

    public static func judge(_ samples: [CollectiveSample], network: Network) -> Judgement {
        struct Key: Hashable { let c: Collective; let ranks: Int; let nodes: Int }
        var errors: [Key: [Double]] = [:]
        var all: [Double] = []
        for s in samples {
            let e = (predict(s, network: network) - s.seconds) / s.seconds
            errors[Key(c: s.collective, ranks: s.ranks, nodes: s.group.nodes), default: []].append(e)
            all.append(abs(e))
        }
        let groups = errors.map { key, e in
            Judgement.Group(
                collective: key.c, ranks: key.ranks, nodes: key.nodes, count: e.count, medianAPE: median(e.map(abs)),
                p90APE: percentile(e.map(abs), 0.9), bias: median(e))
        }.sorted { ($0.collective.rawValue, $0.nodes, $0.ranks) < ($1.collective.rawValue, $1.nodes, $1.ranks) }
        return Judgement(
            groups: groups, count: all.count, medianAPE: median(all),
            meanAPE: all.reduce(0, +) / Double(max(1, all.count)), p90APE: percentile(all, 0.9))
    }

    // MARK: - Scale-up

    static func fitScaleUp(_ samples: [CollectiveSample], link: Link, source: String, assumptions: TrainingAssumptions) -> Link {
        let weights = samples.map { 1 / $0.bytes }
        let totalWeight = weights.reduce(0, +)
        let large = largestQuarter(samples)
        func network(_ x: [Double]) -> Network {
            var p = CollectiveParameters(baseLatency: x[1], lowLatencyFraction: x[2], pipelineFill: x[3], source: source)
            p.busBandwidth = busBandwidths(large, hop: x[0], parameters: p)
            return Network(
                scaleUpBandwidth: link.bandwidth, scaleUpLatency: x[0], domainSize: link.domainSize ?? 1,
                scaleOutBandwidth: link.bandwidth, scaleOutLatency: x[0], scaleUpEfficiency: assumptions.scaleUpEfficiency,
                scaleOutEfficiency: assumptions.scaleOutEfficiency, scaleUpCollective: p, scaleOutCollective: p)
        }
        func loss(_ x: [Double]) -> Double {
            let net = network(x)
            var sum = 0.0
            for (s, w) in zip(samples, weights) { sum += w * abs(predict(s, network: net) - s.seconds) / s.seconds }
            return sum / totalWeight
        }
        // The low-latency fraction and the fill only matter together (with a fraction of 1 the
        // Simple protocol never wins), so the search starts from several pairs of them. The starts
        // do not depend on the profile's current numbers, so refitting a fitted profile gives the
        // same fit; 3 µs per hop is the datasheet-class NVLink latency of the shipped profiles.
        let starts = [[3e-6, 20e-6, 1, 0], [3e-6, 20e-6, 0.7, 16e6], [3e-6, 40e-6, 0.5, 4e6]]
        let bounds: [ClosedRange<Double>] = [0...50e-6, 0...500e-6, 0.05...1, 0...256e6]
        let best = starts.map { coordinateSearch(start: $0, bounds: bounds, loss: loss) }.min { loss($0) < loss($1) }!
        let net = network(best)
        var parameters = net.scaleUpCollective
        // The efficiency of the largest measured group against the link's datasheet rate, for
        // group sizes larger than any measured.
        if let largest = parameters.busBandwidth.keys.max(), let bw = parameters.busBandwidth[largest] {
            parameters.efficiency = min(1, bw / link.bandwidth)
        }
        return Link(name: link.name, bandwidth: link.bandwidth, latency: best[0], domainSize: link.domainSize, collective: parameters)
    }

    /// The largest quarter of each group size's samples (by message size), where the bus
    /// bandwidth is read.
    static func largestQuarter(_ samples: [CollectiveSample]) -> [Int: [CollectiveSample]] {
        var byRanks: [Int: [CollectiveSample]] = [:]
        for s in samples { byRanks[s.ranks, default: []].append(s) }
        return byRanks.mapValues { group in
            let sorted = group.sorted { $0.bytes < $1.bytes }
            return Array(sorted[(sorted.count * 3 / 4)...])
        }
    }

    /// Large-message bus bandwidth of each group size: t = hop·k + base + (S_bus + fill)/B on the
    /// largest quarter of its sizes, solved for B, median over those samples.
    static func busBandwidths(_ large: [Int: [CollectiveSample]], hop: Double, parameters p: CollectiveParameters) -> [Int: Double] {
        var result: [Int: Double] = [:]
        for (ranks, group) in large {
            let estimates = group.compactMap { s -> Double? in
                let busBytes = s.collective.bytesPerRank(s.bytes, ranks: s.ranks)
                let transfer = s.seconds - hop * s.collective.latencySteps(ranks: s.ranks) - p.baseLatency
                return transfer > 0 ? (busBytes + p.pipelineFill) / transfer : nil
            }
            if !estimates.isEmpty { result[ranks] = median(estimates) }
        }
        return result
    }

    // MARK: - Scale-out

    static func fitScaleOut(
        _ samples: [CollectiveSample], profile: HardwareProfile, link: Link, source: String,
        assumptions: TrainingAssumptions
    ) -> Link {
        let weights = samples.map { 1 / $0.bytes }
        let totalWeight = weights.reduce(0, +)
        func network(_ x: [Double]) -> Network {
            var fitted = profile
            fitted.scaleOut = Link(
                name: link.name, bandwidth: link.bandwidth, latency: x[0], domainSize: nil,
                collective: CollectiveParameters(
                    baseLatency: x[1], lowLatencyFraction: x[2], pipelineFill: x[3],
                    efficiency: x[4], source: source))
            return Network(profile: fitted, assumptions: assumptions)
        }
        func loss(_ x: [Double]) -> Double {
            let net = network(x)
            var sum = 0.0
            for (s, w) in zip(samples, weights) { sum += w * abs(predict(s, network: net) - s.seconds) / s.seconds }
            return sum / totalWeight
        }
        // Independent of the profile's current numbers (see fitScaleUp): 5 µs per hop is the
        // datasheet-class InfiniBand latency of the shipped profiles.
        let start = [5e-6, 0, 1, 0, assumptions.scaleOutEfficiency]
        let bounds: [ClosedRange<Double>] = [0...100e-6, 0...1e-3, 0.05...1, 0...256e6, 0.05...1]
        let best = coordinateSearch(start: start, bounds: bounds, loss: loss)
        return Link(
            name: link.name, bandwidth: link.bandwidth, latency: best[0], domainSize: nil,
            collective: CollectiveParameters(
                baseLatency: best[1], lowLatencyFraction: best[2], pipelineFill: best[3],
                efficiency: best[4], source: source))
    }

    // MARK: - Search

    /// Cyclic coordinate search: each parameter in turn over a grid of its current range, keeping
    /// the best point; the ranges shrink around the best point every sweep. Deterministic, and
    /// robust to the kinks of max/min in the model where gradients are not.
    static func coordinateSearch(
        start: [Double], bounds: [ClosedRange<Double>], loss: ([Double]) -> Double,
        sweeps: Int = 7, points: Int = 12
    ) -> [Double] {
        var x = zip(start, bounds).map { min(max($0, $1.lowerBound), $1.upperBound) }
        var best = loss(x)
        var spans = bounds.map { $0.upperBound - $0.lowerBound }
        for _ in 0..<sweeps {
            for i in x.indices {
                let lo = max(bounds[i].lowerBound, x[i] - spans[i] / 2), hi = min(bounds[i].upperBound, x[i] + spans[i] / 2)
                for j in 0...points {
                    var y = x
                    y[i] = lo + (hi - lo) * Double(j) / Double(points)
                    let l = loss(y)
                    if l < best { best = l; x = y }
                }
                spans[i] *= 0.5
            }
        }
        return x
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }
}
