import Ridgeline

/// Seconds of one optimizer step, by where they go. The parts sum to the step time.
public struct StepBreakdown: Sendable, Hashable {
    public var gemm = 0.0
    public var attention = 0.0
    public var memoryBound = 0.0
    public var optimizer = 0.0
    /// Tensor-parallel collectives, pipeline sends, and data-parallel / ZeRO traffic that
    /// backward could not hide.
    public var exposedCommunication = 0.0
    public var pipelineBubble = 0.0
    public var dispatchOverhead = 0.0
    public init() {}
    public var total: Double { gemm + attention + memoryBound + optimizer + exposedCommunication + pipelineBubble + dispatchOverhead }
}

/// Bytes one device holds at its peak (the pipeline stage that holds the most).
public struct MemoryBreakdown: Sendable, Hashable {
    public var weights = 0.0
    public var gradients = 0.0
    /// fp32 master weights and optimizer moments.
    public var optimizerStates = 0.0
    public var activations = 0.0
    /// Logits, gathered ZeRO-3 layers, gradient buckets.
    public var temporary = 0.0
    public var capacity = 0.0
    public init() {}
    public var total: Double { weights + gradients + optimizerStates + activations + temporary }
    public var fits: Bool { total <= capacity }
}

/// Stage 2 of a training estimate: a layout applied to the per-layer costs of stage 1.
public struct StepEstimate: Sendable, Hashable {
    public var stepSeconds: Double
    public var breakdown: StepBreakdown
    public var memory: MemoryBreakdown
    public var tokensPerStep: Double
    public var tokensPerSecond: Double
    public var modelFlopsPerStep: Double
    public var hardwareFlopsPerStep: Double
    public var mfu: Double
    public var hfu: Double
    /// The MFU/HFU denominator per device, and the dtype whose peak it is (`LayerCosts.peakDType`).
    public var mfuPeakFlopsPerSecond: Double
    public var mfuPeakDType: DType
    public var microBatchesPerStep: Int
    /// Bubble time over the time of the micro-batches: (p−1)/(v·m).
    public var bubbleFraction: Double
    /// Bytes each device sends per step for tensor-parallel, data-parallel (incl. ZeRO) and
    /// pipeline communication.
    public var tensorParallelBytes: Double
    public var dataParallelBytes: Double
    public var pipelineBytes: Double
    /// Parameters held by the busiest pipeline stage on one tensor-parallel rank.
    public var parametersPerStage: Double
    public var devices: Int
    public var powerWatts: Double
}

/// One pipeline stage of a layout: its layers (dense and MoE), what one micro-batch costs on it,
/// and what it holds.
struct StageLoad {
    var layers = 0
    var moeLayers = 0
    var cost = PhaseCost()
    /// Backward (and recompute) seconds of its layers: what can hide the gradient reduction.
    var backwardSeconds = 0.0
    /// Forward seconds of its layers: what can hide the ZeRO-1/2 parameter all-gather where the
    /// framework overlaps it (`TrainingAssumptions.overlapParameterGather`).
    var forwardSeconds = 0.0
    /// Parameters on one rank replicated over dp·cp (dense layers, attention, embedding, head)…
    var sharedParameters = 0.0
    /// … and routed-expert parameters, replicated over the expert data-parallel ranks only.
    var expertParameters = 0.0
    /// Trainable parameters of each kind (LoRA: adapters only).
    var trainableShared = 0.0
    var trainableExpert = 0.0
    var storedActivationBytes = 0.0
    var fullLayerActivationBytes = 0.0

    var parameters: Double { sharedParameters + expertParameters }

    init() {}

    /// Stage `i` of `split`, whose first layer is `start`.
    @inline(__always)
    init(_ c: LayerCosts, split: PipelineSplit, stage i: Int, start: Int) {
        let n = split.layers(stage: i)
        layers = n
        moeLayers = c.moe.map { $0.pattern.count(in: start..<(start + n)) } ?? 0
        let dense = Double(n - moeLayers), moe = Double(moeLayers)
        cost = (c.layerForward + c.layerBackward + c.layerRecompute) * dense
        backwardSeconds = dense * (c.layerBackward + c.layerRecompute).seconds
        forwardSeconds = dense * c.layerForward.seconds
        sharedParameters = dense * c.layerParameters
        storedActivationBytes = dense * c.activationBytesPerLayer
        fullLayerActivationBytes = n > moeLayers ? c.fullLayerActivationBytes : 0
        trainableShared = c.frozenBase ? dense * c.layerAdapterParameters : sharedParameters
        if let e = c.moe, moeLayers > 0 {
            cost = cost + (e.forward + e.backward + e.recompute) * moe
            backwardSeconds += moe * (e.backward + e.recompute).seconds
            forwardSeconds += moe * e.forward.seconds
            sharedParameters += moe * e.sharedParameters
            expertParameters = moe * e.expertParameters
            storedActivationBytes += moe * e.activationBytes
            fullLayerActivationBytes = max(fullLayerActivationBytes, e.fullActivationBytes)
            trainableShared += c.frozenBase ? moe * e.adapterParameters : moe * e.sharedParameters
            trainableExpert = c.frozenBase ? 0 : expertParameters
        }
        let first = i == 0, last = i == split.stages - 1
        var sides = 0.0
        if first {
            cost = cost + c.inputForward + c.inputBackward
            sides += c.inputParameters
        }
        if last {
            cost = cost + c.outputForward + c.outputBackward
            sides += split.stages == 1 ? c.outputParametersLocal : c.outputParametersPipelined
        }
        sharedParameters += sides
        if !c.frozenBase { trainableShared += sides }
    }
}

/// Combines stage-1 costs with a layout: pure, allocation-free arithmetic on a handful of
/// doubles, so a planner can evaluate millions of layouts a second.
///
/// Step time = micro-batches × slowest stage's (forward + backward + recompute + TP comm)
///   + pipeline bubble (p−1)/v × that stage time (Narayanan et al. 2021, §2.2)
///   + pipeline sends on the critical path
///   + data-parallel gradient reduction not hidden behind the last micro-batch's backward
///   + ZeRO-3 parameter gathers not hidden behind compute
///   + optimizer step on the parameters this device updates.
/// Uneven stages: the slowest stage sets the pace of every micro-batch and of the bubble. A
/// smaller last micro-batch counts as its fraction of a full one (`Layout.microBatchEquivalents`);
/// memory is sized by full micro-batches. Dense weights' gradients are reduced (and ZeRO-sharded)
/// over dp·cp ranks, routed experts' over the expert data-parallel ranks dp·cp/ep.
public enum StepModel {
    /// Visits the stages that can be the slowest or hold the most: all of them, or with an even
    /// split of identical layers only the first and the last (a middle stage has the same layers
    /// and neither the embedding nor the head, nor more micro-batches in flight than the first).
    @inline(__always)
    static func forEachStage(_ c: LayerCosts, _ split: PipelineSplit, _ body: (Int, StageLoad) -> Void) {
        let uniform = c.moe.map { $0.pattern.every == 1 && $0.pattern.denseLayers == 0 } ?? true
        if split.stages <= 2 || (split.isEven && uniform) {
            body(0, StageLoad(c, split: split, stage: 0, start: 0))
            if split.stages > 1 {
                let last = split.stages - 1
                body(last, StageLoad(c, split: split, stage: last, start: split.layers - split.layers(stage: last)))
            }
            return
        }
        var start = 0
        for i in 0..<split.stages {
            let stage = StageLoad(c, split: split, stage: i, start: start)
            body(i, stage)
            start += stage.layers
        }
    }

    static func split(_ c: LayerCosts, _ layout: Layout) -> PipelineSplit {
        PipelineSplit(layers: c.layers, stages: layout.pp, first: layout.firstStageLayers, last: layout.lastStageLayers)
    }

    /// The step time of `layout`, in stages: the pipeline stages walked once (`walkStages`), the
    /// slowest stage's compute times the micro-batches and the bubble, the communication the
    /// step exposes (`pipelineSends`, `dataParallelCommunication`, `tiedEmbeddingSync`), the
    /// optimizer step (`optimizerSeconds`), and the throughput figures (`estimate`).
    public static func evaluate(_ c: LayerCosts, layout: Layout, assumptions: TrainingAssumptions = TrainingAssumptions()) -> StepEstimate {
        let pp = Double(layout.pp), v = Double(layout.schedule.chunks)
        let m = layout.microBatchEquivalents
        let walk = walkStages(c, layout: layout, assumptions: assumptions)
        let stage = walk.slowest.cost
        let stageSeconds = stage.seconds

        var b = StepBreakdown()
        b.gemm = m * stage.gemm
        b.attention = m * stage.attention
        b.memoryBound = m * stage.memoryBound
        b.dispatchOverhead = m * stage.dispatch
        b.pipelineBubble = (pp - 1) / v * stageSeconds
        let pipeline = pipelineSends(c, layout: layout)
        let dataParallel = dataParallelCommunication(
            c, layout: layout, heaviest: walk.heaviest, stageSeconds: stageSeconds,
            assumptions: assumptions)
        b.exposedCommunication =
            m * stage.communication + pipeline.seconds + dataParallel.seconds
            + tiedEmbeddingSync(c, layout: layout, assumptions: assumptions)
        b.optimizer = optimizerSeconds(c, layout: layout, heaviest: walk.heaviest)
        return estimate(
            c, layout: layout, breakdown: b, memory: walk.memory, tensorParallelBytes: m * stage.communicationBytes,
            dataParallelBytes: dataParallel.bytes, pipelineBytes: pipeline.bytes, parametersPerStage: walk.heaviest.parameters)
    }

    /// The slowest stage sets the pace; the stage holding the most parameters sets the
    /// data-parallel traffic; the stage holding the most bytes sets the memory. One walk.
    @inline(__always)
    static func walkStages(
        _ c: LayerCosts, layout: Layout, assumptions: TrainingAssumptions
    )
        -> (slowest: StageLoad, heaviest: StageLoad, memory: MemoryBreakdown)
    {
        var slowest = StageLoad(), heaviest = StageLoad()
        var slowestSeconds = -1.0
        var memory = MemoryBreakdown()
        memory.capacity = c.deviceMemoryBytes
        var memoryTotal = -1.0
        let fixed = MemoryRules(c, layout: layout, assumptions: assumptions)
        forEachStage(c, split(c, layout)) { i, s in
            let seconds = s.cost.seconds
            if seconds > slowestSeconds { slowest = s; slowestSeconds = seconds }
            if s.parameters > heaviest.parameters { heaviest = s }
            let m = fixed.memory(stage: i, s)
            let total = m.total
            if total > memoryTotal { memory = m; memoryTotal = total }
        }
        return (slowest, heaviest, memory)
    }

    /// Pipeline sends: forward activations and backward gradients, once per chunk boundary.
    /// Seconds on the critical path and bytes per device; none without a pipeline.
    @inline(__always)
    static func pipelineSends(_ c: LayerCosts, layout: Layout) -> (seconds: Double, bytes: Double) {
        guard layout.pp > 1 else { return (0, 0) }
        let v = Double(layout.schedule.chunks), m = layout.microBatchEquivalents
        let stagesPerNode = max(1, c.network.domainSize / (layout.tp * layout.cp))
        let group = CommGroup(ranks: 2, ranksPerNode: layout.pp > stagesPerNode ? 1 : 2)
        let sends = 2 * v * m
        return (sends * c.network.time(.sendRecv, bytes: c.pipelineMessageBytes, group: group), sends * c.pipelineMessageBytes)
    }

    /// Bytes per gradient element the data-parallel reduction moves.
    @inline(__always)
    static func gradientBytesPerParameter(_ c: LayerCosts, _ assumptions: TrainingAssumptions) -> Double {
        c.weightBytes >= 4 ? 4 : assumptions.gradientReduceBytesMixed
    }

    /// Data parallelism and ZeRO: dense weights over dp·cp ranks, experts over dp·cp/ep. The
    /// seconds the step exposes and the bytes per device; none with one data-parallel rank.
    @inline(__always)
    static func dataParallelCommunication(
        _ c: LayerCosts, layout: Layout, heaviest: StageLoad, stageSeconds: Double,
        assumptions: TrainingAssumptions
    ) -> (seconds: Double, bytes: Double) {
        let gradientRanks = layout.gradientGroup, expertRanks = layout.expertDataParallel
        guard gradientRanks > 1 else { return (0, 0) }
        let net = c.network
        let domain = net.domainSize
        let m = layout.microBatchEquivalents
        let modelParallel = layout.tp * layout.pp
        let dpGroup = CommGroup(ranks: gradientRanks, ranksPerNode: modelParallel < domain ? max(1, domain / modelParallel) : 1)
        let expertParallel = layout.etp * layout.pp * layout.ep
        let edpGroup = CommGroup(ranks: expertRanks, ranksPerNode: expertParallel < domain ? max(1, domain / expertParallel) : 1)
        let gradBytesPerParameter = gradientBytesPerParameter(c, assumptions)
        let sharedGradientBytes = heaviest.trainableShared * gradBytesPerParameter
        let expertGradientBytes = heaviest.trainableExpert * gradBytesPerParameter
        // ZeRO-3/FSDP gathers parameters in the dtype it keeps them in (`param_dtype`).
        let gatheredBytes = assumptions.shardedParameterBytes ?? c.weightBytes
        let sharedWeightBytes = heaviest.sharedParameters * gatheredBytes
        let expertWeightBytes = heaviest.expertParameters * gatheredBytes
        let lastBackward = heaviest.backwardSeconds
        let dpHierarchical = assumptions.hierarchicalDataParallel
        // One collective on both groups: dense over dp·cp, experts over their own ranks.
        func time(_ op: Collective, _ shared: Double, _ expert: Double, hierarchical: Bool) -> Double {
            net.time(op, bytes: shared, group: dpGroup, hierarchical: hierarchical)
                + (expertRanks > 1 ? net.time(op, bytes: expert, group: edpGroup, hierarchical: hierarchical) : 0)
        }
        func volume(_ op: Collective, _ shared: Double, _ expert: Double) -> Double {
            op.bytesPerRank(shared, ranks: gradientRanks) + op.bytesPerRank(expert, ranks: expertRanks)
        }
        // A collective overlapped with compute (`window` seconds of it) is hidden except one
        // bucket (the gradient reduction's last, the parameter gather's first), and slows the
        // compute it runs beside by `overlapContention` of its own time.
        func exposedPart(_ seconds: Double, _ bytes: Double, _ op: Collective, window: Double) -> Double {
            let bucket = net.time(op, bytes: min(bytes, assumptions.lastBucketBytes), group: dpGroup, hierarchical: dpHierarchical)
            let exposedSeconds = max(bucket, seconds - window)
            return exposedSeconds + assumptions.overlapContention * (seconds - exposedSeconds)
        }
        func exposedReduction(_ seconds: Double, _ bytes: Double, _ op: Collective) -> Double {
            layout.overlapGradientReduction ? exposedPart(seconds, bytes, op, window: lastBackward) : seconds
        }
        switch layout.zero {
        case 0:
            let t = time(.allReduce, sharedGradientBytes, expertGradientBytes, hierarchical: dpHierarchical)
            return (exposedReduction(t, sharedGradientBytes, .allReduce), volume(.allReduce, sharedGradientBytes, expertGradientBytes))
        case 1, 2:
            let rs = time(.reduceScatter, sharedGradientBytes, expertGradientBytes, hierarchical: dpHierarchical)
            let trainedShared = heaviest.trainableShared * c.weightBytes, trainedExpert = heaviest.trainableExpert * c.weightBytes
            let ag = time(.allGather, trainedShared, trainedExpert, hierarchical: dpHierarchical)
            // The updated parameters are gathered after the optimizer step, or, overlapped,
            // bucket by bucket beside the next step's first micro-batch forward.
            let gather =
                assumptions.overlapParameterGather
                ? exposedPart(ag, trainedShared, .allGather, window: heaviest.forwardSeconds) : ag
            return (
                exposedReduction(rs, sharedGradientBytes, .reduceScatter) + gather,
                volume(.reduceScatter, sharedGradientBytes, expertGradientBytes) + volume(.allGather, trainedShared, trainedExpert)
            )
        default:
            // ZeRO-3/FSDP: every micro-batch gathers the parameters for forward and again for
            // backward (and for the recomputed forward when parameters are freed in between),
            // and reduce-scatters the gradients. Prefetching runs this beside compute: a
            // micro-batch takes the longer of the two, compute slowed by the traffic beside
            // it, plus the first layer's gather that nothing hides.
            let regather = c.settings.recompute == .full && assumptions.zero3RegatherForRecompute
            let gathers: Double = regather ? 3 : 2
            let z3 = assumptions.hierarchicalZeRO3
            let ag = time(.allGather, sharedWeightBytes, expertWeightBytes, hierarchical: z3)
            let rs = time(.reduceScatter, sharedGradientBytes, expertGradientBytes, hierarchical: z3)
            let traffic = gathers * ag + rs
            let firstLayer = net.time(.allGather, bytes: c.layerParameters * gatheredBytes, group: dpGroup, hierarchical: z3)
            let slowedCompute = stageSeconds + assumptions.overlapContention * traffic
            return (
                m * (max(traffic, slowedCompute) - stageSeconds + firstLayer),
                m
                    * (gathers * volume(.allGather, sharedWeightBytes, expertWeightBytes)
                        + volume(.reduceScatter, sharedGradientBytes, expertGradientBytes))
            )
        }
    }

    /// Tied embeddings split over the first and last stages keep their gradients in sync
    /// (the pipelined head then holds its own copy of the table, the local one does not).
    @inline(__always)
    static func tiedEmbeddingSync(_ c: LayerCosts, layout: Layout, assumptions: TrainingAssumptions) -> Double {
        guard layout.pp > 1 && c.outputParametersPipelined > c.outputParametersLocal * 2 && !c.frozenBase else { return 0 }
        let bytes = (c.outputParametersPipelined - c.outputParametersLocal) * gradientBytesPerParameter(c, assumptions)
        return c.network.time(.allReduce, bytes: bytes, group: CommGroup(ranks: 2, ranksPerNode: 1))
    }

    /// The optimizer step on the parameters this device updates (its shard under ZeRO ≥ 1).
    @inline(__always)
    static func optimizerSeconds(_ c: LayerCosts, layout: Layout, heaviest: StageLoad) -> Double {
        let updatedParameters =
            heaviest.trainableShared / (layout.zero >= 1 ? Double(layout.gradientGroup) : 1)
            + heaviest.trainableExpert / (layout.zero >= 1 ? Double(layout.expertDataParallel) : 1)
        return updatedParameters * c.optimizerSecondsPerParameter
    }

    /// The step's throughput and utilisation figures from its breakdown.
    @inline(__always)
    static func estimate(
        _ c: LayerCosts, layout: Layout, breakdown b: StepBreakdown, memory: MemoryBreakdown,
        tensorParallelBytes: Double, dataParallelBytes: Double, pipelineBytes: Double,
        parametersPerStage: Double
    ) -> StepEstimate {
        let pp = Double(layout.pp), v = Double(layout.schedule.chunks)
        let m = layout.microBatchEquivalents
        let step = b.total
        let microBatches = Double(layout.globalBatch) / Double(layout.microBatch)
        let tokens = microBatches * c.tokensPerMicroBatch
        let modelFlops = microBatches * c.modelFlopsPerMicroBatch
        let hardwareFlops = microBatches * c.hardwareFlopsPerMicroBatch
        let peak = Double(layout.devices) * c.peakFlopsPerSecond * step

        return StepEstimate(
            stepSeconds: step, breakdown: b,
            memory: memory,
            tokensPerStep: tokens, tokensPerSecond: tokens / step, modelFlopsPerStep: modelFlops, hardwareFlopsPerStep: hardwareFlops,
            mfu: modelFlops / peak, hfu: hardwareFlops / peak, mfuPeakFlopsPerSecond: c.peakFlopsPerSecond, mfuPeakDType: c.peakDType,
            microBatchesPerStep: layout.microBatchesPerStep,
            bubbleFraction: (pp - 1) / (v * m), tensorParallelBytes: tensorParallelBytes,
            dataParallelBytes: dataParallelBytes, pipelineBytes: pipelineBytes, parametersPerStage: parametersPerStage,
            devices: layout.devices, powerWatts: c.powerWatts)
    }

    /// Layers and one micro-batch's seconds per pipeline stage, for reports (`train --json`).
    public static func stages(_ c: LayerCosts, layout: Layout) -> (layers: [Int], seconds: [Double]) {
        let split = Self.split(c, layout)
        var layers: [Int] = [], seconds: [Double] = []
        var start = 0
        for i in 0..<split.stages {
            let s = StageLoad(c, split: split, stage: i, start: start)
            layers.append(s.layers); seconds.append(s.cost.seconds)
            start += s.layers
        }
        return (layers, seconds)
    }

    /// Peak bytes on the device that holds the most, over the pipeline stages: weights, gradients
    /// and optimizer states by ZeRO stage (Rajbhandari et al. 2020: 2Ψ + 2Ψ + 12Ψ for
    /// mixed-precision Adam; dense weights sharded over dp·cp, experts over dp·cp/ep; LoRA keeps
    /// gradients and states for the adapters only; fp8 adds its weight copies), activations of
    /// the micro-batches in flight (1F1B keeps p − i on stage i; interleaving adds (p−1)/(p·v) on
    /// the first: Korthikanti et al. 2022 §4.2.3), and temporary buffers.
    public static func memory(_ c: LayerCosts, layout: Layout, assumptions: TrainingAssumptions = TrainingAssumptions()) -> MemoryBreakdown
    {
        let rules = MemoryRules(c, layout: layout, assumptions: assumptions)
        var best = MemoryBreakdown()
        best.capacity = c.deviceMemoryBytes
        var bestTotal = -1.0
        forEachStage(c, split(c, layout)) { i, s in
            let m = rules.memory(stage: i, s)
            let total = m.total
            if total > bestTotal { best = m; bestTotal = total }
        }
        return best
    }
}

/// What the memory of a stage depends on besides the stage: the layout's sharding and the
/// precision's bytes per parameter, computed once per evaluation.
struct MemoryRules {
    let capacity: Double, frozenBase: Bool, weightBytes: Double, copyBytes: Double
    let inputActivations: Double, outputActivations: Double, fullRecompute: Bool
    let shards: Double, expertShards: Double
    let pp: Double, v: Double, m: Double
    let statesPerParameter: Double
    let temporary: Double
    let zero: Int, stages: Int

    @inline(__always)
    init(_ c: LayerCosts, layout: Layout, assumptions: TrainingAssumptions) {
        capacity = c.deviceMemoryBytes; frozenBase = c.frozenBase; weightBytes = c.weightBytes; copyBytes = c.weightCopyBytes
        inputActivations = c.inputActivationBytes; outputActivations = c.outputActivationBytes
        fullRecompute = c.settings.recompute == .full
        shards = Double(layout.gradientGroup); expertShards = Double(layout.expertDataParallel)
        pp = Double(layout.pp); v = Double(layout.schedule.chunks); m = Double(layout.microBatchesPerStep)
        let master: Double = c.settings.precision.hasMasterWeights ? 4 : 0
        let moments: Double = c.settings.optimizer == .adamw ? 8 : 4
        statesPerParameter = master + moments
        var temporary = 0.0
        if layout.zero >= 3 && layout.gradientGroup > 1 { temporary += 2 * c.largestWeightParameters * c.weightBytes }
        if layout.gradientGroup > 1 && layout.zero < 3 { temporary += 2 * assumptions.lastBucketBytes }
        self.temporary = temporary
        zero = layout.zero; stages = layout.pp
    }

    @inline(__always)
    func memory(stage i: Int, _ s: StageLoad) -> MemoryBreakdown {
        @inline(__always) func sharded(_ shared: Double, _ expert: Double, _ on: Bool) -> Double {
            on ? shared / shards + expert / expertShards : shared + expert
        }
        var r = MemoryBreakdown()
        r.capacity = capacity
        let adapters = frozenBase ? s.trainableShared : 0
        r.weights = sharded(s.sharedParameters + adapters, s.expertParameters, zero >= 3) * (weightBytes + copyBytes)
        r.gradients = sharded(s.trainableShared, s.trainableExpert, zero >= 2) * weightBytes
        r.optimizerStates = sharded(s.trainableShared, s.trainableExpert, zero >= 1) * statesPerParameter
        let first = i == 0, last = i == stages - 1
        let inFlight = stages == 1 ? 1 : min(m, pp - Double(i)) * (first && v > 1 ? 1 + (pp - 1) / (pp * v) : 1)
        var activations = s.storedActivationBytes * inFlight
        if first { activations += inputActivations * inFlight }
        if fullRecompute && (!last || stages == 1) { activations += s.fullLayerActivationBytes }
        if last { activations += outputActivations }
        r.activations = activations
        r.temporary = temporary
        return r
    }
}
