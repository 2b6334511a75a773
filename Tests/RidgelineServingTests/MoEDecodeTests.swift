import Foundation
import Ridgeline
import Testing

@testable import RidgelineServing

/// The routed experts of an MoE decode step: binomial shares per expert, rounded up to the grouped
/// GEMM's tiles.
@Suite struct ExpertTileTests {
    @Test func tilesFollowTheBinomialShareGivenTheExpertIsReached() {
        // 4 tokens, 2 experts, top-1: m ~ B(4, 1/2) = 1, 4, 6, 4, 1 in 16; given m ≥ 1 (15 in 16),
        // 2-row tiles: m = 1, 2 take one tile (10 of 15), m = 3, 4 take two (5 of 15).
        let d = ServingPredictor.expertTiles(tokens: 4, experts: 2, topK: 1, tileRows: 2)
        #expect(d.map(\.tiles) == [1, 2])
        #expect(abs(d[0].probability - 10.0 / 15) < 1e-12)
        #expect(abs(d[1].probability - 5.0 / 15) < 1e-12)
        // One token reaches an expert with one row: one tile.
        let one = ServingPredictor.expertTiles(tokens: 1, experts: 8, topK: 2, tileRows: 128)
        #expect(one.count == 1 && one[0].tiles == 1 && abs(one[0].probability - 1) < 1e-12)
        // Every expert reached (top-k = E): all tokens on each, no spread.
        #expect(ServingPredictor.expertTiles(tokens: 300, experts: 4, topK: 4, tileRows: 128).map(\.tiles) == [3])
    }

    @Test func aShareAtATileBoundarySpillsIntoTheNextTileHalfTheTime() {
        // 512 tokens, top-2 of 8: mean share 128 = one 128-row tile, standard deviation √96 ≈ 9.8,
        // so about half of the experts get more than 128 rows and take a second tile.
        let d = ServingPredictor.expertTiles(tokens: 512, experts: 8, topK: 2, tileRows: 128)
        let total = d.map(\.probability).reduce(0, +)
        #expect(abs(total - 1) < 1e-9)
        let two = d.first { $0.tiles == 2 }?.probability ?? 0
        #expect(two > 0.4 && two < 0.55)
        #expect(d.allSatisfy { $0.tiles == 1 || $0.tiles == 2 })
    }

    func predictor(_ hardware: String) throws -> ServingPredictor {
        try ServingPredictor(try config("mixtral-8x7b", hardware, tp: 2))
    }

    @Test func hopperGroupedGEMMsPadEachExpertTo128Rows() throws {
        let h100 = try predictor("h100-sxm5-80gb")
        let a100 = try predictor("a100-sxm4-80gb")
        #expect(h100.groupedTileRows == 128)  // the profile's grouped_gemm_tile_rows
        #expect(a100.groupedTileRows == 64)  // the smallest of its gemm_tiles
    }

    @Test func anExpertGEMMCostsATileWhateverFewerTokensReachIt() throws {
        let moe = try #require(try transformer("mixtral-8x7b").moe)
        // 128 and 256 tokens put about 32 and 64 rows on each of the 8 experts: below one 128-row
        // tile on H100, so both steps do the same arithmetic and the cost per token doubles.
        let h100 = try predictor("h100-sxm5-80gb")
        let small = h100.routedExperts(moe, tokens: 128), large = h100.routedExperts(moe, tokens: 256)
        // (Only the activation, which runs on the routed tokens and not on the padding, differs:
        // under 1e-3 of the arithmetic.)
        #expect(abs(small.flops - large.flops) < 1e-3 * large.flops)
        #expect(abs(small.compute - large.compute) < 1e-2 * large.compute)
        // With 64-row tiles (A100) the larger share needs a second tile for about half the experts.
        let a100 = try predictor("a100-sxm4-80gb")
        #expect(a100.routedExperts(moe, tokens: 256).flops > 1.3 * a100.routedExperts(moe, tokens: 128).flops)
        // More tiles than one: the padded rows, not the mean share, set the arithmetic. 700 tokens
        // put 175 rows on an expert, which H100 runs as two 128-row tiles (256 rows).
        let padded = h100.routedExperts(moe, tokens: 700).flops
        let f = Double(moe.expertFFN / 2), h = Double(try transformer("mixtral-8x7b").dModel)
        let perRow = 2 * (2 * f * h + f * h) * 8  // gate+up and down, 8 experts reached
        #expect(abs(padded - 256 * perRow) < 0.02 * padded)
    }
}
