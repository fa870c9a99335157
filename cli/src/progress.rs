//! Progress on stderr for long runs: the phase, bytes read and elapsed time.
//!
//! Commands report through [`Progress`], never to indicatif directly, so that the engine can
//! later feed the same interface from a callback (objects read, policies compiled) without
//! the commands changing. The spinner appears only at a terminal, only without `-q`, and
//! only once a run has lasted [`DELAY`]: quick runs and pipes stay clean.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before it shows progress.
pub const DELAY: Duration = Duration::from_secs(1);

/// What a run is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Loading,
    Diagnosing,
    Checking,
    Matrix,
}

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Phase::Reading => "reading files",
            Phase::Loading => "loading",
            Phase::Diagnosing => "diagnosing",
            Phase::Matrix => "computing the matrix",
            Phase::Checking => "checking",
        }
    }
}

/// Where progress goes. `Send + Sync`: an engine callback may report from any thread.
pub trait Progress: Send + Sync {
    fn phase(&self, phase: Phase);
    /// More bytes of input have been read.
    fn read(&self, bytes: u64);
    /// The run is over: clear the line.
    fn finish(&self);
}

/// No progress: not a terminal, or `-q`.
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: Phase) {}
    fn read(&self, _: u64) {}
    fn finish(&self) {}
}

/// The progress a command gets: a spinner when stderr is a terminal and `-q` was not given.
pub fn to_stderr(quiet: bool) -> Box<dyn Progress> {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return Box::new(Silent);
    }
    Box::new(Spinner::start(DELAY))
}

/// An indicatif spinner, hidden until the run has lasted the delay.
pub struct Spinner {
    bar: ProgressBar,
    bytes: AtomicU64,
    phase: std::sync::Mutex<Phase>,
    done: Arc<AtomicBool>,
    /// Set by the timer once the spinner is drawn (read by the tests of the timer).
    #[cfg_attr(not(test), allow(dead_code))]
    revealed: Arc<AtomicBool>,
}

impl Spinner {
    fn start(delay: Duration) -> Spinner {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        let done = Arc::new(AtomicBool::new(false));
        // A thread of its own: the engine's load is one call that reports nothing while it
        // runs, so only a timer can tell that it has become long.
        let revealed = Arc::new(AtomicBool::new(false));
        let (shown, finished, reveal) = (bar.clone(), Arc::clone(&done), Arc::clone(&revealed));
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            if !finished.load(Ordering::SeqCst) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                reveal.store(true, Ordering::SeqCst);
            }
        });
        Spinner {
            bar,
            bytes: AtomicU64::new(0),
            phase: std::sync::Mutex::new(Phase::Reading),
            done,
            revealed,
        }
    }

    fn redraw(&self) {
        let phase = self.phase.lock().map(|p| *p).unwrap_or(Phase::Reading);
        self.bar
            .set_message(message(phase, self.bytes.load(Ordering::SeqCst)));
    }
}

/// The spinner's text: the phase, and the bytes read so far.
fn message(phase: Phase, bytes: u64) -> String {
    match (phase, bytes) {
        (_, 0) => phase.label().to_string(),
        (Phase::Reading, n) => format!("{} ({})", phase.label(), HumanBytes(n)),
        (_, n) => format!("{} ({} read)", phase.label(), HumanBytes(n)),
    }
}

impl Progress for Spinner {
    fn phase(&self, phase: Phase) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase;
        }
        self.redraw();
    }

    fn read(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::SeqCst);
        self.redraw();
    }

    fn finish(&self) {
        self.done.store(true, Ordering::SeqCst);
        self.bar.finish_and_clear();
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_phase_and_the_bytes() {
        assert_eq!(message(Phase::Reading, 0), "reading files");
        assert_eq!(
            message(Phase::Reading, 3 * 1024 * 1024),
            "reading files (3.00 MiB)"
        );
        assert_eq!(message(Phase::Loading, 2048), "loading (2.00 KiB read)");
        assert_eq!(message(Phase::Diagnosing, 0), "diagnosing");
    }

    #[test]
    fn only_a_run_longer_than_the_delay_shows_progress() {
        let quick = Spinner::start(Duration::from_millis(50));
        quick.phase(Phase::Loading);
        quick.finish();
        let long = Spinner::start(Duration::from_millis(50));
        long.phase(Phase::Loading);
        // Waits for an event, not for speed: the timer either fired or was told to stay quiet.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !long.revealed.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            long.revealed.load(Ordering::SeqCst),
            "a run past the delay showed no progress"
        );
        assert!(
            !quick.revealed.load(Ordering::SeqCst),
            "a run that ended before the delay showed progress"
        );
    }
}
