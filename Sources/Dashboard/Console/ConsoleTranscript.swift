/// The console's recent exchanges, newest last, bounded.
package struct ConsoleTranscript: Sendable {
    /// The exchanges kept, oldest first.
    package private(set) var exchanges: [ConsoleExchange] = []
    /// How many exchanges are kept.
    package var limit = 20
    private var nextNumber = 1

    /// Creates an empty transcript.
    package init() {}

    /// Adds an exchange for `prompt` and returns its number.
    @discardableResult
    package mutating func begin(_ prompt: ConsolePrompt) -> Int {
        let number = nextNumber
        nextNumber += 1
        exchanges.append(ConsoleExchange(number: number, prompt: prompt))
        if exchanges.count > limit { exchanges.removeFirst(exchanges.count - limit) }
        return number
    }

    /// Changes the exchange numbered `number`, if it is still kept.
    package mutating func update(_ number: Int, _ change: (inout ConsoleExchange) -> Void) {
        guard let index = exchanges.lastIndex(where: { $0.number == number }) else { return }
        change(&exchanges[index])
    }

    /// The newest exchange.
    package var latest: ConsoleExchange? { exchanges.last }
}
