import Testing

@testable import Ridgeline

@Suite("Quantities and text tables")
struct QuantityTests {
    @Test func parsesEachDimensionToSI() throws {
        func parse(_ text: String, _ dimension: Dimension) throws -> Double {
            try Quantity.parse(text, as: dimension, field: "f", file: "q.yaml")
        }
        #expect(close(try parse("3.35 TB/s", .bytesPerSecond), 3.35e12))
        #expect(close(try parse("900 GB/s", .bytesPerSecond), 900e9))
        #expect(close(try parse("1 GiB/s", .bytesPerSecond), 1_073_741_824))
        #expect(close(try parse("50 MiB", .bytes), 52_428_800))
        #expect(close(try parse("80 GB", .bytes), 80e9))
        #expect(close(try parse("256 KiB", .bytes), 262_144))
        #expect(close(try parse("989.4 TFLOP/s", .flopsPerSecond), 989.4e12))
        #expect(close(try parse("1978.9 TOP/s", .flopsPerSecond), 1978.9e12))
        #expect(close(try parse("2.25 PFLOP/s", .flopsPerSecond), 2.25e15))
        #expect(close(try parse("1830 MHz", .hertz), 1.83e9))
        #expect(close(try parse("3.55 GHz", .hertz), 3.55e9))
        #expect(close(try parse("4 us", .seconds), 4e-6))
        #expect(close(try parse("4 µs", .seconds), 4e-6))
        #expect(close(try parse("250 ns", .seconds), 250e-9))
        #expect(close(try parse("700 W", .watts), 700))
        #expect(close(try parse("1.2 kW", .watts), 1200))
        #expect(close(try parse("  80   GB ", .bytes), 80e9), "extra spaces are tolerated")
    }

    @Test func rejectsWhatIsNotAQuantity() {
        func message(_ text: String, _ dimension: Dimension) -> String {
            ridgelineErrorMessage { try Quantity.parse(text, as: dimension, field: "memory[0].bandwidth", file: "q.yaml") }
        }
        #expect(
            message("80 GB", .bytesPerSecond)
                == "q.yaml: field 'memory[0].bandwidth' has value '80 GB': expected \(Dimension.bytesPerSecond.rawValue)")
        #expect(message("3.35TB/s", .bytesPerSecond).contains("a number and a unit, e.g. '3.35 TB/s'"))
        #expect(message("3.35", .bytesPerSecond).contains("a number and a unit"))
        #expect(message("fast TB/s", .bytesPerSecond).contains("a number and a unit"))
        #expect(message("3 tb/s", .bytesPerSecond).contains("expected a bandwidth"), "units are case-sensitive: 'tb/s' is not 'TB/s'")
        #expect(message("0 TB/s", .bytesPerSecond).contains("a positive value"))
        #expect(message("-1 TB/s", .bytesPerSecond).contains("a positive value"))
        #expect(message("inf TB/s", .bytesPerSecond).contains("a positive value"))
        #expect(message("nan TB/s", .bytesPerSecond).contains("a positive value"))
        #expect(message("5 furlongs", .bytes).contains("a size"))
    }

    @Test func formatsWithTheReadersUnit() {
        #expect(Quantity.format(3.35e12, .bytesPerSecond) == "3.350 TB/s")
        #expect(Quantity.format(52_428_800, .bytes) == "50.00 MiB")
        #expect(Quantity.format(80e9, .bytes) == "74.51 GiB")
        #expect(Quantity.format(989.4e12, .flopsPerSecond) == "989.4 TFLOP/s")
        #expect(Quantity.format(2.25e15, .flopsPerSecond) == "2.250 PFLOP/s")
        #expect(Quantity.format(1.83e9, .hertz) == "1.830 GHz")
        #expect(Quantity.format(3e-6, .seconds) == "3.000 us")
        #expect(Quantity.format(0.25, .seconds) == "250.0 ms")
        #expect(Quantity.format(90, .seconds) == "90.00 s")
        #expect(Quantity.format(700, .watts) == "700.0 W")
        #expect(Quantity.format(512, .bytes, digits: 2) == "512 B")
        #expect(Quantity.format(0, .bytes) == "0 B")
    }

    @Test func formatParseRoundTrip() throws {
        for (value, dimension) in [
            (3.35e12, Dimension.bytesPerSecond), (141e9, .bytes), (1978.9e12, .flopsPerSecond),
            (1.83e9, .hertz), (12e-6, .seconds), (1000, .watts),
        ] {
            let text = yamlQuantity(value, dimension)
            let back = try Quantity.parse(text, as: dimension, field: "f", file: nil)
            #expect(close(back, value), "\(value) → '\(text)' → \(back)")
        }
    }

    @Test func significantDigits() {
        #expect(formatSignificant(0) == "0")
        #expect(formatSignificant(1234.56) == "1235")
        #expect(formatSignificant(12.3456) == "12.35")
        #expect(formatSignificant(0.0123456) == "0.01235")
        #expect(formatSignificant(-2.5e-3, digits: 2) == "-0.0025")
        #expect(formatSignificant(123_456_789) == "123456789", "no exponent for large values")
        #expect(formatSignificant(.infinity) == "inf")
        #expect(trimmedNumber(989.4) == "989.4")
        #expect(trimmedNumber(1830) == "1830")
        #expect(trimmedNumber(0.0125) == "0.0125")
    }

    @Test func textTableAlignsColumns() {
        var table = TextTable(["name", "value"])
        table.add(["a", "1"])
        table.add(["long", "100"])
        table.add(["x"])  // a short row is padded
        let expected = [
            "name  value",
            "----  -----",
            "a         1",
            "long    100",
            "x          ",
        ].joined(separator: "\n")
        #expect(table.render() == expected)
    }

    @Test func textTableRightAlignsNumbersOnly() {
        var table = TextTable(["dtype", "peak"])
        table.add(["bf16", "-1.5"])
        table.add(["fp32", "n/a"])
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == ["dtype  peak", "-----  ----", "bf16   -1.5", "fp32   n/a "])
    }
}
