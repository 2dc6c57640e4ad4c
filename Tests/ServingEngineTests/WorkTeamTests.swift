import Foundation
import Synchronization
import Testing
@testable import ServingEngine

/// The two-thread steps of a forward pass: whole on the owner until the helper joins, split in
/// two parts once it has, and the helper released when the pass is done.
@Suite("Work team")
struct WorkTeamTests {
    @Test func withoutAHelperEachStepRunsWholeOnTheOwner() {
        let team = WorkTeam()
        var parts: [[Int]] = []
        team.run { part, count in parts.append([part, count]) }
        team.run { part, count in parts.append([part, count]) }
        team.finish()
        #expect(parts == [[0, 1], [0, 1]])
        #expect(!team.isShared)
    }

    @Test(.timeLimit(.minutes(1))) func onceTheHelperHasJoinedEachStepIsSplitBetweenTheTwoThreads() async throws {
        let team = WorkTeam()
        let seen = Mutex<[String]>([])
        let helperDone = Atomic<Bool>(false)
        let helperThread = Atomic<UInt>(0)
        let helper = Thread {
            helperThread.store(UInt(pthread_self()), ordering: .releasing)
            team.help()
            helperDone.store(true, ordering: .releasing)
        }
        helper.start()
        while !team.isShared { try await Task.sleep(for: .milliseconds(1)) }
        for step in 0..<3 {
            team.run { part, count in
                seen.withLock { $0.append("\(step):\(part)/\(count)@\(UInt(pthread_self()) == helperThread.load(ordering: .acquiring) ? "helper" : "owner")") }
            }
        }
        #expect(seen.withLock { $0 }.sorted() == ["0:0/2@owner", "0:1/2@helper", "1:0/2@owner", "1:1/2@helper", "2:0/2@owner", "2:1/2@helper"])
        // Each step is over before the next starts: the parts of step n never follow step n + 1's.
        let order = seen.withLock { $0 }.map { Int(String($0.first!))! }
        #expect(order == order.sorted())
        team.finish()
        while !helperDone.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test(.timeLimit(.minutes(1))) func aRecalledHelperFinishesItsStepThenLeavesAndTheOwnerRunsTheRestAlone() async throws {
        let team = WorkTeam()
        let helperDone = Atomic<Bool>(false)
        let inStep = Atomic<Bool>(false), release = Atomic<Bool>(false)
        let helper = Thread {
            team.help()
            helperDone.store(true, ordering: .releasing)
        }
        helper.start()
        while !team.isShared { try await Task.sleep(for: .milliseconds(1)) }
        let parts = Mutex<[String]>([])
        let owner = Thread {
            // The helper's part of this step holds until it has been recalled.
            team.run { part, count in
                if part == 1 {
                    inStep.store(true, ordering: .releasing)
                    while !release.load(ordering: .acquiring) { usleep(100) }
                }
                parts.withLock { $0.append("\(part)/\(count)") }
            }
        }
        owner.start()
        while !inStep.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
        team.recall()
        release.store(true, ordering: .releasing)
        // The step it was in is finished first, both parts of it; then the helper is gone.
        while !helperDone.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
        while parts.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(parts.withLock { $0 }.sorted() == ["0/2", "1/2"])
        var after: [[Int]] = []
        team.run { part, count in after.append([part, count]) }
        team.finish()
        #expect(after == [[0, 1]])
    }

    @Test func aHelperRecalledBeforeItArrivesNeverJoins() {
        let team = WorkTeam()
        team.recall()
        team.help()
        #expect(!team.isShared)
        var parts: [[Int]] = []
        team.run { part, count in parts.append([part, count]) }
        #expect(parts == [[0, 1]])
    }

    @Test func aHelperArrivingAfterThePassLeavesAtOnce() {
        let team = WorkTeam()
        team.run { _, _ in }
        team.finish()
        // Returns rather than spinning for steps that will never come.
        team.help()
        #expect(!team.isShared)
    }
}
