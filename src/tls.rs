//! TLS for every client netkit has (diagnose, `--wait` checks, DNS over
//! TLS, HTTPS and QUIC): the trust roots (`--ca-file` or the system's
//! store), one rustls client configuration whose WebPKI verifier records
//! its verdict and reason (and lets `--insecure` go on past a failure),
//! the failure vocabulary for verification errors, and x509-parser for
//! what the certificate says.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use serde::Serialize;

use crate::error::{NetkitError, Result};
use crate::exit::Reason;

/// The largest `--ca-file` read.
pub const MAX_CA_FILE: u64 = 4 << 20;

/// What the TLS handshake showed.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct TlsInfo {
    /// TLSv1.3, TLSv1.2.
    pub version: Option<String>,
    /// The cipher suite.
    pub cipher: Option<String>,
    /// The negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// The certificate's subject.
    pub subject: Option<String>,
    /// Its issuer.
    pub issuer: Option<String>,
    /// Its subject alternative names (`DNS:...`, `IP:...`).
    pub sans: Vec<String>,
    /// Not valid before, RFC 3339.
    pub not_before: Option<String>,
    /// Not valid after, RFC 3339.
    pub not_after: Option<String>,
    /// Days until expiry (negative: expired).
    pub days_left: Option<i64>,
    /// Not valid after, seconds since the epoch (for --prom-file).
    #[serde(skip)]
    #[schemars(skip)]
    pub not_after_unix: Option<i64>,
    /// Whether the chain verified for the host name.
    pub verified: bool,
    /// Why not, from the failure vocabulary (tls_expired, tls_wrong_host...).
    pub verify_error: Option<Reason>,
    /// The verifier's own words, when it failed.
    pub verify_detail: Option<String>,
}

/// Whether a certificate names itself as its issuer (what `openssl req
/// -x509` makes).
fn is_self_signed(der: &CertificateDer<'_>) -> bool {
    x509_parser::parse_x509_certificate(der.as_ref())
        .map(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
        .unwrap_or(false)
}

/// A certificate's issuer name, for messages.
fn issuer_of(der: &CertificateDer<'_>) -> Option<String> {
    x509_parser::parse_x509_certificate(der.as_ref())
        .ok()
        .map(|(_, c)| crate::sanitize::escape(&c.issuer().to_string()).into_owned())
}

/// The reason for a verification error. A self-signed certificate that is
/// not trusted is `tls_self_signed` whatever its basicConstraints (curl and
/// openssl say "self-signed certificate"); `tls_ca_used_as_leaf` is left
/// for a CA certificate issued by another CA.
pub fn verify_reason(e: &rustls::Error, end_entity: &CertificateDer<'_>) -> Reason {
    let self_signed = || is_self_signed(end_entity);
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                Reason::TlsExpired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                Reason::TlsNotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Reason::TlsWrongHost
            }
            CertificateError::UnknownIssuer if self_signed() => Reason::TlsSelfSigned,
            CertificateError::UnknownIssuer => Reason::TlsUnknownIssuer,
            CertificateError::Revoked => Reason::TlsRevoked,
            CertificateError::BadSignature => Reason::TlsBadSignature,
            CertificateError::Other(o) if format!("{o:?}").contains("CaUsedAsEndEntity") => {
                if self_signed() {
                    Reason::TlsSelfSigned
                } else {
                    Reason::TlsCaUsedAsLeaf
                }
            }
            _ => Reason::TlsBadCertificate,
        },
        _ => Reason::TlsHandshake,
    }
}

/// A verifier's error in words, without Rust's debug syntax (curl's and
/// openssl's words where users know them).
pub fn verify_words(e: &rustls::Error, end_entity: &CertificateDer<'_>) -> String {
    // " named X" when the certificate is at hand.
    let issuer = || {
        issuer_of(end_entity)
            .map(|i| format!(" named {i}"))
            .unwrap_or_default()
    };
    match (verify_reason(e, end_entity), e) {
        (Reason::TlsSelfSigned, rustls::Error::InvalidCertificate(CertificateError::Other(_))) => {
            "self-signed certificate, not trusted (it is also a CA certificate: basicConstraints CA:TRUE)".into()
        }
        (Reason::TlsSelfSigned, _) => "self-signed certificate, not trusted".into(),
        (Reason::TlsCaUsedAsLeaf, _) => {
            "the server's certificate is a CA certificate (CA:TRUE), which may not be used as a server's".into()
        }
        (Reason::TlsBadSignature, _) => format!(
            "the certificate is signed by a different key than the trusted CA{}",
            issuer()
        ),
        (Reason::TlsUnknownIssuer, _) => format!(
            "unable to get the local issuer certificate: no trusted CA{}",
            issuer()
        ),
        (_, rustls::Error::InvalidCertificate(CertificateError::Other(_))) => {
            "invalid certificate".into()
        }
        (
            _,
            rustls::Error::InvalidMessage(
                rustls::InvalidMessage::InvalidContentType
                | rustls::InvalidMessage::UnknownProtocolVersion,
            ),
        ) => "the server does not speak TLS (its first bytes are not a TLS record)".into(),
        (_, other) => other.to_string(),
    }
}

/// Records what the WebPKI verifier said, and lets `--insecure` go on.
/// A server certificate that is itself in `--ca-file` is trusted even when
/// it is a CA certificate (what `openssl req -x509` makes), as curl
/// `--cacert` and OpenSSL trust it: the name and the validity period are
/// still checked.
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    insecure: bool,
    /// The certificates of `--ca-file` (none for the system's store).
    pinned: Vec<CertificateDer<'static>>,
    /// The verdict (None: the handshake never got that far).
    pub result: Mutex<Option<std::result::Result<(), (Reason, String)>>>,
    /// The server's certificate.
    pub end_entity: Mutex<Option<CertificateDer<'static>>>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let mut r =
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        if let Err(e) = &r
            && matches!(
                verify_reason(e, end_entity),
                Reason::TlsCaUsedAsLeaf | Reason::TlsSelfSigned
            )
            && self
                .pinned
                .iter()
                .any(|p| p.as_ref() == end_entity.as_ref())
        {
            r = pinned(end_entity, server_name, now);
        }
        if let Ok(mut slot) = self.end_entity.lock() {
            *slot = Some(end_entity.clone().into_owned());
        }
        if let Ok(mut slot) = self.result.lock() {
            *slot = Some(
                r.as_ref()
                    .map(|_| ())
                    .map_err(|e| (verify_reason(e, end_entity), verify_words(e, end_entity))),
            );
        }
        match r {
            Err(_) if self.insecure => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(m, c, d)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(m, c, d)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A server certificate found as is in `--ca-file`: trusted if it names
/// the server and is valid now.
fn pinned(
    end_entity: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> std::result::Result<ServerCertVerified, rustls::Error> {
    let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
    rustls::client::verify_server_name(&parsed, server_name)?;
    let (_, cert) = x509_parser::parse_x509_certificate(end_entity.as_ref())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    if now < cert.validity().not_before.timestamp() {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYet,
        ));
    }
    if now > cert.validity().not_after.timestamp() {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(ServerCertVerified::assertion())
}

/// The trust store, and the certificates of `--ca-file` as read.
fn ca_certs(
    ca_file: Option<&Path>,
) -> Result<(rustls::RootCertStore, Vec<CertificateDer<'static>>)> {
    let mut store = rustls::RootCertStore::empty();
    let Some(path) = ca_file else {
        for c in rustls_native_certs::load_native_certs().certs {
            let _ = store.add(c);
        }
        return Ok((store, Vec::new()));
    };
    use rustls::pki_types::pem::PemObject;
    let shown = crate::sanitize::escape(&path.display().to_string()).into_owned();
    let data = crate::value::read_file_limited(path, MAX_CA_FILE, "--ca-file")?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&data)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| NetkitError::invalid(format!("--ca-file {shown}: {e}")))?;
    if certs.is_empty() {
        return Err(NetkitError::invalid(format!(
            "--ca-file {shown}: no PEM certificates"
        )));
    }
    for c in &certs {
        store
            .add(c.clone())
            .map_err(|e| NetkitError::invalid(format!("--ca-file {shown}: {e}")))?;
    }
    Ok((store, certs))
}

/// ALPN for a client that speaks HTTP/1.1 only (diagnose's request phase).
pub const ALPN_HTTP1: &[&[u8]] = &[b"http/1.1"];
/// ALPN offered when only the handshake matters (HTTP/2 first, as browsers).
pub const ALPN_ANY_HTTP: &[&[u8]] = &[b"h2", b"http/1.1"];

/// A client configuration whose verifier records its verdict, offering
/// `alpn`.
pub fn client_config(
    ca_file: Option<&Path>,
    insecure: bool,
    alpn: &[&[u8]],
) -> Result<(rustls::ClientConfig, Arc<RecordingVerifier>)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (store, pinned) = ca_certs(ca_file)?;
    let roots = Arc::new(store);
    let inner =
        rustls::client::WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&provider))
            .build()
            .map_err(|e| NetkitError::invalid(format!("TLS trust store: {e}")))?;
    let verifier = Arc::new(RecordingVerifier {
        inner,
        insecure,
        pinned,
        result: Mutex::new(None),
        end_entity: Mutex::new(None),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| NetkitError::invalid(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::clone(&verifier) as Arc<dyn ServerCertVerifier>)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok((config, verifier))
}

/// What the certificate says: subject, issuer, names, validity.
pub fn x509_details(der: &CertificateDer<'_>, info: &mut TlsInfo) {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der.as_ref()) else {
        return;
    };
    // Called again after the handshake: what it says replaces, not adds.
    info.sans.clear();
    info.subject = Some(cert.subject().to_string());
    info.issuer = Some(cert.issuer().to_string());
    let not_after = cert.validity().not_after.timestamp();
    info.not_before = Some(crate::output::json::rfc3339(
        cert.validity().not_before.timestamp(),
    ));
    info.not_after = Some(crate::output::json::rfc3339(not_after));
    info.not_after_unix = Some(not_after);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    info.days_left = Some((not_after - now).div_euclid(86_400));
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                x509_parser::extensions::GeneralName::DNSName(d) => {
                    info.sans.push(format!("DNS:{d}"))
                }
                x509_parser::extensions::GeneralName::IPAddress(b) => {
                    let ip = match b.len() {
                        4 => <[u8; 4]>::try_from(*b).ok().map(IpAddr::from),
                        16 => <[u8; 16]>::try_from(*b).ok().map(IpAddr::from),
                        _ => None,
                    };
                    if let Some(ip) = ip {
                        info.sans.push(format!("IP:{ip}"));
                    }
                }
                _ => {}
            }
        }
    }
}
