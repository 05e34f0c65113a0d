//! Privilege drop after opening a live capture (tcpdump `-Z` order): supplementary groups,
//! group, user, `no_new_privs`, then a check that root cannot be regained and no capability is
//! left. Any failure stops the sensor (fail closed). Staying root is explicit:
//! `--allow-root` or `privileges.user = ""`.

use crate::config::PrivilegeConfig;
use nix::unistd::{Gid, Group, Uid, User};

/// What the privilege step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropOutcome {
    /// The process was not root; nothing to drop.
    NotRoot,
    /// Root kept on purpose.
    KeptRoot,
    /// Now running as this user and group.
    Dropped {
        /// User name.
        user: String,
        /// Numeric user id.
        uid: u32,
        /// Numeric group id.
        gid: u32,
    },
}

/// Why the drop failed. The sensor stops; it never continues as root by accident.
#[derive(Debug, thiserror::Error)]
pub enum PrivilegeError {
    /// The configured user does not exist.
    #[error(
        "privileges.user {0:?} does not exist: create it (e.g. `useradd --system --no-create-home --shell /usr/sbin/nologin {0}`) or keep root explicitly with --allow-root or privileges.user = \"\""
    )]
    NoSuchUser(String),
    /// The configured group does not exist.
    #[error("privileges.group {0:?} does not exist")]
    NoSuchGroup(String),
    /// Looking the account up failed.
    #[error("looking up {what} {name:?}: {errno}")]
    Lookup {
        /// `user` or `group`.
        what: &'static str,
        /// The name.
        name: String,
        /// The error.
        errno: nix::Error,
    },
    /// A system call of the drop failed.
    #[error("dropping privileges: {step} failed: {errno}")]
    Step {
        /// The step, e.g. `setresuid`.
        step: &'static str,
        /// The error.
        errno: nix::Error,
    },
    /// The check after the drop found privileges left.
    #[error("dropping privileges did not stick: {0}")]
    StillPrivileged(String),
}

fn step(step: &'static str) -> impl FnOnce(nix::Error) -> PrivilegeError {
    move |errno| PrivilegeError::Step { step, errno }
}

/// Drops root as configured. Call after the live capture is open and before any packet is
/// parsed or any file is written, from the main thread before other threads start:
/// `no_new_privs` is per thread and inherited only by threads created afterwards (the id
/// changes themselves apply to every thread).
pub fn drop_privileges(config: &PrivilegeConfig) -> Result<DropOutcome, PrivilegeError> {
    if !Uid::effective().is_root() {
        return Ok(DropOutcome::NotRoot);
    }
    let PrivilegeConfig::DropTo { user, group } = config else {
        return Ok(DropOutcome::KeptRoot);
    };
    let account = User::from_name(user)
        .map_err(|errno| PrivilegeError::Lookup {
            what: "user",
            name: user.clone(),
            errno,
        })?
        .ok_or_else(|| PrivilegeError::NoSuchUser(user.clone()))?;
    let gid = match group {
        None => account.gid,
        Some(name) => {
            Group::from_name(name)
                .map_err(|errno| PrivilegeError::Lookup {
                    what: "group",
                    name: name.clone(),
                    errno,
                })?
                .ok_or_else(|| PrivilegeError::NoSuchGroup(name.clone()))?
                .gid
        }
    };
    let uid = account.uid;
    nix::unistd::setgroups(&[gid]).map_err(step("setgroups"))?;
    nix::unistd::setresgid(gid, gid, gid).map_err(step("setresgid"))?;
    nix::unistd::setresuid(uid, uid, uid).map_err(step("setresuid"))?;
    nix::sys::prctl::set_no_new_privs().map_err(step("prctl(PR_SET_NO_NEW_PRIVS)"))?;
    verify(uid, gid)?;
    Ok(DropOutcome::Dropped {
        user: user.clone(),
        uid: uid.as_raw(),
        gid: gid.as_raw(),
    })
}

/// Checks that ids are the target ones everywhere, root cannot be regained and no capability
/// remains.
fn verify(uid: Uid, gid: Gid) -> Result<(), PrivilegeError> {
    let ids = (
        Uid::current(),
        Uid::effective(),
        Gid::current(),
        Gid::effective(),
    );
    if ids != (uid, uid, gid, gid) {
        return Err(PrivilegeError::StillPrivileged(format!(
            "ids are {ids:?}, expected uid {uid} gid {gid}"
        )));
    }
    if !uid.is_root() && nix::unistd::setuid(Uid::from_raw(0)).is_ok() {
        return Err(PrivilegeError::StillPrivileged(
            "setuid(0) succeeded".into(),
        ));
    }
    let status = std::fs::read_to_string("/proc/thread-self/status").map_err(|e| {
        PrivilegeError::StillPrivileged(format!("cannot read /proc/thread-self/status: {e}"))
    })?;
    match capability_sets(&status) {
        Some((0, 0)) => Ok(()),
        Some((effective, permitted)) => Err(PrivilegeError::StillPrivileged(format!(
            "capabilities left: CapEff {effective:016x}, CapPrm {permitted:016x}"
        ))),
        None => Err(PrivilegeError::StillPrivileged(
            "no CapEff/CapPrm in /proc/thread-self/status".into(),
        )),
    }
}

/// `(CapEff, CapPrm)` from the text of a `/proc/.../status` file.
pub fn capability_sets(status: &str) -> Option<(u64, u64)> {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
    };
    Some((field("CapEff:")?, field("CapPrm:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_sets_parse() {
        let status = "Name:\tx\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000002000\n";
        assert_eq!(capability_sets(status), Some((0x2000, 0x1ff_ffff_ffff)));
        assert_eq!(capability_sets("Name: x\n"), None);
    }

    #[test]
    fn keeping_root_is_explicit_and_unknown_users_fail_closed() {
        if !Uid::effective().is_root() {
            assert_eq!(
                drop_privileges(&PrivilegeConfig::KeepRoot).unwrap(),
                DropOutcome::NotRoot
            );
            return;
        }
        assert_eq!(
            drop_privileges(&PrivilegeConfig::KeepRoot).unwrap(),
            DropOutcome::KeptRoot
        );
        let err = drop_privileges(&PrivilegeConfig::DropTo {
            user: "no-such-user-ww".into(),
            group: None,
        })
        .unwrap_err();
        assert!(matches!(err, PrivilegeError::NoSuchUser(_)));
        assert!(
            err.to_string()
                .starts_with("privileges.user \"no-such-user-ww\" does not exist: create it")
        );
        let err = drop_privileges(&PrivilegeConfig::DropTo {
            user: "nobody".into(),
            group: Some("no-such-group-ww".into()),
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "privileges.group \"no-such-group-ww\" does not exist"
        );
        assert!(Uid::effective().is_root(), "failed lookups change nothing");
    }

    /// Runs in a child process (see the test below): drops to nobody and reports.
    #[test]
    #[ignore = "run by drops_to_nobody_in_a_child_process"]
    fn child_drop_to_nobody() {
        if std::env::var_os("WARDWATCH_PRIVILEGE_CHILD").is_none() {
            return;
        }
        let outcome = drop_privileges(&PrivilegeConfig::DropTo {
            user: "nobody".into(),
            group: None,
        })
        .unwrap();
        let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
        let line = |k: &str| {
            status
                .lines()
                .find(|l| l.starts_with(k))
                .unwrap()
                .to_owned()
        };
        println!("OUTCOME {outcome:?}");
        println!("{}", line("Uid:"));
        println!("{}", line("CapEff:"));
        println!("{}", line("NoNewPrivs:"));
    }

    #[test]
    fn drops_to_nobody_in_a_child_process() {
        if !Uid::effective().is_root() || User::from_name("nobody").ok().flatten().is_none() {
            eprintln!("skipped: needs root and a `nobody` user");
            return;
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "privileges::tests::child_drop_to_nobody",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("WARDWATCH_PRIVILEGE_CHILD", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let nobody = User::from_name("nobody").unwrap().unwrap().uid.as_raw();
        assert!(
            text.contains("OUTCOME Dropped { user: \"nobody\""),
            "{text}"
        );
        assert!(
            text.contains(&format!("Uid:\t{nobody}\t{nobody}\t{nobody}\t{nobody}")),
            "{text}"
        );
        assert!(text.contains("CapEff:\t0000000000000000"), "{text}");
        assert!(text.contains("NoNewPrivs:\t1"), "{text}");
    }
}
