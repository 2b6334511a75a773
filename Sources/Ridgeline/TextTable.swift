/// A plain-text table with aligned columns: numbers right-aligned, text left-aligned.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: [String]) { self.header = header }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func isNumeric(_ s: String) -> Bool { s.first.map { $0.isNumber || $0 == "-" || $0 == "+" } ?? false }
        func line(_ row: [String]) -> String {
            header.indices.map { column in
                let cell = row.indices.contains(column) ? row[column] : ""
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return isNumeric(cell) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
