//! Renderers: a table for the terminal (every line at most [`WIDTH`] columns), Markdown for a
//! purchasing file, and JSON (the [`Report`] serialised, keys documented in docs/assessment.md).

mod markdown;
mod table;

pub use markdown::markdown;
pub use table::table;

use crate::finding::{Finding, FindingStatus};
use crate::profile::{ExpectedRule, Initiator, PeerKind, TransportMatch};
use crate::report::Report;
use crate::severity::AttackVector;

/// Widest line the table renderer writes.
pub const WIDTH: usize = 100;

/// The report as JSON.
pub fn json(report: &Report) -> String {
    report.to_json()
}

fn part_title(part: &str) -> &'static str {
    match part {
        "vulnerability_exposure" => "vulnerability exposure",
        "missing_capabilities" => "missing security capabilities",
        "remote_service" => "remote-service exposure",
        "end_of_support" => "end of support",
        "sbom_completeness" => "SBOM completeness",
        _ => "other",
    }
}

fn status_label(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Affected => "affected",
        FindingStatus::UnknownApplicability => "unknown",
        FindingStatus::NotAffected => "not affected",
    }
}

fn av_label(f: &Finding) -> &'static str {
    match f.cvss.as_ref().map(|c| c.attack_vector) {
        Some(AttackVector::Network) => "N",
        Some(AttackVector::Adjacent) => "A",
        Some(AttackVector::Local) => "L",
        Some(AttackVector::Physical) => "P",
        None => "-",
    }
}

fn cvss_label(f: &Finding) -> String {
    f.cvss
        .as_ref()
        .map_or("-".into(), |c| format!("{:.1}", c.base_score))
}

fn component_label(f: &Finding) -> String {
    match &f.component.version {
        Some(v) => format!("{} {}", f.component.name, v),
        None => f.component.name.clone(),
    }
}

fn fixed_label(f: &Finding) -> String {
    if f.fixed_versions.is_empty() {
        "-".into()
    } else {
        f.fixed_versions.join(", ")
    }
}

fn points_label(f: &Finding) -> String {
    f.score
        .as_ref()
        .map_or("-".into(), |s| format!("{:.2}", s.points))
}

/// One rule as text: `from-device tcp/443 external updates.example [class]`.
pub fn rule_text(r: &ExpectedRule) -> String {
    let direction = match r.direction {
        Initiator::FromDevice => "from-device",
        Initiator::ToDevice => "to-device",
    };
    let transport = match r.transport {
        TransportMatch::Tcp => "tcp",
        TransportMatch::Udp => "udp",
        TransportMatch::Icmp => "icmp",
        TransportMatch::Other => "ip",
        TransportMatch::Any => "any",
    };
    let ports = match r.ports {
        None => "any".to_owned(),
        Some(p) if p.first == p.last => p.first.to_string(),
        Some(p) => format!("{}-{}", p.first, p.last),
    };
    let peer = match r.peer {
        PeerKind::Internal => "internal",
        PeerKind::External => "external",
        PeerKind::Any => "any peer",
    };
    let mut text = format!("{direction} {transport}/{ports} {peer}");
    if let Some(n) = &r.dns_name {
        text.push_str(&format!(" {n}"));
    }
    if let Some(c) = &r.peer_class {
        text.push_str(&format!(" [{c}]"));
    }
    text
}

/// Cuts `text` to `width` characters, ending with `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Wraps `text` at word boundaries into lines of at most `width` characters, the first prefixed
/// with `first`, the rest indented to the same width.
fn wrap(first: &str, text: &str, width: usize) -> Vec<String> {
    let indent = " ".repeat(first.chars().count());
    let room = width.saturating_sub(indent.len()).max(10);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let word = fit(word, room);
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{first}{l}")
            } else {
                format!("{indent}{l}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_and_fit_respect_the_width() {
        let lines = wrap("  reason: ", &"word ".repeat(40), 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert!(lines[1].starts_with("          word"));
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(wrap("x: ", &"y".repeat(50), 20)[0].chars().count(), 20);
    }
}
