//! The shipped reference data (catalog, OUI registry, advisories), parsed once per process:
//! the pipeline and detector targets run against what the sensor ships.

use std::sync::OnceLock;
use wardwatch_flow::catalog::Catalog;
use wardwatch_flow::identify::OuiTable;
use wardwatch_flow::identify::advisory::AdvisoryDb;

/// `models/catalog.toml` as shipped.
pub const CATALOG: &str = include_str!("../../models/catalog.toml");
/// `models/oui.tsv` as shipped.
pub const OUI: &str = include_str!("../../models/oui.tsv");
/// `models/advisories.toml` as shipped.
pub const ADVISORIES: &str = include_str!("../../models/advisories.toml");

/// The shipped catalog.
pub fn catalog() -> &'static Catalog {
    static CELL: OnceLock<Catalog> = OnceLock::new();
    CELL.get_or_init(|| Catalog::parse(CATALOG).expect("shipped catalog parses"))
}

/// The shipped OUI registry.
pub fn oui() -> &'static OuiTable {
    static CELL: OnceLock<OuiTable> = OnceLock::new();
    CELL.get_or_init(|| OuiTable::parse(OUI).expect("shipped OUI table parses"))
}

/// The shipped advisories.
pub fn advisories() -> &'static AdvisoryDb {
    static CELL: OnceLock<AdvisoryDb> = OnceLock::new();
    CELL.get_or_init(|| AdvisoryDb::parse(ADVISORIES).expect("shipped advisories parse"))
}
