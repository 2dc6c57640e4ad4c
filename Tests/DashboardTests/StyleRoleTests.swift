@testable import Dashboard
import Testing

/// Role indexes drive colour-pair numbers; they must match the declaration order.
@Suite struct StyleRoleTests {
    @Test func indexesFollowDeclarationOrder() {
        for (offset, role) in StyleRole.allCases.enumerated() {
            #expect(role.index == offset)
        }
    }
}
