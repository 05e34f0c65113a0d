//! # wardwatch-assess
//!
//! Risk of a device model before it is bought or plugged in, from what its manufacturer
//! discloses: SBOMs (CycloneDX, SPDX), the MDS2 form and a MUD file, matched against
//! vulnerability data kept offline (OSV, CSAF, the catalog's advisories).
