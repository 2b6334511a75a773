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

/// Combines stage-1 costs with a layout: pure, allocation-free arithmetic on a handful of
/// doubles, so a planner can evaluate millions of layouts a second.
///
/// Step time = micro-batches × slowest stage's (forward + backward + recompute + TP comm)
///   + pipeline bubble (p−1)/v × that stage time (Narayanan et al. 2021, §2.2)
///   + pipeline sends on the critical path
///   + data-parallel gradient reduction not hidden behind the last micro-batch's backward
///   + ZeRO-3 parameter gathers not hidden behind compute
///   + optimizer step on the parameters this device updates.
public enum StepModel {
    public static func evaluate(_ c: LayerCosts, layout: Layout, assumptions: TrainingAssumptions = TrainingAssumptions()) -> StepEstimate {
        let pp = Double(layout.pp), dp = Double(layout.dp), v = Double(layout.schedule.chunks)
        let layersPerStage = Double(c.layers) / pp
        let m = Double(layout.microBatchesPerStep)
        let net = c.network
        let domain = net.domainSize

        // Compute per micro-batch on the slowest stage.
        let layer = c.layerForward + c.layerBackward + c.layerRecompute
        let inputSide = c.inputForward + c.inputBackward
        let outputSide = c.outputForward + c.outputBackward
        let stage: PhaseCost
        let stageParameters = Self.stageParameters(c, pp: layout.pp)
        if layout.pp == 1 {
            stage = layer * layersPerStage + inputSide + outputSide
        } else {
            let first = layer * layersPerStage + inputSide, last = layer * layersPerStage + outputSide
            stage = first.seconds >= last.seconds ? first : last
        }
        let stageSeconds = stage.seconds

        var b = StepBreakdown()
        b.gemm = m * stage.gemm
        b.attention = m * stage.attention
        b.memoryBound = m * stage.memoryBound
        b.dispatchOverhead = m * stage.dispatch
        var exposed = m * stage.communication
        b.pipelineBubble = (pp - 1) / v * stageSeconds

        // Pipeline sends: forward activations and backward gradients, once per chunk boundary.
        var pipelineBytes = 0.0
        if layout.pp > 1 {
            let stagesPerNode = max(1, domain / layout.tp)
            let group = CommGroup(ranks: 2, ranksPerNode: layout.pp > stagesPerNode ? 1 : 2)
            let sends = 2 * v * m
            exposed += sends * net.time(.sendRecv, bytes: c.pipelineMessageBytes, group: group)
            pipelineBytes = sends * c.pipelineMessageBytes
        }

        // Data parallelism and ZeRO.
        let modelParallel = layout.tp * layout.pp
        let dpGroup = CommGroup(ranks: layout.dp, ranksPerNode: modelParallel < domain ? max(1, domain / modelParallel) : 1)
        let gradBytesPerParameter = c.weightBytes >= 4 ? 4 : assumptions.gradientReduceBytesMixed
        let gradientBytes = stageParameters * gradBytesPerParameter
        let weightBytes = stageParameters * c.weightBytes
        var dataParallelBytes = 0.0
        if layout.dp > 1 {
            let lastBackward = layersPerStage * (c.layerBackward + c.layerRecompute).seconds
            let dpHierarchical = assumptions.hierarchicalDataParallel
            // A reduction overlapped with backward is hidden except its last bucket, and slows
            // the compute it runs beside by `overlapContention` of its own time.
            func exposedPart(_ seconds: Double, _ bytes: Double, _ op: Collective) -> Double {
                guard layout.overlapGradientReduction else { return seconds }
                let bucket = net.time(op, bytes: min(bytes, assumptions.lastBucketBytes), group: dpGroup, hierarchical: dpHierarchical)
                let exposedSeconds = max(bucket, seconds - lastBackward)
                return exposedSeconds + assumptions.overlapContention * (seconds - exposedSeconds)
            }
            switch layout.zero {
            case 0:
                let t = net.time(.allReduce, bytes: gradientBytes, group: dpGroup, hierarchical: dpHierarchical)
                exposed += exposedPart(t, gradientBytes, .allReduce)
                dataParallelBytes = Collective.allReduce.bytesPerRank(gradientBytes, ranks: layout.dp)
            case 1, 2:
                let rs = net.time(.reduceScatter, bytes: gradientBytes, group: dpGroup, hierarchical: dpHierarchical)
                let ag = net.time(.allGather, bytes: weightBytes, group: dpGroup, hierarchical: dpHierarchical)
                exposed += exposedPart(rs, gradientBytes, .reduceScatter) + ag
                dataParallelBytes = Collective.reduceScatter.bytesPerRank(gradientBytes, ranks: layout.dp)
                    + Collective.allGather.bytesPerRank(weightBytes, ranks: layout.dp)
            default:
                // ZeRO-3/FSDP: every micro-batch gathers the parameters for forward and again for
                // backward (and for the recomputed forward when parameters are freed in between),
                // and reduce-scatters the gradients. Prefetching runs this beside compute: a
                // micro-batch takes the longer of the two, compute slowed by the traffic beside
                // it, plus the first layer's gather that nothing hides.
                let regather = c.settings.recompute == .full && assumptions.zero3RegatherForRecompute
                let gathers: Double = regather ? 3 : 2
                let z3 = assumptions.hierarchicalZeRO3
                let ag = net.time(.allGather, bytes: weightBytes, group: dpGroup, hierarchical: z3)
                let rs = net.time(.reduceScatter, bytes: gradientBytes, group: dpGroup, hierarchical: z3)
                let traffic = gathers * ag + rs
                let firstLayer = net.time(.allGather, bytes: c.layerParameters * c.weightBytes, group: dpGroup, hierarchical: z3)
                let slowedCompute = stageSeconds + assumptions.overlapContention * traffic
                exposed += m * (max(traffic, slowedCompute) - stageSeconds + firstLayer)
                dataParallelBytes = m * (gathers * Collective.allGather.bytesPerRank(weightBytes, ranks: layout.dp)
                                         + Collective.reduceScatter.bytesPerRank(gradientBytes, ranks: layout.dp))
            }
        }
        // Tied embeddings split over the first and last stages keep their gradients in sync
        // (the pipelined head then holds its own copy of the table, the local one does not).
        if layout.pp > 1 && c.outputParametersPipelined > c.outputParametersLocal * 2 {
            let bytes = (c.outputParametersPipelined - c.outputParametersLocal) * gradBytesPerParameter
            exposed += net.time(.allReduce, bytes: bytes, group: CommGroup(ranks: 2, ranksPerNode: 1))
        }
        b.exposedCommunication = exposed

        let updatedParameters = stageParameters / (layout.zero >= 1 ? dp : 1)
        b.optimizer = updatedParameters * c.optimizerSecondsPerParameter

        let step = b.total
        let microBatches = Double(layout.globalBatch) / Double(layout.microBatch)
        let tokens = microBatches * c.tokensPerMicroBatch
        let modelFlops = microBatches * c.modelFlopsPerMicroBatch
        let hardwareFlops = microBatches * c.hardwareFlopsPerMicroBatch
        let peak = Double(layout.devices) * c.peakFlopsPerSecond * step

        return StepEstimate(
            stepSeconds: step, breakdown: b,
            memory: memory(c, layout: layout, stageParameters: stageParameters, microBatches: m, layersPerStage: layersPerStage,
                           assumptions: assumptions),
            tokensPerStep: tokens, tokensPerSecond: tokens / step, modelFlopsPerStep: modelFlops, hardwareFlopsPerStep: hardwareFlops,
            mfu: modelFlops / peak, hfu: hardwareFlops / peak, microBatchesPerStep: layout.microBatchesPerStep,
            bubbleFraction: (pp - 1) / (v * m), tensorParallelBytes: m * stage.communicationBytes,
            dataParallelBytes: dataParallelBytes, pipelineBytes: pipelineBytes, parametersPerStage: stageParameters,
            devices: layout.devices, powerWatts: c.powerWatts)
    }

    /// Parameters on one tensor-parallel rank of the busiest pipeline stage: its layers plus the
    /// embedding or the head, whichever is larger (both when there is one stage).
    static func stageParameters(_ c: LayerCosts, pp: Int) -> Double {
        let layersPerStage = Double(c.layers) / Double(pp)
        if pp == 1 { return layersPerStage * c.layerParameters + c.inputParameters + c.outputParametersLocal }
        return layersPerStage * c.layerParameters + max(c.inputParameters, c.outputParametersPipelined)
    }

    /// Peak bytes on the device that holds the most: weights, gradients and optimizer states by
    /// ZeRO stage (Rajbhandari et al. 2020: 2Ψ + 2Ψ + 12Ψ for mixed-precision Adam), activations
    /// of the micro-batches in flight (1F1B keeps p on the first stage; interleaving adds
    /// (p−1)/(p·v) of that: Korthikanti et al. 2022 §4.2.3), and temporary buffers.
    static func memory(_ c: LayerCosts, layout: Layout, stageParameters: Double, microBatches m: Double,
                       layersPerStage: Double, assumptions: TrainingAssumptions) -> MemoryBreakdown {
        let dp = Double(layout.dp), pp = Double(layout.pp), v = Double(layout.schedule.chunks)
        var r = MemoryBreakdown()
        r.capacity = c.deviceMemoryBytes
        let p = stageParameters
        r.weights = p * c.weightBytes / (layout.zero >= 3 ? dp : 1)
        r.gradients = p * c.weightBytes / (layout.zero >= 2 ? dp : 1)
        let master: Double = c.settings.precision.hasMasterWeights ? 4 : 0
        let moments: Double = c.settings.optimizer == .adamw ? 8 : 4
        r.optimizerStates = p * (master + moments) / (layout.zero >= 1 ? dp : 1)
        let inFlight = layout.pp == 1 ? 1 : min(m, pp) * (v > 1 ? 1 + (pp - 1) / (pp * v) : 1)
        var activations = layersPerStage * c.activationBytesPerLayer * inFlight + c.inputActivationBytes * inFlight
        if c.settings.recompute == .full { activations += c.fullLayerActivationBytes }
        if layout.pp == 1 { activations += c.outputActivationBytes }
        let lastStage = layout.pp > 1 ? layersPerStage * c.activationBytesPerLayer + c.outputActivationBytes : 0
        r.activations = max(activations, lastStage)
        var temporary = 0.0
        if layout.zero >= 3 && layout.dp > 1 { temporary += 2 * c.largestWeightParameters * c.weightBytes }
        if layout.dp > 1 && layout.zero < 3 { temporary += 2 * assumptions.lastBucketBytes }
        r.temporary = temporary
        return r
    }
}
