//! SOCKS5 proxies: `socks5://[user:pass@]host:port` (netkit resolves the
//! target) and `socks5h://...` (the proxy resolves it).

use crate::error::{NetkitError, Result};

/// A SOCKS5 proxy to connect through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socks5Proxy {
    /// host:port of the proxy.
    pub address: String,
    /// Username and password (RFC 1929), if any.
    pub auth: Option<(String, String)>,
    /// True for socks5h: the proxy resolves names.
    pub remote_dns: bool,
}

impl std::str::FromStr for Socks5Proxy {
    type Err = NetkitError;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            NetkitError::invalid(format!(
                "invalid proxy '{}': {why}",
                crate::sanitize::escape(text)
            ))
        };
        let (remote_dns, rest) = if let Some(r) = text.strip_prefix("socks5h://") {
            (true, r)
        } else if let Some(r) = text.strip_prefix("socks5://") {
            (false, r)
        } else {
            return Err(bad(
                "expected socks5://[user:pass@]host:port or socks5h://...",
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((creds, hp)) => {
                let (user, pass) = creds
                    .split_once(':')
                    .ok_or_else(|| bad("credentials are user:pass"))?;
                if user.is_empty() || user.len() > 255 || pass.len() > 255 {
                    return Err(bad("user and password are 1-255 bytes"));
                }
                (Some((user.to_string(), pass.to_string())), hp)
            }
            None => (None, rest),
        };
        let (host, port) = hostport
            .rsplit_once(':')
            .ok_or_else(|| bad("missing :port"))?;
        if host.is_empty() {
            return Err(bad("missing host"));
        }
        port.parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("port must be 1-65535"))?;
        Ok(Socks5Proxy {
            address: hostport.to_string(),
            auth,
            remote_dns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p: Socks5Proxy = "socks5://127.0.0.1:1080".parse().unwrap();
        assert_eq!(
            (p.address.as_str(), p.auth.is_none(), p.remote_dns),
            ("127.0.0.1:1080", true, false)
        );
        let p: Socks5Proxy = "socks5h://u:p@[::1]:1080/".parse().unwrap();
        assert_eq!(
            (p.address.as_str(), p.auth, p.remote_dns),
            ("[::1]:1080", Some(("u".into(), "p".into())), true)
        );
        for bad in [
            "http://x:1",
            "socks5://x",
            "socks5://:1080",
            "socks5://x:0",
            "socks5://u@x:1",
            "socks5://x:99999",
        ] {
            assert!(bad.parse::<Socks5Proxy>().is_err(), "{bad}");
        }
    }
}
