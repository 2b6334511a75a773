@testable import RidgelineProbe

/// This machine as the probe sees it: hwloc, and a probe on hwloc's topology with the settings a
/// test changes from the standard ones. What the tests that measure this machine start from.
struct ThisMachine {
    let hwloc: Hwloc
    let probe: CeilingProbe
    var topology: HostTopology { probe.topology }

    init(_ adjust: (inout ProbeSettings) -> Void) throws {
        hwloc = try Hwloc.shared()
        var settings = ProbeSettings.standard
        adjust(&settings)
        probe = CeilingProbe(topology: hwloc.hostTopology(), hwloc: hwloc, settings: settings)
    }
}
