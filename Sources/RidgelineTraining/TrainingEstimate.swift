import Ridgeline

/// A whole training run: one step's estimate scaled to the tokens asked for, with its cost.
public struct TrainingEstimate: Sendable {
    public var model: String
    public var parameters: Double
    /// Parameters one token uses (the routed top-k experts of an MoE model): what MFU counts.
    public var activeParameters: Double
    public var hardware: String
    public var layout: Layout
    public var settings: KernelSettings
    public var step: StepEstimate
    public var tokens: Double
    public var pricePerDeviceHour: Double?
    /// Layers on each pipeline stage.
    public var stageLayers: [Int]

    public init(
        model: String, parameters: Double, activeParameters: Double? = nil, hardware: String, layout: Layout,
        settings: KernelSettings, step: StepEstimate, tokens: Double, pricePerDeviceHour: Double?, stageLayers: [Int]? = nil
    ) {
        self.model = model; self.parameters = parameters; self.activeParameters = activeParameters ?? parameters
        self.hardware = hardware; self.layout = layout
        self.settings = settings; self.step = step; self.tokens = tokens; self.pricePerDeviceHour = pricePerDeviceHour
        self.stageLayers = stageLayers ?? []
    }

    public var fitsInMemory: Bool { step.memory.fits }
    public var steps: Double { Self.steps(tokens: tokens, step: step) }
    public var trainSeconds: Double { Self.trainSeconds(tokens: tokens, step: step) }
    public var deviceHours: Double { Self.deviceHours(trainSeconds: trainSeconds, devices: layout.devices) }
    public var costUSD: Double? { pricePerDeviceHour.map { $0 * deviceHours } }
    public var energyKWh: Double { Self.energyKWh(trainSeconds: trainSeconds, step: step) }

    // The run totals as static functions, so the planner ranks by exactly the numbers `train` prints.
    /// Whole optimizer steps to see `tokens`.
    @inline(__always) public static func steps(tokens: Double, step: StepEstimate) -> Double { (tokens / step.tokensPerStep).rounded(.up) }
    @inline(__always) public static func trainSeconds(tokens: Double, step: StepEstimate) -> Double {
        steps(tokens: tokens, step: step) * step.stepSeconds
    }
    @inline(__always) public static func deviceHours(trainSeconds: Double, devices: Int) -> Double { trainSeconds * Double(devices) / 3600 }
    /// Devices at their rated power for the whole run (board power; hosts and cooling excluded).
    @inline(__always) public static func energyKWh(trainSeconds: Double, step: StepEstimate) -> Double {
        Double(step.devices) * step.powerWatts * trainSeconds / 3.6e6
    }
}

/// Stage 1 and stage 2 together, for one configuration: what `ridgeline train` runs, and the one
/// entry point for anything else that predicts a run (published-run checks, reports).
///
///     let store = ProfileStore.locate()
///     let model = try store.model("grok-1").withLayers(8)            // a proxy run's layer count
///     let settings = KernelSettings(tp: 4, sequenceParallel: true, microBatch: 1, seq: 8192,
///                                   precision: .fp8, recompute: .none, cp: 2, ep: 8, expertTP: 1)
///     let layout = Layout(devices: 64, tp: 4, pp: 1, cp: 2, ep: 8, schedule: .oneFOneB, zero: 1,
///                         globalBatch: 1024, microBatch: 1, expertTP: 1)   // or .interleaved(chunks: vp)
///     let e = try TrainingPredictor.predict(model: model, profile: try store.hardware("h100-sxm5-80gb"),
///                                           settings: settings, layout: layout, tokens: 1e12)
///     e.step.stepSeconds; e.step.mfu; e.stageLayers; e.activeParameters
///
/// `settings` and `layout` must agree on tp, micro-batch, cp, ep and etp; `Layout.validate` states
/// the layout rules. To price many layouts of one settings key, call `LayerCosts.compute` once and
/// `StepModel.evaluate` per layout (what the planner does).
public enum TrainingPredictor {
    public static func predict(
        model: ModelDefinition, profile: HardwareProfile, settings: KernelSettings, layout: Layout,
        tokens: Double, price: Double? = nil,
        assumptions: TrainingAssumptions = TrainingAssumptions()
    ) throws -> TrainingEstimate {
        try layout.validate(model: model)
        guard settings.tp == layout.tp, settings.microBatch == layout.microBatch else {
            throw LayoutError(
                field: "tp/micro-batch",
                detail:
                    "kernel settings (tp \(settings.tp), micro-batch \(settings.microBatch)) disagree with the layout (tp \(layout.tp), micro-batch \(layout.microBatch))"
            )
        }
        if layout.devices > 1 && profile.scaleUp == nil && profile.scaleOut == nil {
            throw RidgelineError.unavailable(
                what: "\(layout.devices) devices", reason: "\(profile.id) has neither a scale_up nor a scale_out link")
        }
        if let up = profile.scaleUp, profile.scaleOut == nil, layout.devices > (up.domainSize ?? 1) {
            throw RidgelineError.unavailable(
                what: "\(layout.devices) devices",
                reason:
                    "\(profile.id) has no scale_out link, and its scale_up link (\(up.name)) joins \(up.domainSize ?? 1) devices; give the profile a scale_out block (the network between nodes) or use at most \(up.domainSize ?? 1) devices"
            )
        }
        guard settings.cp == layout.cp, settings.ep == layout.ep, settings.etp == layout.etp else {
            throw LayoutError(
                field: "cp/ep/etp",
                detail:
                    "kernel settings (cp \(settings.cp), ep \(settings.ep), etp \(settings.etp)) disagree with the layout (cp \(layout.cp), ep \(layout.ep), etp \(layout.etp))"
            )
        }
        try CountBounds.checkKernelSize(model: model, settings: settings)
        guard tokens.isFinite, CountBounds.tokens.contains(tokens) else {
            throw LayoutError(field: "tokens", detail: "--tokens \(tokens) is outside \(CountBounds.describe(CountBounds.tokens))")
        }
        if let price, !(price.isFinite && CountBounds.priceUSDPerHour.contains(price)) {
            throw LayoutError(
                field: "price",
                detail: "--price \(price) is outside \(CountBounds.describe(CountBounds.priceUSDPerHour)) USD per device-hour")
        }
        let costs = try LayerCosts.compute(model: model, profile: profile, settings: settings, assumptions: assumptions)
        let step = StepModel.evaluate(costs, layout: layout, assumptions: assumptions)
        let stages = StepModel.stages(costs, layout: layout)
        return TrainingEstimate(
            model: model.name, parameters: model.parameterCount, activeParameters: model.activeParameterCount,
            hardware: profile.id, layout: layout, settings: settings, step: step, tokens: tokens,
            pricePerDeviceHour: price ?? profile.pricePerHourUSD, stageLayers: stages.layers)
    }
}
