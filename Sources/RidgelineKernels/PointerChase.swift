/// A dependent pointer chase: each load's address is the value the previous load returned, so
/// no two loads overlap and no prefetcher can guess the next (the lines form a random cycle,
/// `CeilingProbe.cacheLatencies`). Seconds per step = the load-to-use latency of the level
/// holding the lines. 8 loads per iteration; returns where the chase stopped, so that a caller
/// can continue from it and the loads cannot be dropped.
@inline(never)
public func pointerChase(from start: UnsafeRawPointer, iterations: Int) -> UnsafeRawPointer {
    var p = start
    for _ in 0..<iterations {
        p = p.load(as: UnsafeRawPointer.self); p = p.load(as: UnsafeRawPointer.self)
        p = p.load(as: UnsafeRawPointer.self); p = p.load(as: UnsafeRawPointer.self)
        p = p.load(as: UnsafeRawPointer.self); p = p.load(as: UnsafeRawPointer.self)
        p = p.load(as: UnsafeRawPointer.self); p = p.load(as: UnsafeRawPointer.self)
    }
    return p
}

/// Loads one call of `pointerChase` makes, one after another.
public func pointerChaseSteps(iterations: Int) -> Double { Double(iterations) * 8 }
