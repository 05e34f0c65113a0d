//! Process signals: SIGTERM and SIGINT ask for a drained shutdown; SIGHUP asks for a reload
//! of the configuration and the models.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// What a signal asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalEvent {
    /// Drain and exit 0 (the signal's name).
    Shutdown(&'static str),
    /// Reload configuration and models.
    Reload,
}

/// The installed handlers.
pub struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Signals {
    /// Installs the handlers (needs a tokio runtime). From here on these signals no longer
    /// kill the process.
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for the next signal.
    pub async fn next(&mut self) -> SignalEvent {
        tokio::select! {
            _ = self.term.recv() => SignalEvent::Shutdown("SIGTERM"),
            _ = self.int.recv() => SignalEvent::Shutdown("SIGINT"),
            _ = self.hup.recv() => SignalEvent::Reload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::signal::{Signal as Sig, raise};

    /// Runs in a child process (handlers stay installed for the life of a process, and an
    /// installed SIGINT handler would keep Ctrl-C from stopping the whole test binary).
    #[test]
    #[ignore = "run by signals_map_to_events"]
    fn child_signals() {
        if std::env::var_os("WARDWATCH_SIGNAL_CHILD").is_none() {
            return;
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut signals = Signals::install().unwrap();
            raise(Sig::SIGHUP).unwrap();
            assert_eq!(signals.next().await, SignalEvent::Reload);
            raise(Sig::SIGTERM).unwrap();
            assert_eq!(signals.next().await, SignalEvent::Shutdown("SIGTERM"));
            raise(Sig::SIGINT).unwrap();
            assert_eq!(signals.next().await, SignalEvent::Shutdown("SIGINT"));
        });
        println!("SIGNALS OK");
    }

    #[test]
    fn signals_map_to_events() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "signals::tests::child_signals",
                "--ignored",
                "--nocapture",
            ])
            .env("WARDWATCH_SIGNAL_CHILD", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("SIGNALS OK"),
            "{text}"
        );
    }
}
