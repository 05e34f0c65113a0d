//! On-the-wire mechanics: frames, and conversations that turn application messages into
//! correctly sequenced TCP segments or UDP datagrams with packet times.

pub mod conv;
pub mod frame;
pub mod tcp;
pub mod udp;
