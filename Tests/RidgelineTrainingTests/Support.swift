import Foundation
import Ridgeline
@_exported import RidgelineTestSupport

@testable import RidgelineTraining

/// Shipped profiles and models (`RidgelineTestSupport`).
enum Fixtures {
    static func store() throws -> ProfileStore { shippedProfiles }
    static func model(_ id: String) throws -> ModelDefinition { try store().model(id) }
    static func transformer(_ id: String) throws -> TransformerModel {
        guard case .transformer(let t) = try model(id) else { throw RidgelineError.invalidSpec(source: id, detail: "not a transformer") }
        return t
    }
    static func hardware(_ id: String) throws -> HardwareProfile { try store().hardware(id) }

    static func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
}
