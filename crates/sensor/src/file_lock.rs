//! An advisory lock (`flock(2)`) on a small `.lock` file beside a file the operator commands
//! read, change and replace (device states, the allow-list), so two commands run at the same
//! time cannot lose each other's change. The atomic replacement itself is `store`'s job; the
//! lock only serialises the read-modify-write. The kernel releases it when the process exits,
//! so a crash never leaves it held.

use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// A held lock; released when dropped.
pub struct FileLock {
    _lock: Flock<File>,
}

/// The lock file guarding `path`: `.<name>.lock` in the same directory.
pub fn lock_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    path.with_file_name(format!(".{name}.lock"))
}

/// Takes the exclusive lock guarding `path`, waiting for another holder to finish.
pub fn lock_exclusive(path: &Path) -> std::io::Result<FileLock> {
    let lock_file = lock_path(path);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_file)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", lock_file.display())))?;
    let lock = Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, errno)| {
        std::io::Error::other(format!("{}: cannot lock: {errno}", lock_file.display()))
    })?;
    Ok(FileLock { _lock: lock })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("allowlist.toml");
        assert_eq!(lock_path(&target), dir.path().join(".allowlist.toml.lock"));
        let first = lock_exclusive(&target).unwrap();
        let probe = File::open(lock_path(&target)).unwrap();
        let busy = Flock::lock(probe, FlockArg::LockExclusiveNonblock);
        assert!(busy.is_err(), "held by the first lock");
        drop(first);
        let probe = File::open(lock_path(&target)).unwrap();
        assert!(Flock::lock(probe, FlockArg::LockExclusiveNonblock).is_ok());
    }
}
