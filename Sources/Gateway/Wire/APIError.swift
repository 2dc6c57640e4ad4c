import HTTPTypes
import ServingEngine

/// An error as OpenAI clients expect it: `{"error": {"message", "type", "param", "code"}}` and a status.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var type: String
    var param: String?
    var code: String?

    init(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error", param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// Whether the message may quote text from the request (a field's value, a fragment of the
    /// body), which can be a user's prompt.
    var mayQuoteRequest: Bool {
        ["invalid_json", "invalid_type", "invalid_value", "unsupported_value"].contains(code)
    }

    /// The wire body as a JSON object.
    var wireObject: JSONObject {
        ["error": ["message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null, "code": code.map(JSONValue.string) ?? .null]]
    }

    /// The wire body.
    var body: ErrorBody {
        ErrorBody(error: .init(message: message, type: type, param: param, code: code))
    }

    struct ErrorBody: Encodable, Sendable {
        var error: Detail
        struct Detail: Encodable, Sendable {
            var message: String
            var type: String
            var param: String?
            var code: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                // OpenAI sends explicit nulls; some clients index these keys unconditionally.
                try container.encode(param, forKey: .param)
                try container.encode(code, forKey: .code)
            }

            enum CodingKeys: String, CodingKey { case message, type, param, code }
        }
    }

    /// The status and body for an engine error.
    init(_ error: EngineError) {
        switch error.code {
        case .invalidRequest:
            self.init(.badRequest, error.message, code: "invalid_request")
        case .unknownModel:
            self.init(.notFound, error.message, param: "model", code: "model_not_found")
        case .allProvidersFailed:
            self.init(.badGateway, error.message, type: "upstream_error", code: "all_providers_failed")
        case .deadlineExceeded:
            self.init(.gatewayTimeout, error.message, type: "upstream_error", code: "deadline_exceeded")
        case .requestRejected:
            if let upstream = error.upstreamRejection {
                // The provider's own words reach the client, as they would without Switchboard.
                self.init(.badRequest, upstream.message, type: upstream.type ?? "invalid_request_error", param: upstream.param, code: upstream.code ?? "request_rejected")
            } else {
                self.init(.badRequest, error.message, code: "request_rejected")
            }
        case .rateLimited:
            self.init(.tooManyRequests, error.message, type: "rate_limit_error", code: "rate_limit_exceeded")
        case .noCapableProvider:
            self.init(.badRequest, error.message, code: "unsupported_capability")
        case .interrupted:
            self.init(.badGateway, error.message, type: "upstream_error", code: "interrupted")
        default:
            self.init(.init(code: 499, reasonPhrase: "Client Closed Request"), error.message, type: "api_error", code: error.code.description)
        }
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, code: "invalid_api_key")
    }
}
