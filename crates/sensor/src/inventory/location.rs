//! Where a device is: the configured `[[locations]]` (subnet or VLAN → site and ward) applied to
//! an inventory record.
//!
//! Precedence: entries are tried in the order of the configuration file and the **first** entry
//! that matches wins. A subnet entry matches when any of the device's addresses lies in the
//! subnet; a VLAN entry matches when any of the device's flows was tagged with that (outer)
//! VLAN. Put narrower subnets and VLANs before broader ones.

use crate::config::{Location, LocationMatch};
use serde::Serialize;
use wardwatch_flow::DeviceRecord;

/// A device's site and ward, as the inventory shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SiteWard {
    /// Site (hospital, building).
    pub site: String,
    /// Ward or department.
    pub ward: String,
}

/// The location of `record`: the first configured entry that matches it, if any.
pub fn locate(record: &DeviceRecord, locations: &[Location]) -> Option<SiteWard> {
    locations
        .iter()
        .find(|location| matches(record, &location.matches))
        .map(|location| SiteWard {
            site: location.site.clone(),
            ward: location.ward.clone(),
        })
}

fn matches(record: &DeviceRecord, what: &LocationMatch) -> bool {
    match what {
        LocationMatch::Subnet(net) => record.ips.iter().any(|ip| net.contains(ip)),
        LocationMatch::Vlan(vlan) => record.vlans.contains(vlan),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::testkit::record;

    fn location(matches: LocationMatch, ward: &str) -> Location {
        Location {
            matches,
            site: "St Mary".into(),
            ward: ward.into(),
        }
    }

    #[test]
    fn the_first_matching_entry_wins() {
        let locations = [
            location(LocationMatch::Vlan(30), "ICU"),
            location(
                LocationMatch::Subnet("10.1.0.0/16".parse().unwrap()),
                "Radiology",
            ),
            location(
                LocationMatch::Subnet("10.1.2.0/24".parse().unwrap()),
                "never",
            ),
            location(
                LocationMatch::Subnet("10.0.0.0/8".parse().unwrap()),
                "Campus",
            ),
        ];
        let mut r = record("00:09:fb:00:00:01", &["10.1.2.3"]);
        assert_eq!(locate(&r, &locations).unwrap().ward, "Radiology");
        r.vlans = vec![12, 30];
        assert_eq!(
            locate(&r, &locations).unwrap(),
            SiteWard {
                site: "St Mary".into(),
                ward: "ICU".into()
            }
        );
        let r = record("00:09:fb:00:00:02", &["10.9.0.1"]);
        assert_eq!(locate(&r, &locations).unwrap().ward, "Campus");
        let r = record("00:09:fb:00:00:03", &["192.168.1.1"]);
        assert_eq!(locate(&r, &locations), None);
        assert_eq!(locate(&r, &[]), None);
    }

    #[test]
    fn any_address_of_the_device_can_match() {
        let locations = [location(
            LocationMatch::Subnet("fd00:1::/64".parse().unwrap()),
            "Lab",
        )];
        let r = record("00:09:fb:00:00:01", &["10.0.0.1", "fd00:1::5"]);
        assert_eq!(locate(&r, &locations).unwrap().ward, "Lab");
    }
}
