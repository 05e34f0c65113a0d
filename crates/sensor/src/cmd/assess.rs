//! `wardwatch assess`: reads the SBOMs, MDS2 form, MUD file and offline vulnerability data of a
//! device model, prints its risk report, and can write the declared profile for the sensor.
//! All file IO of the assessment happens here; `wardwatch_assess` is sans-IO.

use super::InputFailure;
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use wardwatch_assess::{Assessment, InputError, Matcher, Mds2Format, render};

/// Default location of the catalog's advisories (read when present).
pub const DEFAULT_ADVISORIES: &str = "models/advisories.toml";
/// Largest SBOM read.
pub const MAX_SBOM_BYTES: u64 = 64 << 20;
/// Largest MDS2 export read.
pub const MAX_MDS2_BYTES: u64 = 16 << 20;
/// Largest MUD file read.
pub const MAX_MUD_BYTES: u64 = 4 << 20;
/// Largest single vulnerability-data file read (OSV record, CSAF advisory, KEV list).
pub const MAX_VULN_FILE_BYTES: u64 = 32 << 20;
/// Largest advisories file read.
pub const MAX_ADVISORIES_BYTES: u64 = 16 << 20;
/// Deepest folder level walked under `--vulns`.
pub const MAX_VULN_DEPTH: usize = 16;
/// Longest `--model` accepted.
pub const MAX_MODEL_LEN: usize = 128;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Terminal table (100 columns).
    Table,
    /// JSON (stable keys).
    Json,
    /// Markdown for a purchasing file.
    Markdown,
}

/// Validated options of `wardwatch assess`.
#[derive(Clone, Debug)]
pub struct Options {
    /// Device model name.
    pub model: String,
    /// SBOM files.
    pub sboms: Vec<PathBuf>,
    /// MDS2 export.
    pub mds2: Option<PathBuf>,
    /// MUD file.
    pub mud: Option<PathBuf>,
    /// Folder of OSV/CSAF/KEV files.
    pub vulns: Option<PathBuf>,
    /// Catalog advisories; `None` means the default path, skipped when absent.
    pub advisories: Option<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Where to write the expected profile.
    pub write_profile: Option<PathBuf>,
}

fn input(message: impl Into<String>) -> anyhow::Error {
    InputFailure(message.into()).into()
}

fn input_error(e: InputError) -> anyhow::Error {
    input(e.to_string())
}

/// Runs the command.
pub fn run(o: Options) -> Result<()> {
    check_model(&o.model)?;
    if o.sboms.is_empty() && o.mds2.is_none() && o.mud.is_none() && o.vulns.is_none() {
        return Err(input(
            "nothing to assess: give at least one of --sbom, --mds2, --mud, --vulns",
        ));
    }
    let assessment = load_declarations(&o)?;
    let mut matcher = assessment.matcher();
    if let Some(dir) = &o.vulns {
        for path in vuln_files(dir)? {
            let bytes = read_capped(&path, MAX_VULN_FILE_BYTES)?;
            matcher
                .add_file(&label(&path), &bytes)
                .map_err(input_error)?;
        }
    }
    let notes = load_advisories(o.advisories.as_deref(), &mut matcher)?;
    let profile = assessment.expected_profile();
    let report = assessment.finish(matcher.finish());
    if let Some(target) = &o.write_profile {
        let Some(profile) = profile else {
            return Err(input(
                "--write-profile needs a declared profile: give --mud, or an MDS2 form whose CONN-2 note lists ports",
            ));
        };
        write_atomically(target, profile.to_json().as_bytes())
            .with_context(|| format!("writing the expected profile to {}", target.display()))?;
    }
    let text = match o.format {
        Format::Table => render::table(&report),
        Format::Json => render::json(&report),
        Format::Markdown => render::markdown(&report),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .context("writing the report to stdout")?;
    out.flush().context("writing the report to stdout")?;
    for n in notes {
        eprintln!("wardwatch: note: {n}");
    }
    Ok(())
}

/// Reads the SBOMs, the MDS2 form and the MUD file.
fn load_declarations(o: &Options) -> Result<Assessment> {
    let mut assessment = Assessment::new(&o.model);
    for path in &o.sboms {
        let bytes = read_capped(path, MAX_SBOM_BYTES)?;
        assessment
            .add_sbom(&label(path), &bytes)
            .map_err(input_error)?;
    }
    if let Some(path) = &o.mds2 {
        let bytes = read_capped(path, MAX_MDS2_BYTES)?;
        assessment
            .set_mds2(&label(path), mds2_format(path, &bytes), &bytes)
            .map_err(input_error)?;
    }
    if let Some(path) = &o.mud {
        let bytes = read_capped(path, MAX_MUD_BYTES)?;
        assessment
            .set_mud(&label(path), &bytes)
            .map_err(input_error)?;
    }
    Ok(assessment)
}

/// Applies the catalog advisories. A file the user named must read cleanly; the default file is
/// not the user's input, so a problem in it becomes a note on stderr instead of stopping the run.
fn load_advisories(explicit: Option<&Path>, matcher: &mut Matcher) -> Result<Vec<String>> {
    if let Some(path) = explicit {
        let text = read_text(path, MAX_ADVISORIES_BYTES)?;
        matcher
            .add_advisories(&label(path), &text)
            .map_err(input_error)?;
        return Ok(Vec::new());
    }
    let path = Path::new(DEFAULT_ADVISORIES);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let result = read_text(path, MAX_ADVISORIES_BYTES).and_then(|text| {
        matcher
            .add_advisories(DEFAULT_ADVISORIES, &text)
            .map_err(input_error)
    });
    Ok(match result {
        Ok(()) => Vec::new(),
        Err(e) => vec![format!("catalog advisories skipped: {e:#}")],
    })
}

fn check_model(model: &str) -> Result<()> {
    if model.trim().is_empty()
        || model.chars().count() > MAX_MODEL_LEN
        || model.chars().any(char::is_control)
    {
        return Err(input(format!(
            "--model must be 1 to {MAX_MODEL_LEN} printable characters, got {model:?}"
        )));
    }
    Ok(())
}

/// The file name as the user gave it (reports and errors name files this way).
fn label(path: &Path) -> String {
    path.display().to_string()
}

/// `.xlsx` (or zip content) is XLSX, everything else CSV.
fn mds2_format(path: &Path, bytes: &[u8]) -> Mds2Format {
    let by_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if by_name || bytes.starts_with(b"PK\x03\x04") {
        Mds2Format::Xlsx
    } else {
        Mds2Format::Csv
    }
}

fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file =
        File::open(path).map_err(|e| input(format!("{}: cannot open: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| input(format!("{}: cannot read: {e}", path.display())))?;
    if bytes.len() as u64 > limit {
        bail!(InputFailure(format!(
            "{}: larger than the {limit}-byte limit",
            path.display()
        )));
    }
    Ok(bytes)
}

fn read_text(path: &Path, limit: u64) -> Result<String> {
    let bytes = read_capped(path, limit)?;
    String::from_utf8(bytes).map_err(|_| input(format!("{}: not UTF-8 text", path.display())))
}

/// The `.json` files under `dir`, recursively, in sorted order so reports are reproducible.
/// Symbolic links to folders are not followed (no cycles).
fn vuln_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Err(input(format!("--vulns {}: not a folder", dir.display())));
    }
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((current, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|e| input(format!("{}: cannot list: {e}", current.display())))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| input(format!("{}: cannot list: {e}", current.display())))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| input(format!("{}: {e}", path.display())))?;
            if kind.is_dir() {
                if depth < MAX_VULN_DEPTH {
                    stack.push((path, depth + 1));
                }
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                && path.is_file()
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `bytes` to `target` atomically: a temporary file in the same folder, fsync, rename,
/// fsync of the folder. Readers see the old file or the new one, never half of one.
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .context("the target has no file name")?;
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut file =
            File::create(&temp).with_context(|| format!("creating {}", temp.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, target)
            .with_context(|| format!("renaming onto {}", target.display()))?;
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("syncing {}", dir.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("profile.json");
        write_atomically(&target, b"one").unwrap();
        write_atomically(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("profile.json")]);
        assert!(write_atomically(&dir.path().join("missing/x.json"), b"x").is_err());
    }

    #[test]
    fn model_names_and_mds2_formats() {
        assert!(check_model("acme-infusafe-300").is_ok());
        assert!(check_model(" ").is_err());
        assert!(check_model("a\nb").is_err());
        assert_eq!(mds2_format(Path::new("f.XLSX"), b""), Mds2Format::Xlsx);
        assert_eq!(
            mds2_format(Path::new("f.bin"), b"PK\x03\x04rest"),
            Mds2Format::Xlsx
        );
        assert_eq!(
            mds2_format(Path::new("f.csv"), b"ID,Answer"),
            Mds2Format::Csv
        );
    }
}
