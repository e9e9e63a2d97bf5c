//! Two threads in lock step, for the training loops that cut every iteration into two fixed
//! halves (hw1's direct engine, hw2's one-hidden-layer loop, the Gram engine's logistic step):
//! the training thread computes one half while a helper thread computes the other, and the
//! caller combines the halves in a fixed order afterwards. Because the halves are the same
//! whether or not the helper runs them, the printed numbers do not depend on the number of cores.
//!
//! An iteration is far too short (a few microseconds) to hand over through a channel or a
//! condition variable, so the threads spin on generation counters for a moment before they
//! sleep. On a busy machine the helper may not be running when it is needed; after enough such
//! waits the training thread stops handing work over and computes both halves itself.
//!
//! [`join`] is the same idea for one call at a time (the two column blocks of a large matrix
//! product): one half on the calling thread, the other on a helper thread that the process
//! keeps, so that a loop of such calls starts no thread per call.
//!
//! ```
//! use nn_engines::pair;
//! use std::sync::Mutex;
//!
//! // Sum 0..1000 as two halves, ten times over, on two threads.
//! let other = Mutex::new(0u64);
//! let second_half = || *other.lock().unwrap() = (500..1000).sum::<u64>();
//! let totals = pair::run(true, &second_half, |pair| {
//!     (0..10)
//!         .map(|_| {
//!             pair.start();
//!             let own: u64 = (0..500).sum();
//!             pair.finish();
//!             own + *other.lock().unwrap()
//!         })
//!         .collect::<Vec<_>>()
//! });
//! assert_eq!(totals, vec![499_500; 10]);
//! ```

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The environment variable that caps [`cores`]: `DL_COURSE_THREADS=1` runs every engine on one
/// thread, as on a one-core machine (the tests check that the numbers do not change).
pub const THREADS_VARIABLE: &str = "DL_COURSE_THREADS";

/// How many threads this process may run at once, looked up once: on Linux
/// `available_parallelism` reads cgroup files, which would cost more than the small products of
/// the Gram engine's loop. Every place that decides between one thread and two asks here.
/// `DL_COURSE_THREADS` lowers it (a value that is not a positive whole number is ignored, with
/// a warning).
///
/// ```
/// assert!(nn_engines::pair::cores() >= 1);
/// ```
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        let available = std::thread::available_parallelism().map_or(1, |c| c.get());
        let Ok(asked) = std::env::var(THREADS_VARIABLE) else {
            return available;
        };
        match asked.trim().parse::<usize>() {
            Ok(asked) if asked >= 1 => asked.min(available),
            _ => {
                eprintln!(
                    "warning: {THREADS_VARIABLE}={asked:?} is not a positive whole number; \
                     ignored (using {available} threads)"
                );
                available
            }
        }
    })
}

/// A value on cache lines of its own (two of them: x86 cores fetch lines in adjacent pairs), so
/// that what one thread writes does not share a line with what the other writes.
#[repr(align(128))]
struct OwnLine<T>(T);

/// How long a thread spins for the other before it sleeps: an iteration's half takes a few
/// microseconds on a quiet machine, and sleeping costs more than that; on a busy machine the
/// other thread may not be running at all, and spinning would only take its core.
const SPIN_FOR: Duration = Duration::from_micros(20);

/// How many times the training thread may find its helper not running before it stops handing
/// work over (plus one per 20 iterations).
const MAX_SLEEPS: usize = 20;

/// Hand-over state shared by the two threads: generation counters, a stop flag, the helper's
/// panic if it had one, and both threads (to wake the one that went to sleep).
struct Handover {
    /// Written by the training thread, on cache lines of its own: the fields below are written
    /// by the helper (but `stop`, at the end), and a line both threads write moves between the
    /// cores at every write.
    started: OwnLine<AtomicU64>,
    /// The last generation the helper began working on.
    picked_up: AtomicU64,
    finished: AtomicU64,
    stop: AtomicBool,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    trainer: std::thread::Thread,
    helper: std::sync::OnceLock<std::thread::Thread>,
}

impl Handover {
    fn start(&self, generation: u64) {
        self.started.0.store(generation, Ordering::Release);
        if let Some(helper) = self.helper.get() {
            helper.unpark();
        }
    }

    fn finish(&self, generation: u64) {
        self.finished.store(generation, Ordering::Release);
        self.trainer.unpark();
    }

    fn release_helper(&self) {
        self.stop.store(true, Ordering::Release);
        self.start(u64::MAX);
    }
}

/// Waits until `ready` holds: spins for [`SPIN_FOR`], then sleeps until woken. Returns whether
/// it had to sleep.
fn wait_for(ready: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    let mut spins = 0u32;
    let mut slept = false;
    while !ready() {
        spins = spins.wrapping_add(1);
        if !spins.is_multiple_of(64) || started.elapsed() < SPIN_FOR {
            std::hint::spin_loop();
        } else {
            // The timeout only bounds the cost of a wake-up that raced with going to sleep.
            std::thread::park_timeout(Duration::from_millis(1));
            slept = true;
        }
    }
    slept
}

/// Releases the helper however training ends (an error, or a panic in the caller's code).
struct StopOnDrop<'a>(&'a Handover);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.release_helper();
    }
}

/// The training thread's handle on the other half: [`Pair::start`] it, compute the own half,
/// [`Pair::finish`] it, then combine.
pub struct Pair<'a> {
    handover: &'a Handover,
    other_half: &'a (dyn Fn() + Sync),
    helper_on: bool,
    generation: u64,
    sleeps: usize,
    /// The trainer kept to its CPU while the helper runs halves (see [`Affinity`]).
    pinned: Option<Affinity>,
}

impl Pair<'_> {
    /// Begins this iteration's other half: hands it to the helper, or (with no helper, or after
    /// the helper was turned off) computes it right here.
    pub fn start(&mut self) {
        self.generation += 1;
        if self.helper_on {
            self.handover.start(self.generation);
        } else {
            (self.other_half)();
        }
    }

    /// Returns once this iteration's other half is done. A panic in the other half on the
    /// helper thread resumes here, on the training thread, as it would have on one thread.
    pub fn finish(&mut self) {
        self.wait_through(self.generation);
    }

    /// Returns once the other half before the last [`Pair::start`] is done, while the last one
    /// may still run: for a loop that starts the helper's next half as soon as its inputs are
    /// ready, before it reads the results of the current one, so that the helper never waits
    /// for the signal (one hand-over per iteration instead of two on the critical path).
    pub fn finish_previous(&mut self) {
        self.wait_through(self.generation.saturating_sub(1));
    }

    /// Waits until the other half of start number `generation` is done (see [`Pair::finish`]);
    /// gives the helper up when it is found not running too often (a busy machine).
    fn wait_through(&mut self, generation: u64) {
        if !self.helper_on {
            return;
        }
        // Whether the helper had not even begun this half when this thread was done with its
        // own: then it was not running, rather than running a little behind.
        let not_running = self.handover.picked_up.load(Ordering::Acquire) < generation;
        let finished = &self.handover.finished;
        let slept = wait_for(|| finished.load(Ordering::Acquire) >= generation);
        self.resume_panic();
        if slept && not_running {
            // The helper was not running when needed: the machine is busy. Past a few such
            // waits hand-overs cost more than they save; the halves (and so the numbers) stay
            // the same when this thread computes both. (A helper that is merely slower than
            // this thread, as with halves of half a millisecond, is waited for.)
            self.sleeps += 1;
            if self.sleeps > MAX_SLEEPS + self.generation as usize / 20 {
                // Every half started so far runs on the helper before it is released.
                let (finished, last) = (&self.handover.finished, self.generation);
                wait_for(|| finished.load(Ordering::Acquire) >= last);
                self.resume_panic();
                self.helper_on = false;
                self.pinned = None;
                self.handover.release_helper();
            }
        }
    }

    /// Resumes here a panic of the other half on the helper thread.
    fn resume_panic(&mut self) {
        if let Some(payload) = self.handover.panic.lock().ok().and_then(|mut p| p.take()) {
            self.helper_on = false;
            std::panic::resume_unwind(payload);
        }
    }
}

/// Runs `train` with a [`Pair`] whose other half is `other_half`: on the process's helper thread
/// (the one [`join`] uses) when `two_threads` is true and that helper is free, else on the
/// calling thread inside [`Pair::start`]. Sharing the one helper keeps a training loop that
/// follows a [`join`] (the Gram matrix before hw1's Gram loop) on two threads for two cores,
/// instead of three threads of which two had to share a core.
pub fn run<R>(
    two_threads: bool,
    other_half: &(dyn Fn() + Sync),
    train: impl FnOnce(&mut Pair<'_>) -> R,
) -> R {
    let acquired = if two_threads { acquire_helper() } else { None };
    let handover = Handover {
        started: OwnLine(AtomicU64::new(0)),
        picked_up: AtomicU64::new(0),
        finished: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        panic: Mutex::new(None),
        trainer: std::thread::current(),
        helper: std::sync::OnceLock::new(),
    };
    let mut pair = Pair {
        handover: &handover,
        other_half,
        helper_on: acquired.is_some(),
        generation: 0,
        sleeps: 0,
        pinned: None,
    };
    let Some((helper, busy)) = acquired else {
        return train(&mut pair);
    };
    if let Some(thread) = helper.thread.get() {
        let _ = handover.helper.set(thread.clone());
    }
    let handover = &handover;
    let trainer_cpu = current_cpu();
    pair.pinned = Affinity::only(trainer_cpu);
    let other = move || {
        let _apart = Affinity::except(trainer_cpu);
        let mut seen = 0;
        loop {
            wait_for(|| handover.started.0.load(Ordering::Acquire) > seen);
            if handover.stop.load(Ordering::Acquire) {
                return;
            }
            seen += 1;
            handover.picked_up.store(seen, Ordering::Release);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(other_half));
            if let Err(payload) = outcome {
                if let Ok(mut slot) = handover.panic.lock() {
                    *slot = Some(payload);
                }
                // Every half ends here, the ones not started yet too: whatever the training
                // thread waits for next (this half or a later one) ends its wait, and the wait
                // resumes the panic.
                handover.finish(u64::MAX);
                return;
            }
            handover.finish(seen);
        }
    };
    let own = || {
        // Releases the helper's loop however training ends, so that the join below returns.
        let _release = StopOnDrop(handover);
        train(&mut pair)
    };
    let trained = join_on(helper, busy, own, other).0;
    // `train` may return early (an error from its callback) while a half it started was still
    // running on the helper: a panic of that half must reach the caller all the same.
    if let Some(payload) = handover.panic.lock().ok().and_then(|mut p| p.take()) {
        std::panic::resume_unwind(payload);
    }
    trained
}

/// The CPU the calling thread runs on, where the OS says (Linux).
fn current_cpu() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sched_getcpu has no preconditions.
        usize::try_from(unsafe { libc::sched_getcpu() }).ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// The CPUs a thread may run on, narrowed for one [`run`] and given back when dropped (Linux).
///
/// Woken from sleep, a thread is often placed on the CPU of the thread that woke it. Two threads
/// that take turns on one CPU never leave it: every iteration of a [`run`] then waited for a time
/// slice until [`Pair`] gave up the helper (about half the hw1 Gram runs and 6 to 17 of 30 hw2
/// runs on this machine). So for a run the trainer keeps to the CPU it is on and the helper to the others,
/// where the machine has more than one. When [`Pair`] gives up the helper (a busy machine), the
/// trainer is let go again.
struct Affinity {
    #[cfg(target_os = "linux")]
    saved: libc::cpu_set_t,
}

impl Affinity {
    /// The calling thread kept to `cpu` alone (`None` if it may run on `cpu` only anyway, or the
    /// OS refuses).
    fn only(cpu: Option<usize>) -> Option<Affinity> {
        Self::narrow(cpu, true)
    }

    /// The calling thread kept off `cpu` (`None` if no other CPU is allowed, or the OS refuses).
    fn except(cpu: Option<usize>) -> Option<Affinity> {
        Self::narrow(cpu, false)
    }

    #[cfg(target_os = "linux")]
    fn narrow(cpu: Option<usize>, keep: bool) -> Option<Affinity> {
        let cpu = cpu.filter(|&cpu| cpu < libc::CPU_SETSIZE as usize)?;
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: a zeroed cpu_set_t is a valid empty set, the calls are given its size, and cpu
        // is below CPU_SETSIZE.
        unsafe {
            let mut saved: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, size, &mut saved) != 0
                || !libc::CPU_ISSET(cpu, &saved)
                || libc::CPU_COUNT(&saved) < 2
            {
                return None;
            }
            let mut narrowed = saved;
            if keep {
                libc::CPU_ZERO(&mut narrowed);
                libc::CPU_SET(cpu, &mut narrowed);
            } else {
                libc::CPU_CLR(cpu, &mut narrowed);
            }
            (libc::sched_setaffinity(0, size, &narrowed) == 0).then_some(Affinity { saved })
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn narrow(_cpu: Option<usize>, _keep: bool) -> Option<Affinity> {
        None
    }
}

impl Drop for Affinity {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        // SAFETY: `saved` is the set sched_getaffinity returned for this thread.
        unsafe {
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &self.saved);
        }
    }
}

/// A task handed to the [`join`] helper, without an allocation: a pointer to the caller's
/// `(closure, result slot)` on its stack and the function that runs it. The caller keeps that
/// frame alive until the helper reports the task done.
struct Task {
    data: *mut (),
    run: unsafe fn(*mut ()),
}

// SAFETY: `join` builds a Task only from a `Send` closure and a slot for a `Send` result, and
// waits for the helper to finish with them before its frame ends.
unsafe impl Send for Task {}

/// Runs the closure behind `data` (a `(Option<F>, Option<B>)` of [`join`]'s frame) and stores its
/// result.
///
/// # Safety
///
/// `data` must point to a live `(Option<F>, Option<B>)` that nothing else uses meanwhile.
unsafe fn run_task<F: FnOnce() -> B, B>(data: *mut ()) {
    // SAFETY: as the function's contract says.
    let (closure, result) = unsafe { &mut *data.cast::<(Option<F>, Option<B>)>() };
    if let Some(closure) = closure.take() {
        *result = Some(closure());
    }
}

/// The process's persistent helper for [`join`]: one task slot, and the outcome of the last task.
struct JoinHelper {
    /// Held by the caller whose task the helper is running; a second caller meanwhile runs
    /// both halves itself.
    busy: Mutex<()>,
    /// The helper thread, for [`run`]'s hand-over to wake it.
    thread: std::sync::OnceLock<std::thread::Thread>,
    task: Mutex<Option<Task>>,
    task_ready: std::sync::Condvar,
    /// How many tasks have been handed over, and how many finished: both sides spin on these for
    /// [`JOIN_SPIN_FOR`] before they block, since waking a blocked thread was measured at about
    /// 40 µs here (as much as starting a new one).
    posted: AtomicU64,
    finished: AtomicU64,
    outcome: Mutex<Option<std::thread::Result<()>>>,
    outcome_ready: std::sync::Condvar,
}

/// How long [`join`]'s two sides spin for each other before blocking: longer than the gap
/// between the two products of a training iteration, so that in a loop neither side blocks.
/// The helper spins only while calls come that often: after a lone call (the Gram matrix of
/// hw1) a spinning helper was measured to slow the two-thread loop that follows, from 13 to
/// 17 ms for the whole hw1 run.
const JOIN_SPIN_FOR: Duration = Duration::from_micros(300);

/// Spins until `counter` reaches `target` or `spin_for` has passed (the caller then blocks).
fn spin_until(counter: &AtomicU64, target: u64, spin_for: Duration) {
    let started = Instant::now();
    let mut spins = 0u32;
    while counter.load(Ordering::Acquire) < target {
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(64) && started.elapsed() >= spin_for {
            return;
        }
        std::hint::spin_loop();
    }
}

/// The helper thread, started by the first [`join`] (`None` if it could not be started).
fn join_helper() -> Option<&'static JoinHelper> {
    static HELPER: std::sync::OnceLock<Option<&'static JoinHelper>> = std::sync::OnceLock::new();
    *HELPER.get_or_init(|| {
        let helper: &'static JoinHelper = Box::leak(Box::new(JoinHelper {
            busy: Mutex::new(()),
            thread: std::sync::OnceLock::new(),
            task: Mutex::new(None),
            task_ready: std::sync::Condvar::new(),
            posted: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            outcome: Mutex::new(None),
            outcome_ready: std::sync::Condvar::new(),
        }));
        let started = std::thread::Builder::new().name("nn-engines join".into()).spawn(move || {
            let mut done = 0;
            // Spin between tasks only while they come within JOIN_SPIN_FOR of each other.
            let mut spin_for = Duration::ZERO;
            let mut last_finished = Instant::now();
            loop {
                // No lock is held while a task runs (its panics are caught), so none is ever
                // poisoned; the helper never exits, since a caller may be waiting for it.
                spin_until(&helper.posted, done + 1, spin_for);
                let task = {
                    let mut slot = helper.task.lock().unwrap_or_else(PoisonError::into_inner);
                    loop {
                        if let Some(task) = slot.take() {
                            break task;
                        }
                        slot = helper.task_ready.wait(slot).unwrap_or_else(PoisonError::into_inner);
                    }
                };
                spin_for = match last_finished.elapsed() < JOIN_SPIN_FOR && done > 0 {
                    true => JOIN_SPIN_FOR,
                    false => Duration::ZERO,
                };
                // SAFETY: the caller of join keeps the task's frame alive until it is reported
                // done, below.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
                    (task.run)(task.data)
                }));
                *helper.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
                last_finished = Instant::now();
                done += 1;
                helper.finished.store(done, Ordering::Release);
                helper.outcome_ready.notify_all();
            }
        });
        started.ok().map(|handle| {
            let _ = helper.thread.set(handle.thread().clone());
            helper
        })
    })
}

/// The helper and its `busy` lock, when the machine has two cores and no other caller has it.
fn acquire_helper() -> Option<(&'static JoinHelper, std::sync::MutexGuard<'static, ()>)> {
    let helper = if cores() > 1 { join_helper() } else { None };
    helper.and_then(|h| h.busy.try_lock().ok().map(|busy| (h, busy)))
}

/// Runs `own` on the calling thread and `other` on a helper thread that lives as long as the
/// process, and returns both results: for work that is cut into two fixed halves many times
/// (the matrix products of a training loop, each a few hundred microseconds), where starting a
/// thread per call (about 40 µs here) would cost more than the halves are worth. When the
/// machine has one core, the helper is busy with another caller's task, or it could not be
/// started, both halves run here, one after the other: the results are the same.
///
/// A panic in either half resumes on the calling thread once both halves are over.
///
/// ```
/// let data: Vec<u64> = (1..=100).collect();
/// let (low, high) = nn_engines::pair::join(
///     || data[..50].iter().sum::<u64>(),
///     || data[50..].iter().sum::<u64>(),
/// );
/// assert_eq!(low + high, 5050);
/// ```
pub fn join<A, B, O>(own: impl FnOnce() -> A, other: O) -> (A, B)
where
    O: FnOnce() -> B + Send,
    B: Send,
{
    let Some((helper, busy)) = acquire_helper() else {
        // Both halves here, both run even when the first panics, as on two threads.
        let own_result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(own));
        let other_result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(other));
        return match (own_result, other_result) {
            (Ok(own), Ok(other)) => (own, other),
            (Err(payload), _) | (_, Err(payload)) => std::panic::resume_unwind(payload),
        };
    };
    join_on(helper, busy, own, other)
}

/// [`join`] with the helper acquired: `other` runs on it while `own` runs here.
fn join_on<A, B, O>(
    helper: &'static JoinHelper,
    busy: std::sync::MutexGuard<'static, ()>,
    own: impl FnOnce() -> A,
    other: O,
) -> (A, B)
where
    O: FnOnce() -> B + Send,
    B: Send,
{
    // The other half and its result live in this frame; the helper reaches them through `task`.
    // This function does not return or unwind before the helper has reported the task finished
    // (below: `own` runs under catch_unwind, and the wait for the outcome cannot be skipped), so
    // the frame outlives every use on the helper thread, and nothing here touches the pair
    // meanwhile.
    let mut shared = (Some(other), None::<B>);
    let task = Task { run: run_task::<O, B>, data: (&raw mut shared).cast() };
    *helper.task.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
    let generation = helper.posted.fetch_add(1, Ordering::AcqRel) + 1;
    helper.task_ready.notify_one();
    let own_result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(own));
    spin_until(&helper.finished, generation, JOIN_SPIN_FOR);
    let other_outcome = wait_for_outcome(helper);
    drop(busy);
    let own_result = own_result.unwrap_or_else(|payload| std::panic::resume_unwind(payload));
    if let Err(payload) = other_outcome {
        std::panic::resume_unwind(payload);
    }
    match shared.1 {
        Some(result) => (own_result, result),
        None => unreachable!("the helper reports a task done only after running it"),
    }
}

/// Waits until the helper has finished the task handed to it.
fn wait_for_outcome(helper: &JoinHelper) -> std::thread::Result<()> {
    let mut slot = helper.outcome.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(outcome) = slot.take() {
            return outcome;
        }
        slot = helper.outcome_ready.wait(slot).unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_runs_both_halves_and_returns_their_results() {
        let data: Vec<u64> = (0..10_000).collect();
        for _ in 0..200 {
            let (a, b) = join(|| data[..5000].iter().sum::<u64>(), || data[5000..].to_vec());
            assert_eq!(a + b.iter().sum::<u64>(), 49_995_000);
        }
        // Callers on several threads at once: the helper takes one task at a time and the
        // others run both halves themselves.
        std::thread::scope(|scope| {
            for t in 0..4u64 {
                scope.spawn(move || {
                    for i in 0..100u64 {
                        assert_eq!(join(|| t * i, || t + i), (t * i, t + i));
                    }
                });
            }
        });
    }

    #[test]
    fn a_panic_in_a_joined_half_reaches_the_caller_after_both_halves() {
        let other_ran = AtomicBool::new(false);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            join(|| panic!("own half"), || other_ran.store(true, Ordering::Release))
        }));
        assert_eq!(caught.unwrap_err().downcast_ref::<&str>(), Some(&"own half"));
        assert!(other_ran.load(Ordering::Acquire));
        let caught = std::panic::catch_unwind(|| join(|| 1, || -> u8 { panic!("other half") }));
        assert_eq!(caught.unwrap_err().downcast_ref::<&str>(), Some(&"other half"));
        // The helper is still there for the next caller.
        assert_eq!(join(|| 2, || 3), (2, 3));
    }

    #[test]
    fn one_thread_and_two_threads_compute_the_same_halves() {
        for two_threads in [false, true] {
            let other = Mutex::new(Vec::new());
            let counter = AtomicU64::new(0);
            let second_half = || {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                other.lock().unwrap().push(n * 2 + 1);
            };
            let own: Vec<u64> = run(two_threads, &second_half, |pair| {
                (0..1000)
                    .map(|i| {
                        pair.start();
                        pair.finish();
                        assert_eq!(other.lock().unwrap().len(), i + 1, "finish waits");
                        i as u64 * 2
                    })
                    .collect()
            });
            let other = other.into_inner().unwrap();
            assert_eq!(own.len(), 1000);
            assert_eq!(other, (0..1000).map(|n| n * 2 + 1).collect::<Vec<u64>>());
        }
    }

    #[test]
    fn an_early_return_releases_the_helper() {
        let calls = AtomicU64::new(0);
        let second_half = || {
            calls.fetch_add(1, Ordering::Relaxed);
        };
        let result: Result<(), &str> = run(true, &second_half, |pair| {
            pair.start();
            pair.finish();
            Err("diverged")
        });
        assert_eq!(result, Err("diverged"));
        assert_eq!(calls.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_panic_in_the_other_half_reaches_the_training_thread() {
        let second_half = || panic!("bad half");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(true, &second_half, |pair| {
                pair.start();
                pair.finish();
            })
        }));
        let payload = caught.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"bad half"));
    }

    #[test]
    fn a_panic_in_a_half_still_running_at_an_early_return_reaches_the_caller() {
        let entered = AtomicBool::new(false);
        let second_half = || {
            entered.store(true, Ordering::Release);
            std::thread::sleep(Duration::from_millis(20));
            panic!("late half")
        };
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(true, &second_half, |pair| -> Result<(), &str> {
                // Started and never waited for: the loop stops while the half runs.
                pair.start();
                while !entered.load(Ordering::Acquire) {
                    std::thread::yield_now();
                }
                Err("stopped early")
            })
        }));
        // Where the helper could be had, its panic wins over the early return; a machine that
        // ran the half on this thread inside `start` panicked there already.
        let payload = caught.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"late half"));
    }
}
