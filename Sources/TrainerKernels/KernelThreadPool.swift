import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny persistent pool for splitting one product across threads: the
/// calling thread runs part 0 and `threadCount − 1` workers run the others.
/// Starting a part costs a store and a cache-line transfer rather than a
/// Dispatch hop, so a product of a few microseconds can still be split.
///
/// Workers spin on an atomic counter while work keeps coming, and sleep on a
/// condition variable after ``spinLimitNanoseconds`` without any (so an idle
/// pool costs nothing). The kernels split only output rows or columns, so a
/// product gives the same bits with or without a pool.
///
/// The owner calls ``shutdown()`` (or drops the last reference) to stop the
/// workers. One product at a time: a call made while another caller holds the
/// pool runs all its parts on its own thread instead.
public final class KernelThreadPool: Sendable {
    /// A part of a job: called with the job's context and the part index.
    public typealias Task = @convention(c) (UnsafeRawPointer, Int) -> Void

    /// Threads taking part in a product, the caller included.
    public var threadCount: Int { state.threadCount }
    /// Products with fewer floating-point operations (2·m·k·n) than this run
    /// on the caller alone.
    public let minimumOperations: Int

    private let state: PoolState

    /// A pool of `threads` threads in all (the caller and `threads − 1`
    /// workers); 1 makes a pool that runs everything on the caller. An idle
    /// worker spins for `spinMicroseconds` before it sleeps. Products smaller
    /// than `minimumOperations` are not split (the default is where a split
    /// starts to pay in training: docs/performance.md).
    public init(threads: Int, minimumOperations: Int = Kernels.defaultMinimumSplitOperations, spinMicroseconds: Int = 200) {
        self.minimumOperations = minimumOperations
        state = PoolState(threads: max(1, threads), spinLimitNanoseconds: spinMicroseconds * 1000)
    }

    deinit { state.shutdown() }

    /// Stops and joins the workers; later calls to ``run(parts:context:_:)`` run
    /// every part on the caller. Safe to call more than once.
    public func shutdown() { state.shutdown() }

    /// Runs `task(context, 0)` … `task(context, parts − 1)` (by default one
    /// part per thread), part 0 on the calling thread, and returns when all
    /// are done. `parts` is at most 255.
    public func run(parts: Int? = nil, context: UnsafeRawPointer, _ task: Task) {
        state.run(parts: parts ?? threadCount, context: context, task)
    }
}

/// The pool's shared state; the workers hold it strongly, the pool object
/// owns the workers (so dropping the pool stops them).
///
/// A job is published in one atomic word, `claims` = generation << 16 |
/// parts << 8 | next unclaimed part. The caller and the workers claim parts
/// by compare-and-swap on it, so a job never waits for a worker that is not
/// running (on a busy machine the caller simply claims every part), and a
/// worker that wakes late cannot claim a part of a finished job (its
/// generation no longer matches).
private final class PoolState: @unchecked Sendable {
    let threadCount: Int
    let spinLimitNanoseconds: Int
    /// How long a waiting thread spins before it starts yielding its core.
    static let yieldAfterNanoseconds = 20_000
    private let claims = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    // Written by the caller before it publishes a job in `claims`, read by a
    // worker only after it claims a part of that job (which keeps the job, and
    // so these, alive until the part is finished).
    private var task: KernelThreadPool.Task?
    private var context: UnsafeRawPointer?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var workers: [pthread_t] = []

    init(threads: Int, spinLimitNanoseconds: Int) {
        threadCount = min(threads, 255)
        self.spinLimitNanoseconds = spinLimitNanoseconds
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for _ in 1..<threadCount {
            let start = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(
                &thread, nil,
                { argument in
                    Unmanaged<PoolState>.fromOpaque(argument!).takeRetainedValue().workerLoop()
                    return nil
                }, start)
            // No thread (EAGAIN: its stack does not fit under `ulimit -v`,
            // or the process limit): fewer workers. A job never waits for a
            // worker that is not running, so the caller runs their parts,
            // and the results are the same.
            guard status == 0 else {
                Unmanaged<PoolState>.fromOpaque(start).release()
                break
            }
            workers.append(thread)
        }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        publish(parts: 0)  // a worker sees this generation only after `stopped`
        for thread in workers { pthread_join(thread, nil) }
        workers = []
    }

    func run(parts: Int, context: UnsafeRawPointer, _ task: KernelThreadPool.Task) {
        precondition(parts <= 255, "at most 255 parts")
        guard threadCount > 1, parts > 1, !stopped.load(ordering: .acquiring),
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<parts { task(context, part) }
            return
        }
        self.task = task
        self.context = context
        finished.store(0, ordering: .relaxed)
        let generation = publish(parts: parts)
        runParts(of: generation)
        // Spin while the other parts finish; yield the core only after a
        // while (a worker that has not started is then likely waiting for it).
        var spins = 0, start = 0
        while finished.load(ordering: .acquiring) != parts {
            spins &+= 1
            if spins & 1023 == 0 {
                if start == 0 { start = Self.now() } else if Self.now() - start > Self.yieldAfterNanoseconds { sched_yield() }
            }
        }
        self.task = nil
        self.context = nil
        busy.store(false, ordering: .releasing)
    }

    /// Starts a new generation with `parts` unclaimed parts and wakes any
    /// sleeping worker; returns the generation.
    @discardableResult
    private func publish(parts: Int) -> Int {
        let generation = (claims.load(ordering: .relaxed) >> 16) &+ 1
        claims.store(generation << 16 | parts << 8, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return generation
    }

    /// Claims and runs parts of job `generation` until none is left.
    private func runParts(of generation: Int) {
        var word = claims.load(ordering: .acquiring)
        while word >> 16 == generation {
            let next = word & 0xFF, parts = (word >> 8) & 0xFF
            if next >= parts { return }
            let (exchanged, original) = claims.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                task.unsafelyUnwrapped(context.unsafelyUnwrapped, next)
                finished.add(1, ordering: .releasing)
                word = claims.load(ordering: .acquiring)
            } else {
                word = original
            }
        }
    }

    private func workerLoop() {
        // Generation 0 is the pool's state at creation; start from it, not
        // from a load, or a job (or shutdown) published before this thread
        // ran would be missed.
        var seen = 0
        while true {
            var current = claims.load(ordering: .acquiring) >> 16
            if current == seen {
                let start = Self.now()
                var spins = 0
                while current == seen {
                    spins &+= 1
                    if spins & 1023 == 0 {
                        // After a while, let a thread that shares this core
                        // run (the caller, on a busy machine); later, sleep.
                        // Not at once: a yield is a system call, and the gap
                        // between the jobs of one training step is a few µs.
                        let waited = Self.now() - start
                        if waited > Self.yieldAfterNanoseconds { sched_yield() }
                        if waited > spinLimitNanoseconds { current = sleep(whileGenerationIs: seen) }
                    }
                    current = claims.load(ordering: .acquiring) >> 16
                }
            }
            seen = current
            if stopped.load(ordering: .acquiring) { return }
            // Leave part 0 to the caller for a moment: a job split the same
            // way step after step then runs each part on the same thread,
            // whose cache holds that part's data from the last time. A
            // caller that does not claim it soon (descheduled) loses it.
            var waits = 0
            while claims.load(ordering: .relaxed) & 0xFF == 0, claims.load(ordering: .relaxed) >> 16 == current, waits < 256 {
                waits &+= 1
            }
            runParts(of: current)
        }
    }

    /// Blocks until the generation in `claims` moves on from `seen`; returns
    /// the new one. The caller stores `claims` then loads `sleepers`, and this
    /// stores `sleepers` then loads `claims` (all sequentially consistent), so
    /// at least one of them sees the other's store: no wake-up is lost.
    private func sleep(whileGenerationIs seen: Int) -> Int {
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var current = claims.load(ordering: .sequentiallyConsistent) >> 16
        while current == seen {
            pthread_cond_wait(condition, mutex)
            current = claims.load(ordering: .sequentiallyConsistent) >> 16
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return current
    }

    private static func now() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }
}

extension KernelThreadPool {
    /// Runs `body(0)` … `body(parts − 1)` as ``run(parts:context:_:)`` does,
    /// part 0 on the calling thread, for work that is a Swift closure rather
    /// than a C function (one indirect call per part). `body` must be safe to
    /// call from several threads at once.
    public func run(parts: Int? = nil, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            var closure = escapable
            withUnsafePointer(to: &closure) { pointer in
                run(parts: parts, context: UnsafeRawPointer(pointer)) { context, part in
                    context.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
                }
            }
        }
    }
}
