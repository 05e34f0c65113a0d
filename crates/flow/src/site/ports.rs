//! Port tables behind the administrative-protocol and remote-access features.

use crate::event::Transport;
use crate::features::Feature;

/// The administrative-protocol feature a TCP flow to `port` on an internal peer counts in.
pub(crate) fn admin_feature(transport: Transport, port: u16) -> Option<Feature> {
    if transport != Transport::Tcp {
        return None;
    }
    Some(match port {
        445 => Feature::AdminSmb,
        3389 => Feature::AdminRdp,
        22 => Feature::AdminSsh,
        23 | 2323 => Feature::AdminTelnet,
        5985 | 5986 => Feature::AdminWinrm,
        5900 => Feature::AdminVnc,
        135 => Feature::AdminRpc,
        139 => Feature::AdminNetbios,
        _ => return None,
    })
}

/// True for remote-access services: RDP 3389, VNC 5900, SSH 22, Telnet 23/2323, TeamViewer
/// 5938, AnyDesk 7070, pcAnywhere 5631 (TCP) / 5632 (UDP), Radmin 4899.
pub(crate) fn is_remote_access(transport: Transport, port: u16) -> bool {
    match transport {
        Transport::Tcp => matches!(
            port,
            3389 | 5900 | 22 | 23 | 2323 | 5938 | 7070 | 5631 | 4899
        ),
        Transport::Udp => matches!(port, 3389 | 5938 | 5632),
        Transport::Icmp | Transport::Other => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        assert_eq!(
            admin_feature(Transport::Tcp, 2323),
            Some(Feature::AdminTelnet)
        );
        assert_eq!(admin_feature(Transport::Udp, 445), None);
        assert_eq!(admin_feature(Transport::Tcp, 80), None);
        assert!(is_remote_access(Transport::Tcp, 7070));
        assert!(is_remote_access(Transport::Udp, 5632));
        assert!(!is_remote_access(Transport::Tcp, 5632));
    }
}
