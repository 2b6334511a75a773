/// How many lines of a strided read a set-associative cache can hold at once.
extension MemoryLevel {
    /// Lines read `strideBytes` apart (one per row of a matrix) that this level holds at once.
    /// A cache maps a line to set (address / line) mod sets: lines a multiple of the line size
    /// apart cycle through only sets / gcd(sets, stride / line) sets, each holding `associativity`
    /// lines, so a power-of-two stride crowds them into a few sets; any other stride walks
    /// every set. Sets = capacity / (ways × line) (Hennessy & Patterson, "Computer Architecture",
    /// 6th ed., B.1), of the nominal size where a measured one stands beside it. nil
    /// associativity: every line of the level is usable.
    public func linesHeld(strideBytes: Int, lineBytes: Int) -> Double {
        let lines = (nominalCapacityBytes ?? capacityBytes) / Double(lineBytes)
        guard let ways = associativity, lineBytes > 0, strideBytes > 0 else { return lines }
        let sets = max(1, Int(lines) / ways)
        guard strideBytes % lineBytes == 0 else { return Double(sets * ways) }
        return Double(sets / gcd(sets, strideBytes / lineBytes) * ways)
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
