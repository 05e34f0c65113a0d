//! The port sets the rules and profiles share: administrative protocols (lateral movement),
//! remote-access ports (vendor remote access), authentication services (brute force) and
//! network infrastructure (never beaconing).

/// Administrative protocols used for lateral movement: SMB, NetBIOS session, MS-RPC, RDP,
/// WinRM, SSH, Telnet, VNC.
pub const ADMIN_PORTS: &[u16] = &[22, 23, 135, 139, 445, 2323, 3389, 5900, 5985, 5986];

/// Inbound remote-desktop and remote-support ports: SSH, Telnet, RDP, Radmin, pcAnywhere, VNC,
/// TeamViewer, AnyDesk.
pub const REMOTE_ACCESS_PORTS: &[u16] = &[22, 23, 2323, 3389, 4899, 5631, 5900, 5938, 7070];

/// Authentication services that attract password guessing (brute force defaults).
pub const AUTH_PORTS: &[u16] = &[
    21, 22, 23, 139, 389, 445, 636, 1433, 2323, 3306, 3389, 5432, 5900, 5985, 5986,
];

/// Infrastructure services whose regular polling is expected (never beaconing by default):
/// DNS, DHCP, NTP, NetBIOS name/datagram, SNMP, syslog, DHCPv6, mDNS, SSDP, LLMNR.
pub const INFRASTRUCTURE_PORTS: &[u16] = &[
    53, 67, 68, 123, 137, 138, 161, 162, 514, 546, 547, 1900, 5353, 5355,
];

/// True when `port` is an administrative protocol port.
pub fn is_admin(port: u16) -> bool {
    ADMIN_PORTS.contains(&port)
}

/// True when `port` is a remote-access port.
pub fn is_remote_access(port: u16) -> bool {
    REMOTE_ACCESS_PORTS.contains(&port)
}

/// True when `port` is a network-infrastructure service port.
pub fn is_infrastructure(port: u16) -> bool {
    INFRASTRUCTURE_PORTS.contains(&port)
}

/// Ports at or above `floor` (dynamic/ephemeral ranges) are one bucket in behaviour profiles,
/// stored as `floor` itself, so passive FTP, RPC dynamic ports and media streams do not look new.
pub fn normalise(port: u16, floor: u16) -> u16 {
    if floor > 0 && port >= floor {
        floor
    } else {
        port
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_normalisation() {
        assert!(is_admin(445) && is_admin(3389) && !is_admin(443));
        assert!(is_remote_access(5938) && is_remote_access(7070) && !is_remote_access(445));
        assert!(is_infrastructure(123) && !is_infrastructure(443));
        assert_eq!(normalise(50_000, 32_768), 32_768);
        assert_eq!(normalise(24_105, 32_768), 24_105);
        assert_eq!(normalise(50_000, 0), 50_000);
    }
}
