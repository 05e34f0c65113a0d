//! The site model: everything known about the stations of the monitored networks. Consumes
//! [`Observation`]s (from packet decoding today, from flow records later) and keeps the device
//! table, the open windows, the address book, infrastructure and periodicity; closes windows
//! into [`Event::Window`] and runs identification when evidence changed.

mod close;
mod flows;
mod frames;
mod ports;

use crate::arp::AddressBook;
use crate::device::{DeviceTable, DeviceTableConfig, WindowCtx};
use crate::event::{Event, PeerRole, Transport};
use crate::identify::Identifier;
use crate::ids::DeviceId;
use crate::infra::{Infrastructure, is_infrastructure_port};
use crate::nets::{InternalNets, is_group};
use crate::observe::{FlowEnd, FlowObs, FlowRoles, Observation};
use crate::periodicity::PeriodTable;
use crate::time::{Span, Timestamp};
use crate::window::Windows;
use serde::Serialize;

/// Counters of the site model that are not kept by its parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SiteStats {
    /// Device windows emitted.
    pub windows_emitted: u64,
    /// Evidence values a device's set refused (its kind was full).
    pub evidence_dropped: u64,
    /// Facts about a station that is not a device (external, unknown).
    pub facts_unrouted: u64,
    /// Identification runs.
    pub identifications: u64,
}

/// The site model.
#[derive(Debug)]
pub(crate) struct Site {
    pub(crate) nets: InternalNets,
    pub(crate) devices: DeviceTable,
    pub(crate) windows: Windows,
    pub(crate) book: AddressBook,
    pub(crate) infra: Infrastructure,
    pub(crate) periods: PeriodTable,
    identifier: Identifier,
    pub(crate) stats: SiteStats,
}

/// Whether a MAC forwards traffic for others: a recognised gateway or a device seen routing.
fn forwarder<'a>(
    infra: &'a Infrastructure,
    devices: &'a DeviceTable,
) -> impl Fn(crate::ids::MacAddr) -> bool + 'a {
    move |mac| infra.is_gateway(mac) || devices.get(&DeviceId::Mac(mac)).is_some_and(|d| d.router)
}

impl Site {
    pub(crate) fn new(
        nets: InternalNets,
        config: &DeviceTableConfig,
        window: Span,
        grace: Span,
        identifier: Identifier,
    ) -> Self {
        Site {
            nets,
            devices: DeviceTable::new(config.clone()),
            windows: Windows::new(window, grace),
            book: AddressBook::new(config.max_arp_bindings, config.arp_takeover_after),
            infra: Infrastructure::new(),
            periods: PeriodTable::new(config.max_periodic_trackers),
            identifier,
            stats: SiteStats::default(),
        }
    }

    /// Consumes one observation. For [`Observation::FlowStarted`] and
    /// [`Observation::FlowPackets`] returns the flow's peer roles as assigned so far (store them
    /// and pass them back on later observations of the flow); a side's role is set once that
    /// side is a device and its part of the flow has been counted.
    pub(crate) fn observe(&mut self, obs: &Observation<'_>, events: &mut Vec<Event>) -> FlowRoles {
        match *obs {
            Observation::FlowStarted { flow, first_sender } => {
                return self.flow_started(flow, first_sender);
            }
            Observation::FlowPackets {
                ts,
                flow,
                from_initiator,
                packets,
                bytes,
                link_group,
            } => {
                let counted = (packets, bytes);
                return self.flow_packets(ts, flow, from_initiator, counted, link_group, events);
            }
            Observation::Answered { ts, flow } => self.answered(ts, flow),
            Observation::TwoWay { ts, flow, side } => self.two_way(ts, flow, side, events),
            Observation::Failed { ts, flow, .. } => self.failed(ts, flow),
            Observation::Ended {
                flow,
                initiator_bytes,
                ..
            } => self.ended(flow, initiator_bytes),
            Observation::Frame {
                ts,
                src,
                dst,
                bytes,
                link_group,
            } => self.frame(ts, src, dst, bytes, link_group),
            Observation::Arp {
                ts,
                src_mac,
                dst_mac,
                arp,
                bytes,
                link_group,
            } => self.arp(ts, (src_mac, dst_mac), arp, bytes, link_group, events),
            Observation::Fact { ts, src, dst, fact } => self.fact(ts, src, dst, fact),
            Observation::DhcpLease { ts, mac, ip } => self.lease(ts, mac, ip, events),
        }
        FlowRoles::default()
    }

    /// Runs `f` on the device's accumulator for window `index`, registering a new one.
    fn with_window<R>(
        &mut self,
        id: DeviceId,
        index: u64,
        f: impl FnOnce(&mut WindowCtx<'_>) -> R,
    ) -> Option<R> {
        let mut ctx = self.devices.window(&id, index)?;
        let created = ctx.created;
        let out = f(&mut ctx);
        if created {
            let listed = self.windows.register(index, id);
            // Evicted devices leave their ids in the window's list until it closes: under a
            // spoofed-source flood the list grew by one id per new source without bound (found
            // by the SYN-flood soak, tests/e2e/soak.rs). Once it lists twice as many ids as the
            // device table holds devices, the stale ones are dropped (amortised O(1)).
            if listed > self.devices.capacity().saturating_mul(2) {
                let devices = &self.devices;
                self.windows
                    .retain(index, |id| devices.has_window(id, index));
            }
        }
        Some(out)
    }

    /// The role of `peer` seen from `device`; `outbound` when the device started the flow.
    fn role(
        &self,
        device: Option<DeviceId>,
        peer: &FlowEnd,
        flow: &FlowObs,
        outbound: bool,
    ) -> PeerRole {
        if is_group(peer.ip) {
            return PeerRole::Multicast;
        }
        if !self.nets.is_internal_unicast(peer.ip) {
            return PeerRole::External;
        }
        // Outbound to a DNS/DHCP/NTP port the peer serves infrastructure; inbound from UDP 67
        // it is a DHCP server sending an offer or acknowledgement.
        let dhcp_server = !outbound && flow.transport == Transport::Udp && peer.port == 67;
        if dhcp_server || (outbound && is_infrastructure_port(flow.transport, flow.service_port()))
        {
            return PeerRole::Infrastructure;
        }
        // The gateway's own address is bound to a gateway MAC (by ARP); routed internal peers
        // also arrive through that MAC but are not bound to it, so the link MAC is not used.
        if self
            .book
            .mac_of(peer.ip)
            .is_some_and(|m| self.infra.is_gateway(m))
        {
            return PeerRole::Infrastructure;
        }
        let own_model = device
            .and_then(|id| self.devices.get(&id))
            .and_then(|d| d.identity.model.as_ref());
        let peer_model = self
            .devices
            .by_ip(peer.ip)
            .and_then(|d| d.identity.model.as_ref());
        if own_model.is_some() && own_model == peer_model {
            return PeerRole::SameModel;
        }
        if outbound {
            PeerRole::InternalServer
        } else {
            PeerRole::InternalClient
        }
    }

    /// Closes every window due at `now`.
    pub(crate) fn advance(&mut self, now: Timestamp, events: &mut Vec<Event>) {
        while let Some(window) = self.windows.pop_due(now) {
            self.close(window, events);
        }
    }

    /// Closes every open window (end of input).
    pub(crate) fn close_all(&mut self, events: &mut Vec<Event>) {
        while let Some(window) = self.windows.pop_any() {
            self.close(window, events);
        }
    }
}
