/// A deterministic, class-stratified split of measurements into a share to fit on and a share
/// held out to judge the fit: within each kernel class, in file order, the i-th observation is held
/// out when ⌊(i+1)·h⌋ > ⌊i·h⌋. With h = ½ that alternates fit/held-out, so every class lands on
/// both sides, and the same file always splits the same way.
public enum HoldoutSplit {
    public static func split<T>(_ items: [T], holdout: Double, kernelClass: (T) -> KernelClass) -> (fit: [T], heldOut: [T]) {
        var seen: [KernelClass: Int] = [:]
        var fit: [T] = [], heldOut: [T] = []
        for item in items {
            let cls = kernelClass(item)
            let i = Double(seen[cls, default: 0])
            seen[cls, default: 0] += 1
            if ((i + 1) * holdout).rounded(.down) > (i * holdout).rounded(.down) { heldOut.append(item) } else { fit.append(item) }
        }
        return (fit, heldOut)
    }
}
