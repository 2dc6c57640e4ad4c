import HTTPTypes
import Hummingbird
import NIOCore
import ServingEngine

extension GatewayServer {
    /// A request that passed the checks every route that reaches a provider makes: who is asking,
    /// a concurrency slot for its key, and its whole body within the size limit.
    struct Intake: Sendable {
        var tenant: String
        var slot: RequestSlots.Slot
        var body: ByteBuffer
        var arrival: ContinuousClock.Instant
    }

    /// An intake, or the response that refuses the request.
    enum IntakeOutcome: Sendable {
        case admitted(Intake)
        case refused(Response)
    }

    /// Authenticates `incoming`, takes a slot for its key and reads its body; on failure, the
    /// response to send (the slot, if one was taken, is given back). The caller owns the slot of
    /// an intake and must release it when the request ends.
    func intake(_ incoming: Request, route: String) async -> IntakeOutcome {
        let arrival = ContinuousClock.now
        let caller: (key: String, tenant: String)
        switch self.caller(for: incoming) {
        case .success(let value): caller = value
        case .failure(let error): return .refused(failure(error, route: route))
        }
        let slot: RequestSlots.Slot
        switch slots.acquire(caller.key) {
        case .success(let value): slot = value
        case .failure(let refusal):
            return .refused(failure(Self.tooManyInFlight(refusal.inFlight, limit: slots.limit), route: route, extraHeaders: [.retryAfter: "1"]))
        }
        if let declared = incoming.headers[.contentLength].flatMap(Int.init), declared > settings.maxBodyBytes {
            slot.release()
            return .refused(failure(Self.tooLarge(settings.maxBodyBytes, declared: declared), route: route))
        }
        var request = incoming
        do {
            let body = try await request.collectBody(upTo: settings.maxBodyBytes)
            return .admitted(Intake(tenant: caller.tenant, slot: slot, body: body, arrival: arrival))
        } catch is NIOTooManyBytesError {
            slot.release()
            return .refused(failure(Self.tooLarge(settings.maxBodyBytes, declared: nil), route: route))
        } catch {
            slot.release()
            return .refused(failure(APIError(.badRequest, "could not read the request body: \(error)", code: "bad_body"), route: route))
        }
    }

    /// The cache switches a client sets with `Cache-Control` (`no-store`: neither look up nor
    /// store; `no-cache`: do not look up).
    static func applyCacheControl(_ incoming: Request, to options: inout RequestOptions) {
        let cacheControl = (incoming.headers[.cacheControl] ?? "").lowercased()
        if cacheControl.contains("no-store") {
            options.cacheLookup = false
            options.cacheStore = false
        } else if cacheControl.contains("no-cache") {
            options.cacheLookup = false
        }
    }
}
