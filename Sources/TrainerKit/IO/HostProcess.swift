import Glibc
import TrainerCSupport

/// What the executable reads of its own process: the environment and the
/// processors it may run on.
public enum HostProcess {
    /// The environment variables, `NAME=value` split at the first `=`; a
    /// later duplicate name wins, as with `getenv`'s last writer.
    public static var environment: [String: String] {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return variables
    }

    /// The processors this process may run on: its affinity mask (what
    /// `taskset` and container cpusets restrict), else the online count, at
    /// least 1.
    public static var availableProcessors: Int {
        let affinity = Int(trainer_affinity_processor_count())
        if affinity > 0 { return affinity }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
