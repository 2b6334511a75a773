import Ridgeline
import Testing

@testable import RidgelineTraining

/// Eager CNN steps issue PyTorch's own kernels (CNNKernels.Builder.eagerBatchNorm, eagerResidual).
@Suite struct CNNKernelsTests {
    /// One 3×3 convolution with batch norm and ReLU, then one bottleneck whose shape changes
    /// (a projection shortcut), on 8 images of 16×16.
    let model = CNNModel(
        name: "tiny", image: 16, channels: 3,
        layers: [.conv(out: 8, kernel: 3, stride: 1, pad: 1, batchNorm: true), .bottleneck(mid: 4, out: 16, stride: 1)])

    func expand(_ mode: StepMode, autocast: Bool = false) -> CNNKernels.Expansion {
        var settings = KernelSettings(microBatch: 8, seq: 1, mode: mode, optimizer: .sgd)
        settings.autocastFP32Parameters = autocast
        return CNNKernels(model: model, settings: settings).expand()
    }

    func memoryBytes(_ pass: PassKernels) -> Double {
        pass.kernels.filter { $0.category == .memoryBound }.reduce(0) { $0 + $1.kernel.bytes }
    }

    /// The stem's batch norm in eager mode: a statistics reduction (1 pass) and the transform
    /// (2) forward; backward a reduction over dy and x (2) and the input gradient (3).
    @Test func eagerBatchNormIsNativeChannelsLastKernels() {
        let x = expand(.eager)
        let elements = 8 * 8 * 16 * 16, bf16 = 2.0
        guard case .reduction(let stats) = x.forward.kernels[1].kernel,
            case .elementwise(let transform) = x.forward.kernels[3].kernel,
            case .reduction(let reduce) = x.backward.kernels[1].kernel,
            case .elementwise(let dx) = x.backward.kernels[2].kernel
        else {
            Issue.record("unexpected kernels: \(x.forward.kernels.map(\.kernel.label)) / \(x.backward.kernels.map(\.kernel.label))")
            return
        }
        #expect(stats.elements == elements && stats.outputs == 16)
        #expect(transform.bytes == 2 * Double(elements) * bf16)
        #expect(reduce.elements == 2 * elements)
        #expect(dx.bytes == 3 * Double(elements) * bf16)
    }

    /// Eager: `out += identity` and the in-place ReLU are two kernels, and backward sums the
    /// block input's two gradients; compiled keeps one fused add-ReLU and no extra sum.
    @Test func eagerResidualIsAddThenReLUWithGradientSum() {
        let eager = expand(.eager), compiled = expand(.compiled)
        let names = eager.forward.kernels.compactMap { k -> String? in
            if case .elementwise(let e) = k.kernel { return e.name }
            return nil
        }
        #expect(Array(names.suffix(2)) == ["add", "relu"])
        let blockInput = 8 * 8 * 16 * 16
        let sums = eager.backward.kernels.filter {
            if case .elementwise(let e) = $0.kernel { return e.name == "add" && e.elements == blockInput }
            return false
        }
        #expect(sums.count == 1)
        #expect(
            !compiled.backward.kernels.contains {
                if case .elementwise(let e) = $0.kernel { return e.name == "add" }
                return false
            })
        // Eager moves more bytes than compiled in both passes.
        #expect(memoryBytes(eager.forward) > memoryBytes(compiled.forward))
        #expect(memoryBytes(eager.backward) > memoryBytes(compiled.backward))
    }

    /// A convolution declared without batch norm (`batch_norm: false`) carries a bias instead:
    /// no batch-norm kernel in either mode, the bias added forward (eager: its own kernel before
    /// ReLU; compiled: one bias-and-ReLU pass) and its gradient reduced per channel backward.
    @Test func aConvolutionWithoutBatchNormAddsItsBias() {
        let plain = CNNModel(name: "plain", image: 16, channels: 3, layers: [.conv(out: 8, kernel: 3, stride: 1, pad: 1, batchNorm: false)])
        let elements = 8 * 8 * 16 * 16
        for mode in [StepMode.eager, .compiled] {
            let x = CNNKernels(model: plain, settings: KernelSettings(microBatch: 8, seq: 1, mode: mode, optimizer: .sgd)).expand()
            let all = x.forward.kernels + x.backward.kernels
            let names = all.compactMap { k -> String? in
                if case .elementwise(let e) = k.kernel { return e.name }
                return nil
            }
            #expect(!names.contains { $0.hasPrefix("batchnorm") }, "\(mode): \(names)")
            #expect(names.contains(mode == .eager ? "bias" : "bias_relu"), "\(mode): \(names)")
            let biasGradients = x.backward.kernels.filter {
                if case .reduction(let r) = $0.kernel { return r.elements == elements && r.outputs == 8 }
                return false
            }
            #expect(biasGradients.count == 1, "\(mode)")
        }
        // With batch norm the same layer keeps no bias: no bias kernel.
        #expect(
            !expand(.eager).forward.kernels.contains {
                if case .elementwise(let e) = $0.kernel { return e.name == "bias" }
                return false
            })
    }

    /// A classifier straight after the convolutions (VGG, AlexNet) flattens the feature map: its
    /// GEMM's k and its weights are channels × side², not the channels alone.
    @Test func aClassifierFlattensTheFeatureMap() {
        let flat = CNNModel(
            name: "flat", image: 16, channels: 3,
            layers: [.conv(out: 8, kernel: 3, stride: 1, pad: 1, batchNorm: true), .maxPool(kernel: 3, stride: 2, pad: 1), .fc(out: 10)])
        let features = 8 * 8 * 8  // 8 channels of 8 × 8 after the pool: (16 + 2 - 3) / 2 + 1
        #expect(flat.parameterCount == Double(8 * 3 * 9 + 2 * 8 + features * 10 + 10))
        let x = CNNKernels(model: flat, settings: KernelSettings(microBatch: 4, seq: 1, optimizer: .sgd)).expand()
        let gemms = (x.forward.kernels + x.backward.kernels).compactMap { k -> GEMM? in
            if case .gemm(let g) = k.kernel { return g }
            return nil
        }
        #expect(gemms.map { $0.m * $0.n * $0.k } == Array(repeating: 4 * 10 * features, count: 3), "\(gemms.map(\.label))")
        // After a global average pool the flattened map is the channels: ResNet-50 is unchanged.
        let pooled = CNNModel(
            name: "pooled", image: 16, channels: 3,
            layers: [.conv(out: 8, kernel: 3, stride: 1, pad: 1, batchNorm: true), .globalAvgPool, .fc(out: 10)])
        #expect(pooled.parameterCount == Double(8 * 3 * 9 + 2 * 8 + 8 * 10 + 10))
    }

    /// The shipped CNNs count torchvision's parameters exactly: bottleneck and basic blocks with
    /// their projection shortcuts, batch norm's two per channel, VGG's biases and its classifier
    /// over the flattened 512 × 7 × 7 map.
    @Test(arguments: [("resnet-50", 25_557_032.0), ("resnet-18", 11_689_512), ("vgg-16", 138_357_544)])
    func shippedCNNsCountTorchvisionsParameters(id: String, parameters: Double) throws {
        guard case .cnn(let model) = try Fixtures.model(id) else {
            Issue.record("\(id) is not a CNN")
            return
        }
        #expect(model.parameterCount == parameters)
    }

    /// Under autocast over fp32 parameters the fp32 images are cast to 16 bits once (read 4
    /// bytes, write 2 per pixel); without it, no cast.
    @Test func autocastCastsTheImages() {
        let cast = expand(.eager, autocast: true).forward.kernels.first
        guard case .elementwise(let e) = cast?.kernel else {
            Issue.record("no cast first")
            return
        }
        #expect(e.name == "cast" && e.bytes == Double(8 * 3 * 16 * 16) * 6)
        #expect(
            !expand(.eager).forward.kernels.contains {
                if case .elementwise(let e) = $0.kernel { return e.name == "cast" }
                return false
            })
    }

    /// profiles/suites/resnet50.jsonl, which a lent GPU times (scripts/gpu-measure.sh), holds
    /// exactly the distinct convolutions, in every pass, of the ResNet-50 step at batch 256.
    @Test func theResNetSuiteHoldsTheStepsConvolutions() throws {
        guard case .cnn(let resnet) = try Fixtures.model("resnet-50") else {
            Issue.record("resnet-50 is not a CNN")
            return
        }
        let x = CNNKernels(model: resnet, settings: KernelSettings(microBatch: 256, seq: 1, optimizer: .sgd)).expand()
        let stepConvs = Set(
            (x.forward.kernels + x.backward.kernels).compactMap { entry -> Conv2D? in
                if case .conv2d(let c) = entry.kernel { return c }
                return nil
            })
        let suite = try Kernel.load(path: try Fixtures.store().folder("suites") + "/resnet50.jsonl")
        let suiteConvs = suite.compactMap { kernel -> Conv2D? in
            if case .conv2d(let c) = kernel { return c }
            return nil
        }
        #expect(suiteConvs.count == suite.count)
        #expect(Set(suiteConvs).count == suiteConvs.count, "each shape and pass once")
        #expect(Set(suiteConvs) == stepConvs)
    }
}
