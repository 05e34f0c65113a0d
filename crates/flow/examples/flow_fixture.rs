//! Writes `fixtures/flow/basic.pcap` from the deterministic scenario in
//! `tests/support/fixture.rs`. Run from the workspace root:
//! `cargo run -p wardwatch-flow --example flow_fixture [OUTPUT]`.

#[path = "../tests/support/packets.rs"]
mod packets;

#[path = "../tests/support/fixture.rs"]
mod fixture;

use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/flow/basic.pcap".to_owned());
    match write(&out) {
        Ok(count) => {
            println!("wrote {count} packets to {out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("writing {out}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(path: &str) -> Result<usize, pcap::Error> {
    let dead = pcap::Capture::dead(pcap::Linktype::ETHERNET)?;
    let mut file = dead.savefile(path)?;
    let frames = fixture::basic();
    for (micros, data) in &frames {
        let header = pcap::PacketHeader {
            ts: libc::timeval {
                tv_sec: (micros / 1_000_000) as libc::time_t,
                tv_usec: (micros % 1_000_000) as libc::suseconds_t,
            },
            caplen: data.len() as u32,
            len: data.len() as u32,
        };
        file.write(&pcap::Packet::new(&header, data));
    }
    file.flush()?;
    Ok(frames.len())
}
