import Ridgeline

/// One kernel of a training step as the roofline engine predicts it, for `train --kernels`.
public struct ListedKernel: Sendable {
    public var phase: String
    public var category: CostCategory
    public var count: Double
    public var prediction: Prediction
}

/// The kernels of one micro-batch on one device, pass by pass: what the step time is made of.
public enum KernelListing {
    public static func list(model: ModelDefinition, profile: HardwareProfile, settings: KernelSettings) -> [ListedKernel] {
        let engine = Roofline(profile)
        var rows: [ListedKernel] = []
        func add(_ phase: String, _ pass: PassKernels) {
            for k in pass.kernels {
                rows.append(
                    ListedKernel(
                        phase: phase, category: k.category, count: k.count,
                        prediction: engine.predict(k.kernel, mode: settings.mode.execution)))
            }
        }
        switch model {
        case .transformer(let t):
            let k = TransformerKernels(
                model: t, settings: settings,
                expertLoad: min(settings.capacityFactor, TrainingAssumptions().expertLoadImbalance))
            add("input fwd", k.inputForward())
            add("layer fwd", k.layerForward())
            add("layer recompute", k.layerRecompute())
            add("layer bwd", k.layerBackward())
            if t.moe != nil {
                add("moe layer fwd", k.layerForward(moe: true))
                add("moe layer recompute", k.layerRecompute(moe: true))
                add("moe layer bwd", k.layerBackward(moe: true))
            }
            add("output fwd", k.outputForward())
            add("output bwd", k.outputBackward())
            add("input bwd", k.inputBackward())
        case .cnn(let c):
            let x = CNNKernels(model: c, settings: settings).expand()
            add("fwd", x.forward)
            add("bwd", x.backward)
        }
        return rows
    }
}
