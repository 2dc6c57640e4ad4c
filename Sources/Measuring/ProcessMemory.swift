import Foundation

/// A process's resident memory, from Linux's `/proc` (zero elsewhere).
package enum ProcessMemory {
    /// Resident and peak resident bytes of process `pid` (this process when nil), from
    /// `/proc/PID/status` (`VmRSS`, `VmHWM`).
    package static func resident(of pid: Int32? = nil) -> (resident: Int, peak: Int) {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return (0, 0) }
        func kilobytes(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0) * 1024
        }
        return (kilobytes("VmRSS:"), kilobytes("VmHWM:"))
    }

    /// This process's resident bytes, from `/proc/self/statm` (cheaper than `status`, for
    /// sampling while a structure fills).
    package static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
