//! # wardwatch-assess
//!
//! Risk of a device model before it is bought or plugged in, from what its manufacturer
//! discloses: SBOMs (CycloneDX, SPDX), the MDS2 form and a MUD file, matched against
//! vulnerability data kept offline (OSV, CSAF, CISA KEV, the catalog's advisories).
//!
//! Sans-IO: callers read the files and hand over their bytes; nothing here touches the file
//! system or a clock, and the same inputs give byte-identical reports.
//!
//! ```text
//! let mut a = Assessment::new("acme-infusafe-300");
//! a.add_sbom("pump.cdx.json", &bytes)?;            // CycloneDX 1.4–1.6 or SPDX 2.2/2.3
//! a.set_mds2("pump.csv", Mds2Format::Csv, &bytes)?;
//! a.set_mud("pump.mud.json", &bytes)?;
//! let mut m = a.matcher();
//! m.add_file("vulns/osv/CVE-2018-0732.json", &bytes)?; // OSV, CSAF or the KEV list
//! let report = a.finish(m.finish());
//! print!("{}", render::table(&report));
//! ```
//!
//! The risk formula is in [`score`]; the day-one allow-list type is [`profile::ExpectedProfile`].

pub mod error;
pub mod finding;
pub mod identity;
mod json;
pub mod matcher;
pub mod mds2;
pub mod mud;
pub mod profile;
pub mod render;
pub mod report;
pub mod sbom;
pub mod score;
pub mod severity;
pub mod vers;
pub mod version;
pub mod vuln;

pub use error::{InputError, InputKind};
pub use finding::{Finding, FindingStatus};
pub use matcher::{Matcher, Matches, VulnFileKind};
pub use mds2::Mds2Format;
pub use profile::{
    ExpectedProfile, ExpectedRule, Initiator, Observed, PeerKind, PortRange, TransportMatch,
};
pub use report::{Assessment, Report};
