/// Whether a step runs the first layer's two halves on two threads or one
/// after the other on one, chosen by timing both as training goes.
///
/// Two threads are faster only while the two cores can hand each other work
/// quickly, and a VM's placement of its vCPUs changes while a process runs
/// (measured: docs/performance.md, "Why the kernels are shaped as they are").
/// So each cycle of `period` steps starts with a trial: `warmUpSteps` steps
/// on two threads (the worker may have gone to sleep, and its half of W[0]
/// has to come back to its cache), `trialSteps` timed; as many on one
/// thread, the same way; then the rest of the cycle runs the faster way. The
/// halves give the same bits either way, so the choice never changes a result.
struct HalvesThreadChoice {
    let period: Int
    let warmUpSteps: Int
    let trialSteps: Int
    /// The current choice.
    private var onThreads = true
    private var position = 0
    private var trialStart: ContinuousClock.Instant?
    private var timeOnThreads: Duration = .zero

    /// - Precondition: `trialSteps >= 1`, `warmUpSteps >= 0`, and a cycle
    ///   holds both trials: `period >= 2 * (warmUpSteps + trialSteps)`.
    init(period: Int = 3000, warmUpSteps: Int = 20, trialSteps: Int = 100) {
        precondition(trialSteps >= 1 && warmUpSteps >= 0 && period >= 2 * (warmUpSteps + trialSteps))
        self.period = period
        self.warmUpSteps = warmUpSteps
        self.trialSteps = trialSteps
    }

    /// Called before each step; returns whether that step runs its halves on
    /// two threads. `now` is read only at the trials' edges.
    mutating func beforeStep(now: () -> ContinuousClock.Instant) -> Bool {
        let threadsTimed = warmUpSteps, aloneStarts = warmUpSteps + trialSteps
        let aloneTimed = aloneStarts + warmUpSteps, decided = aloneTimed + trialSteps
        if position == 0 { onThreads = true }
        if position == threadsTimed { trialStart = now() }
        if position == aloneStarts {
            timeOnThreads = now() - trialStart!
            onThreads = false
        }
        if position == aloneTimed { trialStart = now() }
        if position == decided { onThreads = timeOnThreads <= now() - trialStart! }
        position = (position + 1) % period
        return onThreads
    }

    /// Starts a new cycle at the next step (after a pause in training, such
    /// as an epoch's evaluation, that a trial must not time).
    mutating func restart() {
        position = 0
    }
}
