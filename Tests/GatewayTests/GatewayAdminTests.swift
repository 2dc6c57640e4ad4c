import Foundation
import Gateway
import Testing

@Suite("Admin API: cache and router")
struct GatewayAdminTests {
    static let keyed = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), apiKeys: ["key-acme": "acme", "key-globex": "globex"], adminToken: "admin-secret")
    let admin = [("authorization", "Bearer admin-secret")]
    let acme = [("authorization", "Bearer key-acme")]

    @Test func invalidatingOneTenantsCacheMakesItsNextRequestAMiss() async throws {
        let admin = admin, acme = acme
        try await GatewayHarness.run(settings: Self.keyed) { h in
            _ = try await h.post(GatewayHarness.chat("cached question"), headers: acme)
            #expect(try await h.post(GatewayHarness.chat("cached question"), headers: acme).headers["x-switchboard-cache"] == "hit-exact")
            let anonymous = try await h.post("/admin/cache/invalidate", "{\"tenant\": \"acme\"}")
            #expect(anonymous.status == 401)
            let reply = try await h.post("/admin/cache/invalidate", "{\"tenant\": \"acme\"}", headers: admin)
            #expect(reply.status == 200)
            #expect((reply.json["message"] as? String)?.hasSuffix("1 entries removed") == true)
            #expect(try await h.post(GatewayHarness.chat("cached question"), headers: acme).headers["x-switchboard-cache"] == "miss")
            let wrongType = try await h.post("/admin/cache/invalidate", "{\"tenant\": 7}", headers: admin)
            #expect(wrongType.status == 400)
            #expect(wrongType.error["param"] as? String == "tenant")
        }
    }

    @Test func invalidatingOneModelLeavesTheOthersCached() async throws {
        let admin = admin, acme = acme
        try await GatewayHarness.run(settings: Self.keyed) { h in
            _ = try await h.post(GatewayHarness.chat("cached question"), headers: acme)
            let reply = try await h.post("/admin/cache/invalidate", "{\"model\": \"some-other-model\"}", headers: admin)
            #expect(reply.status == 200)
            #expect((reply.json["message"] as? String)?.hasSuffix("0 entries removed") == true)
            #expect(try await h.post(GatewayHarness.chat("cached question"), headers: acme).headers["x-switchboard-cache"] == "hit-exact")
            let wrongType = try await h.post("/admin/cache/invalidate", "{\"model\": [1]}", headers: admin)
            #expect(wrongType.status == 400)
            #expect(wrongType.error["param"] as? String == "model")
        }
    }

    @Test func theRouterThresholdNeedsANumberAndMoreThanOneTier() async throws {
        let admin = admin
        try await GatewayHarness.run(settings: Self.keyed) { h in
            let garbage = try await h.post("/admin/router/threshold", "{value", headers: admin)
            #expect(garbage.status == 400)
            #expect(garbage.error["code"] as? String == "invalid_json")
            let missing = try await h.post("/admin/router/threshold", "{}", headers: admin)
            #expect(missing.status == 400)
            #expect(missing.error["param"] as? String == "value")
            // The harness has a single tier, so there is no boundary to move.
            let single = try await h.post("/admin/router/threshold", "{\"value\": 0.4}", headers: admin)
            #expect(single.status == 400)
            #expect(single.errorMessage.contains("single tier"))
        }
    }
}
