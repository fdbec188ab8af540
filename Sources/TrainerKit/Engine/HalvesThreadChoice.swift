/// Whether a step runs the first layer's two halves on two threads or one
/// after the other on one, chosen by timing both as training goes.
///
/// Two threads are faster only while the two cores can hand each other work
/// quickly, and a VM's placement of its vCPUs changes while a process runs
/// (measured: docs/performance.md, "Why the kernels are shaped as they are").
/// So each cycle of `period` steps starts with a trial: `warmUpSteps` steps
/// on two threads (the worker may have gone to sleep, and its half of W[0]
/// has to come back to its cache), `trialSteps` timed; as many on one
/// thread, the same way; then the rest of the cycle runs the way whose
/// median step was shorter. The halves give the same bits either way, so the
/// choice never changes a result.
///
/// Only the steps themselves are timed, from ``beforeStep(now:)`` to
/// ``afterStep(now:)``: what happens between steps (an epoch's evaluation,
/// the log) is in no trial. After such a pause (``paused()``) a new cycle
/// starts once the choice has run for three times as long as its trial
/// (the worker slept, and the vCPUs may have moved); before that the cycle
/// runs on, so that a trial longer than an epoch still ends. The median,
/// not the total: one step that the hypervisor or another process delays
/// (or the first after a pause, whose worker has to wake) would otherwise
/// decide the cycle.
struct HalvesThreadChoice {
    let period: Int
    let warmUpSteps: Int
    let trialSteps: Int
    /// The current choice.
    private var onThreads = true
    private var position = 0
    /// When the current step began, if it is a timed one.
    private var stepStart: ContinuousClock.Instant?
    /// The timed steps' durations, on two threads and on one.
    private var threadedSteps: [Duration] = []
    private var aloneSteps: [Duration] = []

    /// - Precondition: `trialSteps >= 1`, `warmUpSteps >= 0`, and a cycle
    ///   holds both trials: `period >= 2 * (warmUpSteps + trialSteps)`.
    init(period: Int = 3000, warmUpSteps: Int = 20, trialSteps: Int = 100) {
        precondition(trialSteps >= 1 && warmUpSteps >= 0 && period >= 2 * (warmUpSteps + trialSteps))
        self.period = period
        self.warmUpSteps = warmUpSteps
        self.trialSteps = trialSteps
        threadedSteps.reserveCapacity(trialSteps)
        aloneSteps.reserveCapacity(trialSteps)
    }

    /// Called before each step; returns whether that step runs its halves on
    /// two threads. `now` is read only for a timed step.
    mutating func beforeStep(now: () -> ContinuousClock.Instant) -> Bool {
        let threadsTimed = warmUpSteps, aloneStarts = warmUpSteps + trialSteps
        let aloneTimed = aloneStarts + warmUpSteps, decided = aloneTimed + trialSteps
        if position == 0 {
            onThreads = true
            threadedSteps.removeAll(keepingCapacity: true)
            aloneSteps.removeAll(keepingCapacity: true)
        }
        if position == aloneStarts { onThreads = false }
        if position == decided, let threaded = Self.median(threadedSteps), let alone = Self.median(aloneSteps) {
            onThreads = threaded <= alone
        }
        let timed = (threadsTimed..<aloneStarts).contains(position) || (aloneTimed..<decided).contains(position)
        stepStart = timed ? now() : nil
        position = (position + 1) % period
        return onThreads
    }

    /// Called after each step; records a timed step's duration.
    mutating func afterStep(now: () -> ContinuousClock.Instant) {
        guard let start = stepStart else { return }
        stepStart = nil
        if onThreads { threadedSteps.append(now() - start) } else { aloneSteps.append(now() - start) }
    }

    /// Called after a pause between steps, such as an epoch's evaluation.
    mutating func paused() {
        // Both ways' warm-up and timed steps, then three times as many decided.
        let trialLength = 2 * (warmUpSteps + trialSteps)
        if position >= 4 * trialLength { position = 0 }
    }

    /// The middle duration (the lower of the two middle ones for an even
    /// count: a delay only ever lengthens a step); nil for none.
    private static func median(_ durations: [Duration]) -> Duration? {
        durations.isEmpty ? nil : durations.sorted()[(durations.count - 1) / 2]
    }
}
