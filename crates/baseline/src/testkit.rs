//! Builders for tests that drive the baseline without the flow pipeline: device windows and
//! events made by hand, and a deterministic synthetic fleet of infusion pumps for training.
//! Public so the sensor's tests can use them too; nothing here is used at run time.

use std::net::{IpAddr, Ipv4Addr};
use wardwatch_flow::event::{
    Direction, PeerRole, PeerSummary, Periodic, RemoteExec, RemoteExecKind, ServiceUse, Transport,
};
use wardwatch_flow::{
    DeviceId, DeviceRef, Event, Feature, FeatureVector, Identity, MacAddr, ModelId, Timestamp,
    WindowFeatures,
};

/// A locally administered MAC numbered `n`: 02:00:nn:nn:nn:nn.
pub fn mac(n: u32) -> MacAddr {
    let b = n.to_be_bytes();
    MacAddr([0x02, 0x00, b[0], b[1], b[2], b[3]])
}

/// The internal address of device `n`: 10.(n>>8 & 255).(n & 255).10, unique for n < 65536.
pub fn ip(n: u32) -> IpAddr {
    let b = n.to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(10, b[2], b[3], 10))
}

/// Device `n` as the flow crate names it.
pub fn device(n: u32) -> DeviceRef {
    DeviceRef {
        id: DeviceId::Mac(mac(n)),
        mac: Some(mac(n)),
        ip: Some(ip(n)),
    }
}

/// A peer summary with only the address set.
pub fn peer_summary(ip: &str, internal: bool) -> PeerSummary {
    PeerSummary {
        ip: ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        internal,
        ports: Vec::new(),
        flows_out: 0,
        flows_in: 0,
        failed: 0,
        bytes_out: 0,
        bytes_in: 0,
    }
}

/// Builds one [`WindowFeatures`].
#[derive(Clone, Debug)]
pub struct WindowBuilder {
    w: WindowFeatures,
}

impl WindowBuilder {
    /// An established, unidentified device `device` with an empty 60 s window at `start_secs`.
    pub fn new(device_n: u32, start_secs: u64) -> WindowBuilder {
        WindowBuilder {
            w: WindowFeatures {
                device: device(device_n),
                identity: Identity::default(),
                established: true,
                window_start: Timestamp::from_secs(start_secs),
                window_secs: 60,
                features: FeatureVector::default(),
                services: Vec::new(),
                services_truncated: 0,
                peers: Vec::new(),
                periodic: Vec::new(),
                remote_exec: Vec::new(),
            },
        }
    }

    /// Sets the identified model and class (confidence 0.9).
    pub fn model(mut self, model: &str, class: &str) -> Self {
        self.w.identity.model = Some(ModelId::from(model));
        self.w.identity.class = Some(class.to_owned());
        self.w.identity.confidence = 0.9;
        self
    }

    /// Sets only the class guess (no model).
    pub fn class(mut self, class: &str) -> Self {
        self.w.identity.class = Some(class.to_owned());
        self
    }

    /// Sets the window length in seconds.
    pub fn secs(mut self, secs: u32) -> Self {
        self.w.window_secs = secs;
        self
    }

    /// Sets whether the device is established.
    pub fn established(mut self, established: bool) -> Self {
        self.w.established = established;
        self
    }

    /// Sets one feature.
    pub fn feature(mut self, feature: Feature, value: f64) -> Self {
        self.w.features.set(feature, value);
        self
    }

    /// Adds one service combination.
    pub fn service(
        mut self,
        direction: Direction,
        role: PeerRole,
        proto: Transport,
        port: u16,
        flows: u32,
        bytes: u64,
    ) -> Self {
        self.w.services.push(ServiceUse {
            direction,
            role,
            proto,
            port,
            flows,
            bytes,
        });
        self
    }

    /// Adds a peer summary.
    pub fn peer(mut self, peer: PeerSummary) -> Self {
        self.w.peers.push(peer);
        self
    }

    /// Adds a beacon candidate.
    pub fn periodic(mut self, periodic: Periodic) -> Self {
        self.w.periodic.push(periodic);
        self
    }

    /// Adds remote-execution evidence towards `peer`.
    pub fn remote_exec(mut self, peer: &str, kind: RemoteExecKind) -> Self {
        self.w.remote_exec.push(RemoteExec {
            peer: peer.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            kind,
        });
        self
    }

    /// The window.
    pub fn build(self) -> WindowFeatures {
        self.w
    }

    /// The window as a pipeline event.
    pub fn event(self) -> Event {
        Event::Window(Box::new(self.w))
    }
}

/// A deterministic synthetic fleet of one device model.
#[derive(Clone, Debug)]
pub struct FleetSpec {
    /// Catalog model id.
    pub model: String,
    /// Device class.
    pub class: String,
    /// Number of the first device (devices are numbered consecutively).
    pub first_device: u32,
    /// Devices in the fleet.
    pub devices: u32,
    /// Days of windows.
    pub days: u32,
    /// Window length in seconds.
    pub window_secs: u32,
    /// Packet time of the first window, seconds.
    pub start_secs: u64,
    /// Seed of the jitter.
    pub seed: u64,
    /// How much busier the day (07:00–19:00 UTC) is than the night.
    pub day_factor: f64,
}

impl FleetSpec {
    /// An infusion-pump fleet (`bd-alaris-pcu-8015`) starting 2026-01-05 00:00 UTC.
    pub fn pumps(devices: u32, days: u32, window_secs: u32) -> FleetSpec {
        FleetSpec {
            model: "bd-alaris-pcu-8015".into(),
            class: "infusion_pump".into(),
            first_device: 1,
            devices,
            days,
            window_secs,
            start_secs: 1_767_571_200,
            seed: 7,
            day_factor: 3.0,
        }
    }

    /// Windows per device.
    pub fn windows_per_device(&self) -> u64 {
        u64::from(self.days) * 86_400 / u64::from(self.window_secs.max(1))
    }
}

/// splitmix64: a tiny deterministic hash for test jitter.
pub fn jitter(seed: u64, a: u64, b: u64) -> f64 {
    let mut z = seed
        .wrapping_add(a.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(b.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The server every pump of the fleet talks to.
pub const PUMP_SERVER: &str = "10.20.0.5";

/// One normal pump window: a heartbeat to the pump server on 443, DNS now and then, NTP every
/// ~16 windows, `day_factor` times more work between 07:00 and 19:00 UTC than at night.
pub fn pump_window(spec: &FleetSpec, device_n: u32, index: u64) -> WindowFeatures {
    let start = spec.start_secs + index * u64::from(spec.window_secs);
    let hour = (start % 86_400) / 3600;
    let day = (7..19).contains(&hour);
    let r = |k: u64| jitter(spec.seed, u64::from(device_n) * 1_000_003 + index, k);
    let scale = f64::from(spec.window_secs) / 60.0;
    let heartbeats = ((if day { spec.day_factor } else { 1.0 } + 2.0 * r(1)) * scale)
        .round()
        .max(1.0);
    let bytes_out = heartbeats * (500.0 + 300.0 * r(2));
    let bytes_in = heartbeats * (700.0 + 400.0 * r(3));
    let dns = if r(4) < 0.3 { 1.0 } else { 0.0 };
    let ntp = if r(5) < 1.0 / 16.0 { 1.0 } else { 0.0 };
    let packets_out = heartbeats * 6.0 + dns * 1.0 + ntp;
    let packets_in = heartbeats * 5.0 + dns + ntp;
    let mut b = WindowBuilder::new(device_n, start)
        .model(&spec.model, &spec.class)
        .secs(spec.window_secs)
        .feature(Feature::PacketsOut, packets_out)
        .feature(Feature::PacketsIn, packets_in)
        .feature(Feature::BytesOut, bytes_out + dns * 70.0 + ntp * 90.0)
        .feature(Feature::BytesIn, bytes_in + dns * 120.0 + ntp * 90.0)
        .feature(Feature::FlowsInitiated, heartbeats + dns + ntp)
        .feature(Feature::InternalPeers, 1.0 + dns.max(ntp))
        .feature(Feature::DstPorts, 1.0 + dns + ntp)
        .feature(Feature::DnsQueries, dns)
        .feature(Feature::Periodicity, 0.85 + 0.1 * r(6))
        .feature(Feature::MeanPacketSize, bytes_out / packets_out.max(1.0))
        .service(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            443,
            heartbeats as u32,
            (bytes_out + bytes_in) as u64,
        );
    let mut server = peer_summary(PUMP_SERVER, true);
    server.ports = vec![443];
    server.flows_out = heartbeats as u32;
    server.bytes_out = bytes_out as u64;
    server.bytes_in = bytes_in as u64;
    b = b.peer(server);
    if dns > 0.0 {
        b = b.service(
            Direction::Outbound,
            PeerRole::Infrastructure,
            Transport::Udp,
            53,
            1,
            190,
        );
    }
    if ntp > 0.0 {
        b = b.service(
            Direction::Outbound,
            PeerRole::Infrastructure,
            Transport::Udp,
            123,
            1,
            180,
        );
    }
    b.build()
}

/// Every window of a fleet, device by device in time order.
pub fn fleet_windows(spec: &FleetSpec) -> Vec<WindowFeatures> {
    let per = spec.windows_per_device();
    let mut out = Vec::new();
    for d in 0..spec.devices {
        let n = spec.first_device + d;
        out.extend((0..per).map(|i| pump_window(spec, n, i)));
    }
    out
}

/// A periodic beacon candidate.
pub fn beacon(ip: &str, port: u16, internal: bool, connections: u32, score: f64) -> Periodic {
    Periodic {
        ip: ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        port,
        proto: Transport::Tcp,
        internal,
        connections,
        interval_s: 60.0,
        score,
        bytes_per_connection: 600,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_is_deterministic_and_sized() {
        let spec = FleetSpec::pumps(2, 1, 300);
        let a = fleet_windows(&spec);
        assert_eq!(a.len(), 2 * 288);
        assert_eq!(a, fleet_windows(&spec));
        assert_eq!(a[0].device.id, DeviceId::Mac(mac(1)));
        assert!(a[0].features.get(Feature::FlowsInitiated) >= 1.0);
        assert_eq!(ip(258).to_string(), "10.1.2.10");
    }
}
