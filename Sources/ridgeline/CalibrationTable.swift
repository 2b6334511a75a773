import Ridgeline

/// The fitted fractions as `calibrate` and `check-reference` print them: one row per class, then
/// one per dtype a matrix class was fitted apart on (`Calibration.computeByDType`).
func calibrationFractionTable(_ calibration: Calibration) -> String {
    var table = TextTable(["class", "compute fraction", "memory fraction"])
    for cls in KernelClass.allCases {
        table.add([
            cls.rawValue, formatSignificant(calibration.compute[cls] ?? 1, digits: 3),
            formatSignificant(calibration.memory[cls] ?? 1, digits: 3),
        ])
    }
    for (cls, row) in calibration.computeByDType.sorted(by: { $0.key < $1.key }) {
        for (dtype, fraction) in row.sorted(by: { $0.key < $1.key }) {
            table.add(["\(cls.rawValue) \(dtype.rawValue)", formatSignificant(fraction, digits: 3), "(class)"])
        }
    }
    return table.render()
}
