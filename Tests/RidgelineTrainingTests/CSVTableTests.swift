import Ridgeline
import Testing

@testable import RidgelineTraining

@Suite struct CSVTableTests {
    @Test func quotedFieldsKeepCommasQuotesAndNewlines() throws {
        let t = try CSVTable(text: "a,b,c\n1,\"x, \"\"y\"\"\nz\",3\r\n", file: "t.csv")
        #expect(t.rows.count == 1)
        #expect(try t.string(0, "b") == "x, \"y\"\nz")
        #expect(try t.int(0, "c") == 3)
    }

    @Test func raggedRowIsAnError() {
        #expect { try CSVTable(text: "a,b\n1,2,3\n", file: "t.csv") } throws: { "\($0)".contains("t.csv") && "\($0)".contains("3 fields") }
    }

    @Test func badNumberNamesRowAndColumn() throws {
        let t = try CSVTable(text: "a,b\n1,x\n", file: "t.csv")
        #expect { try t.int(0, "b") } throws: { "\($0)".contains("row 1 column b") && "\($0)".contains("'x'") }
        #expect { try t.int(0, "zz") } throws: { "\($0)".contains("zz") }
    }
}
