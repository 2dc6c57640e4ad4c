import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServingEngine

/// The statements that write local changes and read other replicas' changes. Each write also
/// announces itself with `pg_notify` in the same statement, so that the notification is sent
/// exactly when the row commits.
enum SharedStateRows {
    static let entryColumns = """
        id, tenant, model, system_hash, history_hash, temperature, top_p, max_tokens, stop, normalized, prompt, \
        answer, prompt_tokens, completion_tokens, provider, answer_model, answer_detail, embedding, created_at, expires_at
        """

    /// Writes one change; `uid` makes a retried write a no-op.
    static func write(_ item: WriteQueue.Item, replica: String, embedder: String, on client: PostgresClient, logger: Logger) async throws {
        let uid = item.id
        let query: PostgresQuery
        switch item.change {
        case .cacheEntryStored(let entry):
            let scope = entry.scope
            let usage = entry.answer.usage
            query = """
                WITH added AS (
                    INSERT INTO switchboard_cache_entries (uid, replica, tenant, model, system_hash, history_hash, temperature, top_p, max_tokens, stop,
                        normalized, prompt, answer, prompt_tokens, completion_tokens, provider, answer_model, answer_detail, embedder, embedding, created_at, expires_at)
                    VALUES (\(uid), \(replica), \(scope.tenant), \(scope.model), \(Int64(bitPattern: scope.systemPromptHash)), \(Int64(bitPattern: scope.contextHash)),
                        \(scope.sampling.temperature), \(scope.sampling.topP), \(scope.sampling.maxTokens), \(scope.sampling.stop),
                        \(entry.normalized), \(entry.prompt), \(entry.answer.text), \(usage.promptTokens), \(usage.completionTokens),
                        \(entry.answer.provider), \(entry.answer.model), \(entry.answer.detail?.jsonText), \(embedder), \(bytes(entry.vector)), \(entry.createdAt), \(entry.expiresAt))
                    ON CONFLICT (uid) DO NOTHING
                    RETURNING id
                )
                SELECT pg_notify(\(SharedStateSchema.channel), 'e|' || \(replica) || '|' || id) FROM added
                """
        case .cacheInvalidated(let tenant, let model):
            // Entries cached after the invalidation (by other replicas, while this one was away)
            // stay: only what existed when the operator asked is dropped.
            let at = Date()
            query = """
                WITH dropped AS (
                    DELETE FROM switchboard_cache_entries WHERE (\(tenant)::text IS NULL OR tenant = \(tenant)) AND (\(model)::text IS NULL OR model = \(model)) AND created_at <= \(at)
                ), added AS (
                    INSERT INTO switchboard_invalidations (uid, replica, tenant, model, at) VALUES (\(uid), \(replica), \(tenant), \(model), \(at))
                    ON CONFLICT (uid) DO NOTHING
                    RETURNING id
                )
                SELECT pg_notify(\(SharedStateSchema.channel), 'i|' || \(replica) || '|' || id) FROM added
                """
        case .overrideChanged(let change):
            // The latest setting wins, whichever replica writes last.
            query = """
                WITH stored AS (
                    INSERT INTO switchboard_overrides (provider, override, set_by, set_at)
                    VALUES (\(change.provider), \(change.override.rawValue), \(change.setBy), \(change.setAt))
                    ON CONFLICT (provider) DO UPDATE SET override = EXCLUDED.override, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
                    WHERE switchboard_overrides.set_at <= EXCLUDED.set_at
                    RETURNING provider
                )
                SELECT pg_notify(\(SharedStateSchema.channel), 'o|' || \(replica) || '|' || provider) FROM stored
                """
        case .tenantLimitsChanged(let record):
            let limits = String(decoding: try JSONEncoder().encode(record.limits), as: UTF8.self)
            query = """
                WITH stored AS (
                    INSERT INTO switchboard_tenant_limits (tenant, limits, set_by, set_at)
                    VALUES (\(record.tenant), \(limits), \(record.setBy), \(record.setAt))
                    ON CONFLICT (tenant) DO UPDATE SET limits = EXCLUDED.limits, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
                    WHERE switchboard_tenant_limits.set_at <= EXCLUDED.set_at
                    RETURNING tenant
                )
                SELECT pg_notify(\(SharedStateSchema.channel), 't|' || \(replica) || '|' || tenant) FROM stored
                """
        }
        try await client.query(query, logger: logger)
    }

    /// Writes several cache entries in one statement (one round trip however many there are).
    static func writeEntries(_ items: [WriteQueue.Item], replica: String, embedder: String, on client: PostgresClient, logger: Logger) async throws {
        var sql = """
            WITH added AS (
                INSERT INTO switchboard_cache_entries (uid, replica, tenant, model, system_hash, history_hash, temperature, top_p, max_tokens, stop,
                    normalized, prompt, answer, prompt_tokens, completion_tokens, provider, answer_model, answer_detail, embedder, embedding, created_at, expires_at)
                VALUES
            """
        var binds = PostgresBindings(capacity: items.count * 22 + 2)
        var rows: [String] = []
        for item in items {
            guard case .cacheEntryStored(let entry) = item.change else { continue }
            let first = binds.count + 1
            rows.append("(" + (first..<(first + 22)).map { "$\($0)" }.joined(separator: ", ") + ")")
            binds.append(item.id)
            binds.append(replica)
            binds.append(entry.scope.tenant)
            binds.append(entry.scope.model)
            binds.append(Int64(bitPattern: entry.scope.systemPromptHash))
            binds.append(Int64(bitPattern: entry.scope.contextHash))
            binds.append(entry.scope.sampling.temperature)
            binds.append(entry.scope.sampling.topP)
            binds.append(entry.scope.sampling.maxTokens)
            binds.append(entry.scope.sampling.stop)
            binds.append(entry.normalized)
            binds.append(entry.prompt)
            binds.append(entry.answer.text)
            binds.append(entry.answer.usage.promptTokens)
            binds.append(entry.answer.usage.completionTokens)
            binds.append(entry.answer.provider)
            binds.append(entry.answer.model)
            binds.append(entry.answer.detail?.jsonText)
            binds.append(embedder)
            binds.append(bytes(entry.vector))
            binds.append(entry.createdAt)
            binds.append(entry.expiresAt)
        }
        guard !rows.isEmpty else { return }
        binds.append(SharedStateSchema.channel)
        binds.append(replica)
        sql += rows.joined(separator: ",\n") + """

                ON CONFLICT (uid) DO NOTHING
                RETURNING id
            )
            SELECT pg_notify($\(binds.count - 1), 'e|' || $\(binds.count) || '|' || id) FROM added
            """
        try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    /// Cache entries with an id above `after`, unexpired, made with `embedder`, oldest first.
    static func entries(after: Int64, embedder: String, excluding replica: String?, on connection: PostgresConnection, logger: Logger) async throws -> [(id: Int64, entry: SharedCacheEntry)] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: entryColumns) FROM switchboard_cache_entries
            WHERE id > \(after) AND expires_at > now() AND embedder = \(embedder) AND (\(replica)::text IS NULL OR replica <> \(replica))
            ORDER BY id
            """,
            logger: logger
        )
        var result: [(Int64, SharedCacheEntry)] = []
        for try await row in rows { result.append(try decodeEntry(row)) }
        return result
    }

    /// One cache entry by id, when it still exists and fits `embedder`.
    static func entry(id: Int64, embedder: String, on connection: PostgresConnection, logger: Logger) async throws -> SharedCacheEntry? {
        let rows = try await connection.query(
            "SELECT \(unescaped: entryColumns) FROM switchboard_cache_entries WHERE id = \(id) AND embedder = \(embedder) AND expires_at > now()",
            logger: logger
        )
        for try await row in rows { return try decodeEntry(row).1 }
        return nil
    }

    /// Invalidations with an id above `after`, oldest first.
    static func invalidations(after: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [(id: Int64, replica: String, tenant: String?, model: String?)] {
        var result: [(Int64, String, String?, String?)] = []
        let rows = try await connection.query("SELECT id, replica, tenant, model FROM switchboard_invalidations WHERE id > \(after) ORDER BY id", logger: logger)
        for try await (id, replica, tenant, model) in rows.decode((Int64, String, String?, String?).self) { result.append((id, replica, tenant, model)) }
        return result
    }

    /// Every tenant's limits as operators last set them, or just `tenant`'s.
    static func tenantLimits(tenant: String? = nil, on connection: PostgresConnection, logger: Logger) async throws -> [TenantLimitsRecord] {
        var result: [TenantLimitsRecord] = []
        let rows = try await connection.query(
            "SELECT tenant, limits, set_by, set_at FROM switchboard_tenant_limits WHERE \(tenant)::text IS NULL OR tenant = \(tenant)",
            logger: logger
        )
        for try await (name, text, setBy, setAt) in rows.decode((String, String, String, Date).self) {
            guard let limits = try? JSONDecoder().decode(TenantLimits.self, from: Data(text.utf8)) else {
                logger.warning("shared state: ignoring tenant \(name)'s stored limits, which this Switchboard cannot read")
                continue
            }
            result.append(TenantLimitsRecord(tenant: name, limits: limits, setBy: setBy, setAt: setAt))
        }
        return result
    }

    /// Every stored override, or just `provider`'s.
    static func overrides(provider: String? = nil, on connection: PostgresConnection, logger: Logger) async throws -> [OverrideChange] {
        var result: [OverrideChange] = []
        let rows = try await connection.query(
            "SELECT provider, override, set_by, set_at FROM switchboard_overrides WHERE \(provider)::text IS NULL OR provider = \(provider)",
            logger: logger
        )
        for try await (name, value, setBy, setAt) in rows.decode((String, String, String, Date).self) {
            guard let override = ProviderOverride(rawValue: value) else { continue }
            result.append(OverrideChange(provider: name, override: override, setBy: setBy, setAt: setAt))
        }
        return result
    }

    /// An embedding as `bytea`: little-endian float32s, one copy each way (a `real[]` costs a
    /// generic encode and decode per element, which dominated the write-through time).
    static func bytes(_ vector: [Float]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: vector.count * 4)
        for value in vector { buffer.writeInteger(value.bitPattern, endianness: .little) }
        return buffer
    }

    static func floats(_ buffer: ByteBuffer) -> [Float] {
        var buffer = buffer
        var vector: [Float] = []
        vector.reserveCapacity(buffer.readableBytes / 4)
        while let bits = buffer.readInteger(endianness: .little, as: UInt32.self) { vector.append(Float(bitPattern: bits)) }
        return vector
    }

    private static func decodeEntry(_ row: PostgresRow) throws -> (Int64, SharedCacheEntry) {
        let cells = row.makeRandomAccess()
        let sampling = SamplingParameters(
            temperature: try cells["temperature"].decode(Double?.self),
            topP: try cells["top_p"].decode(Double?.self),
            maxTokens: try cells["max_tokens"].decode(Int?.self),
            stop: try cells["stop"].decode([String].self)
        )
        let scope = CacheScope(
            tenant: try cells["tenant"].decode(String.self),
            model: try cells["model"].decode(String.self),
            systemPromptHash: UInt64(bitPattern: try cells["system_hash"].decode(Int64.self)),
            sampling: sampling,
            contextHash: UInt64(bitPattern: try cells["history_hash"].decode(Int64.self))
        )
        let answer = SemanticCache.Answer(
            text: try cells["answer"].decode(String.self),
            usage: TokenUsage(promptTokens: try cells["prompt_tokens"].decode(Int.self), completionTokens: try cells["completion_tokens"].decode(Int.self)),
            provider: try cells["provider"].decode(String.self),
            model: try cells["answer_model"].decode(String.self),
            detail: try cells["answer_detail"].decode(String?.self).flatMap(AnswerDetail.init(jsonText:))
        )
        let entry = SharedCacheEntry(
            scope: scope, normalized: try cells["normalized"].decode(String.self), prompt: try cells["prompt"].decode(String.self),
            answer: answer, vector: floats(try cells["embedding"].decode(ByteBuffer.self)),
            createdAt: try cells["created_at"].decode(Date.self), expiresAt: try cells["expires_at"].decode(Date.self)
        )
        return (try cells["id"].decode(Int64.self), entry)
    }
}
