//! Resource records as netkit shows them: the presentation form (as dig
//! and kdig print it) and typed fields for JSON.

use std::net::IpAddr;

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
    /// TXT and SPF.
    Txt {
        /// Each character-string, escaped as inside dig's quotes: `\"`,
        /// `\\`, and `\DDD` for bytes outside printable ASCII (lossless).
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
        refresh: u32,
        /// Retry.
        retry: u32,
        /// Expire.
        expire: u32,
        /// Minimum (negative TTL).
        minimum: u32,
    },
    /// CAA.
    Caa {
        /// The critical flag.
        critical: bool,
        /// issue, issuewild, iodef...
        tag: String,
        /// The value, escaped as inside dig's quotes.
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
    /// The owner in Unicode, beside the wire form, when it is an IDN
    /// (`xn--` labels that decode); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_unicode: Option<String>,
    /// Record type mnemonic (`A`, `MX`, `TYPE65280`).
    pub rtype: String,
    /// Time to live, seconds.
    pub ttl: u32,
    /// Presentation form of the data.
    pub value: String,
    /// Typed fields.
    pub data: RecordData,
}

impl Answer {
    /// A record as read from the wire.
    pub fn from_rr(rr: &super::wire::Rr) -> Answer {
        Answer {
            name: rr.name.to_text(),
            name_unicode: rr.name.to_unicode(),
            rtype: super::present::type_name(rr.rtype).into_owned(),
            ttl: rr.ttl,
            value: rr.text.clone(),
            data: rr.data.clone(),
        }
    }
}
