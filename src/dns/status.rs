//! The outcome words of DNS results, as values the JSON Schema lists: a
//! look-up's [`DnsStatus`] (the rcode as dig names it, NODATA, a referral,
//! or the transport's failure), a trace step's [`StepOutcome`], and the
//! [`NameStatus`] of answers that may also come from NSS or end with a
//! failure reason.

use std::borrow::Cow;

use serde::Serialize;

use crate::exit::Reason;

/// A look-up's status: the rcode as dig names it (lower case), `nodata`
/// (NOERROR without the asked type), `referral` (NOERROR without an answer,
/// pointing elsewhere), `timeout` or `error` (no answer at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DnsStatus {
    /// NOERROR with data.
    Noerror,
    /// FORMERR.
    Formerr,
    /// SERVFAIL.
    Servfail,
    /// NXDOMAIN.
    Nxdomain,
    /// NOTIMP.
    Notimp,
    /// REFUSED.
    Refused,
    /// YXDOMAIN.
    Yxdomain,
    /// YXRRSET.
    Yxrrset,
    /// NXRRSET.
    Nxrrset,
    /// NOTAUTH.
    Notauth,
    /// NOTZONE.
    Notzone,
    /// DSOTYPENI.
    Dsotypeni,
    /// BADVERS (EDNS).
    Badvers,
    /// Any other rcode, `rcodeN`.
    Rcode(u16),
    /// NOERROR, but no record of the asked type.
    Nodata,
    /// NOERROR with no answer and a delegation in authority.
    Referral,
    /// No answer in time.
    Timeout,
    /// No answer: the transport failed.
    Error,
}

/// Every named status, in the order of [`DnsStatus`].
const NAMED: [DnsStatus; 17] = [
    DnsStatus::Noerror,
    DnsStatus::Formerr,
    DnsStatus::Servfail,
    DnsStatus::Nxdomain,
    DnsStatus::Notimp,
    DnsStatus::Refused,
    DnsStatus::Yxdomain,
    DnsStatus::Yxrrset,
    DnsStatus::Nxrrset,
    DnsStatus::Notauth,
    DnsStatus::Notzone,
    DnsStatus::Dsotypeni,
    DnsStatus::Badvers,
    DnsStatus::Nodata,
    DnsStatus::Referral,
    DnsStatus::Timeout,
    DnsStatus::Error,
];

impl DnsStatus {
    /// The status of an rcode.
    pub fn from_rcode(rcode: u16) -> DnsStatus {
        match rcode {
            0 => DnsStatus::Noerror,
            1 => DnsStatus::Formerr,
            2 => DnsStatus::Servfail,
            3 => DnsStatus::Nxdomain,
            4 => DnsStatus::Notimp,
            5 => DnsStatus::Refused,
            6 => DnsStatus::Yxdomain,
            7 => DnsStatus::Yxrrset,
            8 => DnsStatus::Nxrrset,
            9 => DnsStatus::Notauth,
            10 => DnsStatus::Notzone,
            11 => DnsStatus::Dsotypeni,
            16 => DnsStatus::Badvers,
            n => DnsStatus::Rcode(n),
        }
    }

    /// Its name in JSON (lower case).
    pub fn as_str(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            DnsStatus::Noerror => "noerror",
            DnsStatus::Formerr => "formerr",
            DnsStatus::Servfail => "servfail",
            DnsStatus::Nxdomain => "nxdomain",
            DnsStatus::Notimp => "notimp",
            DnsStatus::Refused => "refused",
            DnsStatus::Yxdomain => "yxdomain",
            DnsStatus::Yxrrset => "yxrrset",
            DnsStatus::Nxrrset => "nxrrset",
            DnsStatus::Notauth => "notauth",
            DnsStatus::Notzone => "notzone",
            DnsStatus::Dsotypeni => "dsotypeni",
            DnsStatus::Badvers => "badvers",
            DnsStatus::Rcode(n) => return Cow::Owned(format!("rcode{n}")),
            DnsStatus::Nodata => "nodata",
            DnsStatus::Referral => "referral",
            DnsStatus::Timeout => "timeout",
            DnsStatus::Error => "error",
        })
    }

    /// In capitals, as dig shows an rcode (`NXDOMAIN`).
    pub fn upper(self) -> String {
        self.as_str().to_ascii_uppercase()
    }

    /// The failure vocabulary's reason for it (None: an answer with data).
    pub fn reason(self) -> Option<Reason> {
        Some(match self {
            DnsStatus::Noerror => return None,
            DnsStatus::Nodata => Reason::Nodata,
            DnsStatus::Nxdomain => Reason::Nxdomain,
            DnsStatus::Referral => Reason::Referral,
            DnsStatus::Servfail => Reason::Servfail,
            DnsStatus::Refused => Reason::DnsRefused,
            DnsStatus::Formerr => Reason::Formerr,
            DnsStatus::Notimp => Reason::Notimp,
            DnsStatus::Timeout => Reason::Timeout,
            DnsStatus::Error => Reason::Network,
            _ => Reason::Rcode,
        })
    }

    /// Whether another server might answer better (a stub resolver moves
    /// on): no answer, SERVFAIL, REFUSED.
    pub fn try_elsewhere(self) -> bool {
        matches!(
            self,
            DnsStatus::Timeout | DnsStatus::Error | DnsStatus::Servfail | DnsStatus::Refused
        )
    }
}

impl std::fmt::Display for DnsStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl Serialize for DnsStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

impl schemars::JsonSchema for DnsStatus {
    fn schema_name() -> Cow<'static, str> {
        "DnsStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<String> = NAMED.iter().map(|s| s.as_str().into_owned()).collect();
        schemars::json_schema!({
            "description": "The rcode as dig names it (lower case; rcodeN for one without a name), nodata, referral, timeout or error",
            "anyOf": [
                {"type": "string", "enum": names},
                {"type": "string", "pattern": "^rcode[0-9]+$"}
            ]
        })
    }
}

/// What a `--trace` step found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Walk {
    /// Sent further down.
    Referral,
    /// The answer.
    Answer,
    /// A referral that leads nowhere (not below the zone asked).
    BadReferral,
}

/// A `--trace` step's outcome: where it went, the server's rcode, or why
/// the server could not be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum StepOutcome {
    /// Referral, answer, bad referral.
    Walk(Walk),
    /// The server's status (nxdomain, nodata, servfail...).
    Dns(DnsStatus),
    /// The query failed (timeout, refused...).
    Failed(Reason),
}

/// "found", the word of NSS and gethostbyaddr answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// The name (or address) was found.
    Found,
}

/// The status of an answer that may come from NSS, from DNS, or not at
/// all: `found`, a DNS status, or a failure reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum NameStatus {
    /// Found (NSS, gethostbyaddr, or a DNS answer with data).
    Found(Found),
    /// A DNS status.
    Dns(DnsStatus),
    /// Why there is no answer.
    Failed(Reason),
}

impl NameStatus {
    /// `found`.
    pub const FOUND: NameStatus = NameStatus::Found(Found::Found);

    /// Whether this is the plain "no such name" (NXDOMAIN, or NSS's not
    /// found).
    pub fn is_no_such_name(self) -> bool {
        matches!(
            self,
            NameStatus::Dns(DnsStatus::Nxdomain) | NameStatus::Failed(Reason::NotFound)
        )
    }
}

impl std::fmt::Display for NameStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameStatus::Found(_) => f.write_str("found"),
            NameStatus::Dns(s) => s.fmt(f),
            NameStatus::Failed(r) => r.fmt(f),
        }
    }
}

impl std::fmt::Display for StepOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepOutcome::Walk(Walk::Referral) => f.write_str("referral"),
            StepOutcome::Walk(Walk::Answer) => f.write_str("answer"),
            StepOutcome::Walk(Walk::BadReferral) => f.write_str("bad_referral"),
            StepOutcome::Dns(s) => s.fmt(f),
            StepOutcome::Failed(r) => r.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_reasons() {
        assert_eq!(DnsStatus::from_rcode(3).as_str(), "nxdomain");
        assert_eq!(DnsStatus::from_rcode(6).as_str(), "yxdomain");
        assert_eq!(DnsStatus::from_rcode(12).as_str(), "rcode12");
        assert_eq!(DnsStatus::from_rcode(16), DnsStatus::Badvers);
        assert_eq!(DnsStatus::Nxdomain.reason(), Some(Reason::Nxdomain));
        assert_eq!(
            DnsStatus::Servfail.reason().map(Reason::exit),
            Some(crate::exit::Exit::Resolve)
        );
        assert_eq!(DnsStatus::Noerror.reason(), None);
        assert_eq!(DnsStatus::Rcode(12).reason(), Some(Reason::Rcode));
        for (i, s) in NAMED.iter().enumerate() {
            // Every named status is told apart from the others, and none
            // takes the rcodeN form.
            assert!(!s.as_str().starts_with("rcode"));
            assert!(NAMED[..i].iter().all(|o| o.as_str() != s.as_str()));
        }
        assert_eq!(
            serde_json::to_string(&NameStatus::FOUND).unwrap(),
            "\"found\""
        );
        assert_eq!(
            serde_json::to_string(&StepOutcome::Walk(Walk::BadReferral)).unwrap(),
            "\"bad_referral\""
        );
        assert_eq!(
            serde_json::to_string(&NameStatus::Failed(Reason::NotFound)).unwrap(),
            "\"not_found\""
        );
    }
}
