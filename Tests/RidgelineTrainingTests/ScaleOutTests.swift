import Foundation
import Ridgeline
import Testing

@testable import RidgelineTraining

/// A profile without `scale_out` has no network between nodes: a layout past its scale-up domain
/// is an error naming scale_out (it used to run over NVLink), and the planner stays within a domain.
@Suite struct ScaleOutTests {
    static func withoutScaleOut() throws -> HardwareProfile {
        var p = try Fixtures.hardware("h100-sxm5-80gb")
        p.scaleOut = nil
        return p
    }

    @Test func aMultiNodeLayoutWithoutScaleOutNamesIt() throws {
        let profile = try Self.withoutScaleOut(), model = try Fixtures.model("gpt2-124m")
        let settings = KernelSettings(microBatch: 4, seq: 1024)
        let inNode = Layout(devices: 8, dp: 8, globalBatch: 512, microBatch: 4)
        #expect(
            try TrainingPredictor.predict(model: model, profile: profile, settings: settings, layout: inNode, tokens: 1e9).step.stepSeconds
                > 0)
        let twoNodes = Layout(devices: 16, dp: 16, globalBatch: 512, microBatch: 4)
        do {
            _ = try TrainingPredictor.predict(model: model, profile: profile, settings: settings, layout: twoNodes, tokens: 1e9)
            Issue.record("16 devices without scale_out were accepted")
        } catch {
            #expect("\(error)".contains("scale_out"), "\(error)")
        }
    }

    @Test func thePlannerStaysWithinOneScaleUpDomain() throws {
        let request = PlanRequest(
            model: try Fixtures.model("gpt2-124m"), hardware: [try Self.withoutScaleOut()], maxDevices: 64, maxMicroBatch: 4)
        let result = try Planner.plan(request)
        #expect(!result.best.isEmpty)
        #expect(result.best.allSatisfy { $0.estimate.layout.devices <= 8 })
    }
}
