//! Resource records as netkit shows them: the presentation form (as dig
//! and kdig print it) and typed fields for JSON.

use std::net::IpAddr;

use hickory_proto::rr::{RData, Record};
use serde::Serialize;

/// The typed content of a record, for JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum RecordData {
    /// A / AAAA.
    Address {
        /// The address.
        address: IpAddr,
    },
    /// CNAME, PTR, NS.
    Target {
        /// The name pointed to.
        target: String,
    },
    /// MX.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// The mail exchanger.
        exchange: String,
    },
    /// TXT.
    Txt {
        /// Each character-string (lossy UTF-8).
        strings: Vec<String>,
    },
    /// SRV.
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: String,
    },
    /// SOA.
    Soa {
        /// Primary server.
        mname: String,
        /// Responsible mailbox.
        rname: String,
        /// Serial.
        serial: u32,
        /// Refresh.
        refresh: i32,
        /// Retry.
        retry: i32,
        /// Expire.
        expire: i32,
        /// Minimum (negative TTL).
        minimum: u32,
    },
    /// CAA.
    Caa {
        /// The critical flag.
        critical: bool,
        /// issue, issuewild, iodef...
        tag: String,
        /// The value as text.
        value: String,
    },
    /// Anything else: only the text form.
    Other {},
}

/// One resource record, as text and typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Answer {
    /// Owner name, absolute (trailing dot), as on the wire.
    pub name: String,
    /// Record type mnemonic (`A`, `MX`, `TYPE65280`).
    pub rtype: String,
    /// Time to live, seconds.
    pub ttl: u32,
    /// Presentation form of the data.
    pub value: String,
    /// Typed fields.
    pub data: RecordData,
}

fn record_data(rdata: &RData) -> RecordData {
    match rdata {
        RData::A(a) => RecordData::Address {
            address: IpAddr::V4(a.0),
        },
        RData::AAAA(a) => RecordData::Address {
            address: IpAddr::V6(a.0),
        },
        RData::CNAME(n) => RecordData::Target {
            target: n.0.to_string(),
        },
        RData::PTR(n) => RecordData::Target {
            target: n.0.to_string(),
        },
        RData::NS(n) => RecordData::Target {
            target: n.0.to_string(),
        },
        RData::MX(mx) => RecordData::Mx {
            preference: mx.preference,
            exchange: mx.exchange.to_string(),
        },
        RData::TXT(t) => RecordData::Txt {
            strings: t
                .txt_data
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect(),
        },
        RData::SRV(s) => RecordData::Srv {
            priority: s.priority,
            weight: s.weight,
            port: s.port,
            target: s.target.to_string(),
        },
        RData::SOA(s) => RecordData::Soa {
            mname: s.mname.to_string(),
            rname: s.rname.to_string(),
            serial: s.serial,
            refresh: s.refresh,
            retry: s.retry,
            expire: s.expire,
            minimum: s.minimum,
        },
        RData::CAA(c) => {
            let text = c.to_string();
            // Presentation form: FLAGS TAG VALUE
            let mut parts = text.splitn(3, ' ');
            let _flags = parts.next();
            let tag = parts.next().unwrap_or_default().to_string();
            let value = parts
                .next()
                .unwrap_or_default()
                .trim_matches('"')
                .to_string();
            RecordData::Caa {
                critical: c.issuer_critical,
                tag,
                value,
            }
        }
        _ => RecordData::Other {},
    }
}

/// A record as an [`Answer`].
pub fn answer(r: &Record) -> Answer {
    Answer {
        name: r.name.to_string(),
        rtype: r.record_type().to_string(),
        ttl: r.ttl,
        value: r.data.to_string(),
        data: record_data(&r.data),
    }
}
