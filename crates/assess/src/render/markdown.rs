//! Markdown for a purchasing file.

use super::*;
use std::fmt::Write;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    summary(r, &mut out);
    inputs(r, &mut out);
    findings(r, &mut out);
    capabilities(r, &mut out);
    details(r, &mut out);
    profile(r, &mut out);
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "## Warnings\n");
        for w in &r.warnings {
            let _ = writeln!(out, "- {}", cell(w));
        }
        let _ = writeln!(out);
    }
    out
}

fn summary(r: &Report, out: &mut String) {
    let _ = writeln!(out, "# Security risk assessment: {}\n", cell(&r.model));
    let _ = writeln!(
        out,
        "**Risk score: {:.1} / 100 ({})**\n",
        r.score.total,
        format!("{:?}", r.score.rating).to_lowercase()
    );
    let _ = writeln!(out, "| Part | Points | Max |\n|---|---:|---:|");
    for p in &r.score.parts {
        let _ = writeln!(
            out,
            "| {} | {:.1} | {:.0} |",
            part_title(p.part),
            p.points,
            p.max
        );
    }
    let _ = writeln!(out, "| **total** | **{:.1}** | 100 |\n", r.score.total);
    let _ = writeln!(
        out,
        "Network exposure: {} ({}).\n",
        r.score.network_exposure.name(),
        cell(&r.score.network_reason)
    );
}

fn inputs(r: &Report, out: &mut String) {
    let _ = writeln!(out, "## Inputs\n");
    for s in &r.inputs.sboms {
        let _ = writeln!(
            out,
            "- SBOM `{}` ({} {}, {} components)",
            s.file,
            s.format.name(),
            s.spec_version,
            s.components
        );
    }
    if let Some(f) = &r.inputs.mds2 {
        let _ = writeln!(out, "- MDS2 form `{f}`");
    }
    if let Some(f) = &r.inputs.mud {
        let _ = writeln!(out, "- MUD file `{f}`");
    }
    let v = &r.inputs.vulnerability_data;
    let _ = writeln!(
        out,
        "- Vulnerability data: OSV records {}, CSAF advisories {} (vulnerabilities {}), KEV entries {}, catalog advisories {}\n",
        v.osv_records,
        v.csaf_documents,
        v.csaf_vulnerabilities,
        v.kev_entries,
        v.catalog_advisories
    );
}

fn findings(r: &Report, out: &mut String) {
    let _ = writeln!(out, "## Findings\n");
    if r.findings.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let _ = writeln!(
            out,
            "| ID | Status | Component | CVSS | AV | Known exploited | Fixed in | Points | Path |\n|---|---|---|---:|---|---|---|---:|---|"
        );
        for f in &r.findings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&f.id),
                status_label(f.status),
                cell(&component_label(f)),
                cvss_label(f),
                av_label(f),
                if f.known_exploited {
                    cell(&f.exploited_evidence.join("; "))
                } else {
                    "no".into()
                },
                cell(&fixed_label(f)),
                points_label(f),
                cell(&f.path.join(" → "))
            );
        }
        let notes: Vec<&Finding> = r.findings.iter().filter(|f| f.reason.is_some()).collect();
        if !notes.is_empty() {
            let _ = writeln!(out);
            for f in notes {
                let _ = writeln!(
                    out,
                    "- {} on {}: {}",
                    cell(&f.id),
                    cell(&component_label(f)),
                    cell(f.reason.as_deref().unwrap_or_default())
                );
            }
        }
        let _ = writeln!(out);
    }
}

fn capabilities(r: &Report, out: &mut String) {
    let _ = writeln!(out, "## Security capabilities (MDS2)\n");
    let _ = writeln!(
        out,
        "| Capability | State | Points | Max | Answers |\n|---|---|---:|---:|---|"
    );
    for c in &r.score.capabilities {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {:.0} | {} |",
            c.capability.name(),
            format!("{:?}", c.state).to_lowercase(),
            c.points,
            c.max,
            cell(&c.answers.join(", "))
        );
    }
}

fn details(r: &Report, out: &mut String) {
    let _ = writeln!(out, "\n## Score details\n");
    for p in &r.score.parts {
        let _ = writeln!(
            out,
            "**{}** ({:.1} of {:.0})\n",
            part_title(p.part),
            p.points,
            p.max
        );
        for d in &p.details {
            let _ = writeln!(out, "- {}", cell(d));
        }
        let _ = writeln!(out);
    }
}

fn profile(r: &Report, out: &mut String) {
    let _ = writeln!(out, "## Declared network profile\n");
    match &r.expected_profile {
        None => {
            let _ = writeln!(out, "None declared (no MUD file, no MDS2 port list).\n");
        }
        Some(p) => {
            let _ = writeln!(out, "| Rule | Source |\n|---|---|");
            for rule in &p.rules {
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    cell(&rule_text(rule)),
                    cell(&rule.source)
                );
            }
            let _ = writeln!(out);
        }
    }
}
