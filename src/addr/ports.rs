//! The one port-list syntax every netkit command uses:
//! `22,http,8000-8100`, `-` (all of 1-65535), `-1024` (1-1024), `60000-`.

use crate::addr::services::ServiceDb;
use crate::error::{NetkitError, Result};

/// One comma-separated item of a port list, before names are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortItem {
    /// A single port.
    Port(u16),
    /// An inclusive range.
    Range(u16, u16),
    /// A service name, resolved against the services table.
    Name(String),
}

/// A parsed port list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// The items in the order given.
    pub items: Vec<PortItem>,
}

impl std::str::FromStr for PortSpec {
    type Err = NetkitError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: String| {
            NetkitError::invalid(format!(
                "invalid port list '{}': {why}",
                crate::sanitize::brief(text, 64)
            ))
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(bad("empty".into()));
        }
        let mut items = Vec::new();
        for raw in t.split(',') {
            let item = raw.trim();
            if item.is_empty() {
                return Err(bad("empty item between commas".into()));
            }
            items.push(parse_item(item).map_err(bad)?);
        }
        Ok(PortSpec { items })
    }
}

fn parse_port(text: &str) -> std::result::Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{}' is not a port number",
            crate::sanitize::escape(text)
        ));
    }
    match text.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        _ => Err(format!("port {text} is out of range 1-65535")),
    }
}

fn parse_item(item: &str) -> std::result::Result<PortItem, String> {
    if item == "-" {
        return Ok(PortItem::Range(1, 65535));
    }
    if let Some((lo, hi)) = item.split_once('-') {
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if all_digits(lo) && all_digits(hi) {
            let lo = if lo.is_empty() { 1 } else { parse_port(lo)? };
            let hi = if hi.is_empty() {
                65535
            } else {
                parse_port(hi)?
            };
            if lo > hi {
                return Err(format!("range {lo}-{hi} runs backwards"));
            }
            return Ok(if lo == hi {
                PortItem::Port(lo)
            } else {
                PortItem::Range(lo, hi)
            });
        }
    }
    if item.bytes().all(|b| b.is_ascii_digit()) {
        return parse_port(item).map(PortItem::Port);
    }
    let valid_name = item.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && item
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c));
    if !valid_name {
        return Err(format!(
            "'{}' is neither a port, a range nor a service name",
            crate::sanitize::escape(item)
        ));
    }
    Ok(PortItem::Name(item.to_string()))
}

impl PortSpec {
    /// The ports in the order given, names resolved for `protocol`, each
    /// port once (first occurrence kept).
    pub fn resolve(&self, db: &ServiceDb, protocol: &str) -> Result<Vec<u16>> {
        // One bit per port (8 KiB, not 64).
        let mut seen = [0u64; 1024];
        let mut out = Vec::new();
        let mut push = |p: u16, out: &mut Vec<u16>| {
            let (word, bit) = (usize::from(p / 64), 1u64 << (p % 64));
            if seen[word] & bit == 0 {
                seen[word] |= bit;
                out.push(p);
            }
        };
        for item in &self.items {
            match item {
                PortItem::Port(p) => push(*p, &mut out),
                PortItem::Range(lo, hi) => (*lo..=*hi).for_each(|p| push(p, &mut out)),
                PortItem::Name(name) => {
                    let port = db.port_of(name, Some(protocol)).ok_or_else(|| {
                        NetkitError::invalid(format!(
                            "unknown service '{name}' for {protocol} in {}",
                            db.source
                        ))
                    })?;
                    push(port, &mut out);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::netdb::DbSource;

    fn db() -> ServiceDb {
        ServiceDb::parse(
            "ssh 22/tcp\nhttp 80/tcp www\nhttp 80/udp\nsyslog 514/udp\n",
            DbSource::Builtin,
        )
    }

    #[test]
    fn accepted_lists() {
        let table: &[(&str, &[u16])] = &[
            ("22", &[22]),
            ("22,http,8000-8003", &[22, 80, 8000, 8001, 8002, 8003]),
            ("www, 22 ,22", &[80, 22]),
            ("65530-", &[65530, 65531, 65532, 65533, 65534, 65535]),
            ("-3", &[1, 2, 3]),
            ("7-7", &[7]),
        ];
        for (text, want) in table {
            let spec: PortSpec = text.parse().unwrap();
            assert_eq!(spec.resolve(&db(), "tcp").unwrap(), *want, "{text}");
        }
        let all: PortSpec = "-".parse().unwrap();
        assert_eq!(all.resolve(&db(), "tcp").unwrap().len(), 65535);
    }

    #[test]
    fn rejected_lists() {
        for text in [
            "", "0", "65536", "22,,23", "100-10", "1-2-3", "22;23", "-0", "http!", "1.5", "x y",
            "-65536", "1-99999",
        ] {
            assert!(
                text.parse::<PortSpec>().is_err(),
                "{text:?} should be rejected"
            );
        }
        let spec: PortSpec = "syslog".parse().unwrap();
        assert!(spec.resolve(&db(), "tcp").is_err());
        assert_eq!(spec.resolve(&db(), "udp").unwrap(), vec![514]);
    }
}
