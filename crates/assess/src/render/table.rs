//! The terminal table.

use super::*;
use crate::score::CapabilityState;
use std::fmt::Write;

/// Renders the report for a terminal, every line at most [`WIDTH`] columns.
pub fn table(r: &Report) -> String {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(wrap("wardwatch assess: ", &r.model, WIDTH));
    lines.push(
        format!(
            "Risk score {:.1} / 100 ({:?})",
            r.score.total, r.score.rating
        )
        .to_lowercase(),
    );
    lines.push(String::new());
    lines.push(format!("{:<34}{:>8}{:>7}", "PART", "POINTS", "MAX"));
    for p in &r.score.parts {
        lines.push(format!(
            "{:<34}{:>8.1}{:>7.0}",
            part_title(p.part),
            p.points,
            p.max
        ));
    }
    lines.push(format!("{:<34}{:>8.1}{:>7}", "total", r.score.total, 100));
    lines.push(String::new());
    lines.extend(wrap(
        "Network exposure: ",
        &format!(
            "{} ({})",
            r.score.network_exposure.name(),
            r.score.network_reason
        ),
        WIDTH,
    ));
    findings(r, &mut lines);
    capabilities(r, &mut lines);
    breakdown(r, &mut lines);
    profile(r, &mut lines);
    if !r.warnings.is_empty() {
        lines.push(String::new());
        lines.push("WARNINGS".into());
        for w in &r.warnings {
            lines.extend(wrap("- ", w, WIDTH));
        }
    }
    let mut out = String::new();
    for l in lines {
        let _ = writeln!(out, "{}", l.trim_end());
    }
    out
}

fn findings(r: &Report, lines: &mut Vec<String>) {
    let count = |s: FindingStatus| r.findings.iter().filter(|f| f.status == s).count();
    lines.push(String::new());
    lines.push(format!(
        "FINDINGS ({} affected, {} unknown applicability, {} not affected)",
        count(FindingStatus::Affected),
        count(FindingStatus::UnknownApplicability),
        count(FindingStatus::NotAffected)
    ));
    if r.findings.is_empty() {
        lines.push("none".into());
        return;
    }
    lines.push(format!(
        "{:<17}{:<13}{:<22}{:>5} {:<3}{:<4}{:<24}{:>7}",
        "ID", "STATUS", "COMPONENT", "CVSS", "AV", "KEV", "FIXED IN", "POINTS"
    ));
    for f in &r.findings {
        lines.push(format!(
            "{:<17}{:<13}{:<22}{:>5} {:<3}{:<4}{:<24}{:>7}",
            fit(&f.id, 16),
            status_label(f.status),
            fit(&component_label(f), 21),
            cvss_label(f),
            av_label(f),
            if f.known_exploited { "yes" } else { "-" },
            fit(&fixed_label(f), 23),
            points_label(f)
        ));
        if !f.path.is_empty() {
            lines.extend(wrap("    path: ", &f.path.join(" > "), WIDTH));
        }
        if let Some(reason) = &f.reason {
            lines.extend(wrap("    reason: ", reason, WIDTH));
        }
        if !f.exploited_evidence.is_empty() {
            lines.extend(wrap(
                "    exploited: ",
                &f.exploited_evidence.join("; "),
                WIDTH,
            ));
        }
        if let Some(c) = f.cvss.as_ref().filter(|c| c.stated_score_mismatch) {
            lines.extend(wrap(
                "    cvss: ",
                &format!(
                    "stated {} but the vector {} scores {}",
                    c.stated_score.unwrap_or_default(),
                    c.vector,
                    c.base_score
                ),
                WIDTH,
            ));
        }
        if let Some(rem) = &f.remediation {
            lines.extend(wrap("    remediation: ", rem, WIDTH));
        }
    }
}

fn capabilities(r: &Report, lines: &mut Vec<String>) {
    lines.push(String::new());
    lines.push(format!(
        "{:<30}{:<16}{:>7}  {}",
        "CAPABILITY (MDS2)", "STATE", "POINTS", "ANSWERS"
    ));
    for c in &r.score.capabilities {
        let state = match c.state {
            CapabilityState::Present => "present",
            CapabilityState::Partial => "partial",
            CapabilityState::Absent => "absent",
            CapabilityState::Unknown => "unknown",
            CapabilityState::NotApplicable => "n/a",
        };
        let head = format!(
            "{:<30}{:<16}{:>7.2}  ",
            c.capability.name(),
            state,
            c.points
        );
        lines.extend(wrap(&head, &c.answers.join(", "), WIDTH));
    }
}

fn breakdown(r: &Report, lines: &mut Vec<String>) {
    for p in &r.score.parts {
        if p.part == "missing_capabilities" {
            continue;
        }
        lines.push(String::new());
        lines.push(format!(
            "{} ({:.1} of {:.0})",
            part_title(p.part).to_uppercase(),
            p.points,
            p.max
        ));
        for d in &p.details {
            lines.extend(wrap("  ", d, WIDTH));
        }
    }
}

fn profile(r: &Report, lines: &mut Vec<String>) {
    lines.push(String::new());
    let Some(p) = &r.expected_profile else {
        lines.push("EXPECTED PROFILE: none declared (no MUD file, no MDS2 port list)".into());
        return;
    };
    lines.push(format!(
        "EXPECTED PROFILE ({} rules, day-one allow-list)",
        p.rules.len()
    ));
    for rule in &p.rules {
        lines.extend(wrap(
            "  ",
            &format!("{} ({})", rule_text(rule), rule.source),
            WIDTH,
        ));
    }
}
