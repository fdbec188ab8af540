/// Whether a step runs the first layer's two halves on two threads or one
/// after the other on one, chosen by timing both as training goes.
///
/// Two threads are faster only while the two cores can hand each other work
/// quickly. A virtual machine's two vCPUs may sit on far-apart cores: on this
/// project's 2-core VM a cache line's round trip between the threads then
/// takes about 400 ns instead of 55, and 784-30-10 on two threads took 0.052
/// to 0.065 s per epoch against 0.042 on one (0.030 to 0.034 when the cores
/// were close). The placement changes while a process runs, so each cycle of
/// `period` steps starts with `trialSteps` steps on two threads and as many
/// on one, timed, and runs the rest of the cycle the faster way. The halves
/// give the same bits either way, so the choice never changes a result.
struct HalvesThreadChoice {
    let period: Int
    let trialSteps: Int
    /// The current choice.
    private(set) var onThreads = true
    private var position = 0
    private var trialStart: ContinuousClock.Instant?
    private var timeOnThreads: Duration = .zero

    /// - Precondition: `period >= 2 * trialSteps`, `trialSteps >= 1`.
    init(period: Int = 3000, trialSteps: Int = 100) {
        precondition(trialSteps >= 1 && period >= 2 * trialSteps)
        self.period = period
        self.trialSteps = trialSteps
    }

    /// Called before each step; returns whether that step runs its halves on
    /// two threads. `now` is read only at the trials' edges.
    mutating func beforeStep(now: () -> ContinuousClock.Instant) -> Bool {
        switch position {
        case 0:
            trialStart = now()
            onThreads = true
        case trialSteps:
            let time = now()
            timeOnThreads = time - trialStart!
            trialStart = time
            onThreads = false
        case 2 * trialSteps:
            let timeAlone = now() - trialStart!
            onThreads = timeOnThreads <= timeAlone
        default:
            break
        }
        position = (position + 1) % period
        return onThreads
    }

    /// Starts a new cycle at the next step (after a pause in training, such
    /// as an epoch's evaluation, that a trial must not time).
    mutating func restart() {
        position = 0
    }
}
