import Ridgeline

/// `ridgeline train --json`, and every configuration of `plan --json`: one training estimate.
/// Written by `train` and `plan`, read back by `ridgeline report --plan` (keys snake_case, see
/// `RecordCoding`). The fields DESIGN.md promises come first and are required; the rest are
/// optional so that a file with the contract's fields reads.
public struct TrainRecord: Codable, Sendable, Equatable {
    public var hardware: String
    public var stepTimeS: Double
    public var trainTimeS: Double
    public var tokensPerS: Double
    public var mfu: Double
    public var hfu: Double
    public var fitsInMemory: Bool
    public var memoryPerDeviceBytes: Double
    public var gpuHours: Double
    /// Absent without a price (`--price` or the profile's).
    public var costUsd: Double?
    public var energyKwh: Double
    /// Seconds per step.
    public var breakdown: Breakdown

    public var model: String?
    public var parameters: Double?
    /// Parameters one token uses (MoE: the routed top-k experts); equal to `parameters` for dense models.
    public var activeParameters: Double?
    /// What `tokens` and `tokens_per_s` count: tokens, or images for image models.
    public var unit: String?
    public var layout: Layout?
    /// MFU's denominator per device, and the dtype whose peak it is (`HardwareProfile.mfuPeak`).
    public var mfuPeakFlopsPerS: Double?
    public var mfuPeakDtype: String?
    public var memoryCapacityBytes: Double?
    public var memory: Memory?
    public var tokens: Double?
    public var steps: Double?
    public var bubbleFraction: Double?
    public var communicationBytesPerStep: Communication?
    /// The kernels of one micro-batch on one device (`train --kernels --json`), as `--kernels`
    /// lists them; absent without `--kernels`.
    public var kernels: [ListedKernelRecord]?

    /// Seconds per step by where they go (`StepBreakdown`).
    public struct Breakdown: Codable, Sendable, Equatable {
        public var gemm, attention, memoryBound, optimizer, exposedCommunication, pipelineBubble, dispatchOverhead: Double

        public init(_ b: StepBreakdown) {
            gemm = b.gemm; attention = b.attention; memoryBound = b.memoryBound; optimizer = b.optimizer
            exposedCommunication = b.exposedCommunication; pipelineBubble = b.pipelineBubble; dispatchOverhead = b.dispatchOverhead
        }

        /// (key as the file spells it, seconds), in key order.
        public var components: [(String, Double)] {
            [
                ("attention", attention), ("dispatch_overhead", dispatchOverhead), ("exposed_communication", exposedCommunication),
                ("gemm", gemm), ("memory_bound", memoryBound), ("optimizer", optimizer), ("pipeline_bubble", pipelineBubble),
            ]
        }
    }

    /// The parallel layout and the settings of the step. Fields added after the first files were
    /// written (context, expert and expert-tensor parallelism, stage layers, capacity factor,
    /// fine-tuning) are optional, so those files still read; `train` and `plan` always write them.
    public struct Layout: Codable, Sendable, Equatable {
        public var gpus, tp, pp, dp, interleave, zero, microBatch, globalBatch, seq, microBatchesPerStep: Int
        public var cp, ep, etp: Int?
        /// Layers per pipeline stage; empty where not computed (a plan's closest miss).
        public var stageLayers: [Int]?
        public var capacityFactor: Double?
        public var sequenceParallel, flashAttention, overlapGradientReduction: Bool
        public var precision, recompute, mode, optimizer: String
        public var finetune: String?
        public var loraRank: Int?
        public var loraTargets: [String]?

        public init(_ l: RidgelineTraining.Layout, _ k: KernelSettings, stageLayers: [Int]) {
            gpus = l.devices; tp = l.tp; pp = l.pp; cp = l.cp; dp = l.dp; ep = l.ep; etp = l.etp; interleave = l.schedule.chunks
            zero = l.zero; microBatch = l.microBatch; globalBatch = l.globalBatch; seq = k.seq; microBatchesPerStep = l.microBatchesPerStep
            self.stageLayers = stageLayers; capacityFactor = k.capacityFactor
            sequenceParallel = k.sequenceParallel; flashAttention = k.flashAttention; overlapGradientReduction = l.overlapGradientReduction
            precision = k.precision.rawValue; recompute = k.recompute.rawValue; mode = k.mode.rawValue; optimizer = k.optimizer.rawValue
            finetune = k.finetune.name; loraRank = k.finetune.lora?.rank
            loraTargets = k.finetune.lora.map { $0.targets.map(\.rawValue).sorted() }
        }
    }

    /// One listed kernel: the pass, its spec (the kernel contract's fields, so that a measured
    /// kernel can be matched to it), how many times one micro-batch runs it, and its prediction.
    public struct ListedKernelRecord: Codable, Sendable, Equatable {
        public var pass: String
        public var spec: Kernel
        public var label: String
        public var category: String
        public var count: Double
        public var timeS: Double
        public var bound: String

        public init(_ k: ListedKernel) {
            pass = k.phase; spec = k.prediction.kernel; label = k.prediction.kernel.label; category = k.category.rawValue
            count = k.count; timeS = k.prediction.timeSeconds; bound = k.prediction.bound.description
        }
    }

    /// Bytes per device.
    public struct Memory: Codable, Sendable, Equatable {
        public var weights, gradients, optimizerStates, activations, temporary, total: Double
    }

    /// Bytes each device sends per step, by parallelism.
    public struct Communication: Codable, Sendable, Equatable {
        public var tensorParallel, dataParallel, pipeline: Double
    }

    public init(_ e: TrainingEstimate, unit: String) {
        let s = e.step
        hardware = e.hardware
        stepTimeS = s.stepSeconds; trainTimeS = e.trainSeconds; tokensPerS = s.tokensPerSecond; mfu = s.mfu; hfu = s.hfu
        fitsInMemory = e.fitsInMemory; memoryPerDeviceBytes = s.memory.total; gpuHours = e.deviceHours; costUsd = e.costUSD
        energyKwh = e.energyKWh; breakdown = Breakdown(s.breakdown)
        model = e.model; parameters = e.parameters; activeParameters = e.activeParameters; self.unit = unit
        layout = Layout(e.layout, e.settings, stageLayers: e.stageLayers)
        mfuPeakFlopsPerS = s.mfuPeakFlopsPerSecond; mfuPeakDtype = s.mfuPeakDType.rawValue
        memoryCapacityBytes = s.memory.capacity
        memory = Memory(
            weights: s.memory.weights, gradients: s.memory.gradients, optimizerStates: s.memory.optimizerStates,
            activations: s.memory.activations, temporary: s.memory.temporary, total: s.memory.total)
        tokens = e.tokens; steps = e.steps; bubbleFraction = s.bubbleFraction
        communicationBytesPerStep = Communication(
            tensorParallel: s.tensorParallelBytes, dataParallel: s.dataParallelBytes,
            pipeline: s.pipelineBytes)
    }
}
