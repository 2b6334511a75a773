import Foundation
import Ridgeline
import Testing

@testable import RidgelineRuns

/// What check-serving reads off a published serving row beyond its columns.
@Suite struct ServingCheckTests {
    @Test func theRequestCountComesFromTheRowNotes() {
        #expect(
            ServingCheck.requestCount(notes: "synthetic uniform ISL/OSL (stdev 0); num_requests=3000 per doc table; pp assumed 1")
                == 3000)
        #expect(ServingCheck.requestCount(notes: "num_requests=1500") == 1500)
        #expect(ServingCheck.requestCount(notes: "max-load offline IFB run; no count given") == nil)
        #expect(ServingCheck.requestCount(notes: "num_requests=") == nil)
        #expect(ServingCheck.requestCount(notes: "num_requests=0 per doc") == nil)
        // More digits than an Int holds: no count, not a trap.
        #expect(ServingCheck.requestCount(notes: "num_requests=99999999999999999999999") == nil)
    }
}
