import Ridgeline
import Testing

@testable import RidgelineTraining

/// What `train --kernels --json` lists must be kernels of the spec contract: each one written as
/// its spec reads back as the same kernel, so a measured kernel can be matched to it and
/// `ridgeline predict` can price it alone.
@Suite struct KernelListingTests {
    static let cases: [(model: String, settings: KernelSettings)] = {
        var eagerCNN = KernelSettings(microBatch: 32, seq: 1, mode: .eager, optimizer: .sgd)
        eagerCNN.autocastFP32Parameters = true
        var eagerLM = KernelSettings(tp: 8, microBatch: 1, seq: 4096, flashAttention: false, mode: .eager)
        eagerLM.autocastFP32Parameters = true
        return [
            ("resnet-50", eagerCNN),
            ("resnet-50", KernelSettings(microBatch: 32, seq: 1, optimizer: .sgd)),
            ("llama3-8b", eagerLM),
            ("llama3-8b", KernelSettings(tp: 8, microBatch: 1, seq: 4096, precision: .fp8)),
            ("mixtral-8x7b", KernelSettings(microBatch: 1, seq: 4096, ep: 8)),
            ("vit-b16", KernelSettings(microBatch: 32, seq: 197)),
        ]
    }()

    @Test(arguments: cases.indices)
    func everyListedKernelIsASpecThatReadsBack(_ index: Int) throws {
        let (id, settings) = Self.cases[index]
        let listed = KernelListing.list(model: try Fixtures.model(id), profile: try Fixtures.hardware("h100-sxm5-80gb"), settings: settings)
        #expect(!listed.isEmpty)
        for row in listed {
            let kernel = row.prediction.kernel
            let read = try Kernel.parse(json: kernel.json, source: "\(id) \(row.phase)")
            #expect(read == kernel, "\(id) \(row.phase): \(kernel.json)")
        }
    }
}
