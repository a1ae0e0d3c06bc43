//! What reaches into netkit from outside the binary: the integration tests
//! (the limits checked against docs/limits.md, the generated assets, the
//! parsers compared with glibc and Python), the fuzz targets (every parser
//! and decoder of untrusted input) and the benches. Nothing else is public:
//! the modules are `pub(crate)`, so code that nothing uses is a warning.
//! The paths mirror the source's.

/// Generated assets: completions, man pages, docs/exit-codes.md, schemas.
pub mod assets {
    pub use crate::cli::assets::render_all;
}

/// The clap definition.
pub mod cli {
    pub use crate::cli::command;
}

/// The exit-code contract.
pub mod exit {
    pub use crate::exit::Exit;
}

/// OS glue the tests check (libm's pow and log2, as glibc's).
pub mod sys {
    pub use crate::sys::{log2, pow};
}

/// The stop mechanism's limits.
pub mod signal {
    pub use crate::signal::DEFAULT_GRACE;
}

/// TLS limits.
pub mod tls {
    pub use crate::tls::MAX_CA_FILE;
}

/// Durations, sizes and the like.
pub mod value {
    pub use crate::value::{
        parse_duration, parse_percent, parse_positive, parse_rate, parse_size, parse_timeout,
    };
}

/// Addresses, ports and the netdb files.
pub mod addr {
    pub use crate::addr::parse_host_port;

    /// Packing and unpacking addresses.
    pub mod pack {
        pub use crate::addr::pack::{
            AddrInteger, MAX_LINE, inet_aton, pack, parse_byte_text, parse_mac, unpack_bytes,
        };
    }
    /// Byte order.
    pub mod byteorder {
        pub use crate::addr::byteorder::{ByteOrderFn, convert};
    }
    /// CIDR blocks.
    pub mod cidr {
        pub use crate::addr::cidr::Cidr;
    }
    /// Port lists.
    pub mod ports {
        pub use crate::addr::ports::PortSpec;
    }
    /// HOST[:PORT].
    pub mod target {
        pub use crate::addr::target::{parse_name, parse_port};
    }
    /// The netdb files' lines.
    pub mod netdb {
        pub use crate::addr::netdb::{DbSource, MAX_DB_BYTES, fields, fields_into, lines};
    }
    /// /etc/services.
    pub mod services {
        pub use crate::addr::services::{BUILTIN, ServiceDb, ServiceQuery};
    }
    /// /etc/protocols.
    pub mod proto {
        pub use crate::addr::proto::{ProtoDb, ProtoQuery};
    }
}

/// DNS names, types, servers and messages.
pub mod dns {
    pub use crate::dns::{parse_name, parse_type};

    /// DNSSEC's bounds.
    pub mod dnssec {
        pub use crate::dns::dnssec::crypto::{
            MAX_KEYS_PER_SIG, MAX_SIGS_PER_SET, MAX_VERIFICATIONS,
        };
        pub use crate::dns::dnssec::key_tag;
    }
    /// `@SERVER`.
    pub mod server {
        pub use crate::dns::server::parse;
    }
    /// resolv.conf.
    pub mod system {
        pub use crate::dns::system::MAX_RESOLV_CONF;
    }
    /// Messages from the wire.
    pub mod wire {
        pub use crate::dns::wire::{Reply, WireName};
    }
    /// EDNS options: what a query asks, what an OPT record said.
    pub mod edns {
        pub use crate::dns::edns::{Cookie, Opt, QueryOptions, pseudo_section};
    }
    /// TSIG keys and the check of a transfer's messages.
    pub mod tsig {
        pub use crate::dns::tsig::{Algorithm, Key, Verifier};
    }
}

/// Probes: scans, waits, proxies, diagnose.
pub mod probe {
    /// Scan targets.
    pub mod scan {
        pub use crate::probe::scan::{MAX_ADDRESSES, parse_target};
    }
    /// `--path`.
    pub mod path {
        pub use crate::probe::path::{FLOOR, GAP, MOST_NAMES, NAME_WAIT, SCOUT_AFTER};
    }
    /// `--wait`.
    pub mod wait {
        pub use crate::probe::wait::MAX_WAIT_PROBES;
    }
    /// SOCKS5 and HTTP CONNECT.
    pub mod proxy {
        pub use crate::probe::proxy::{Dest, Proxy, handshake};
    }
    /// diagnose.
    pub mod diagnose {
        pub use crate::probe::diagnose::Target;

        /// Its HTTP exchange.
        pub mod http {
            pub use crate::probe::diagnose::http::{MAX_BODY_KEPT, MAX_HEAD, Stream, exchange};
        }
    }
}

/// Reverse look-ups.
pub mod resolve {
    /// Sweeps.
    pub mod rdns {
        pub use crate::resolve::rdns::{MAX_NAMES_KEPT, MAX_VERIFY_NAMES};
    }
}

/// Echo.
pub mod echo {
    /// The client.
    pub mod client {
        pub use crate::echo::client::MAX_MESSAGE;
    }
    /// The server.
    pub mod server {
        pub use crate::echo::server::{LOOP_RATE, SLOW_GRACE};
    }
}

/// Multicast.
pub mod mcast {
    pub use crate::mcast::{Header, McastTarget};

    /// The receiver.
    pub mod recv {
        pub use crate::mcast::recv::{MAX_GAPS, MAX_SENDERS, SEQ_WINDOW, SeqTracker};
    }
}

/// Command limits.
pub mod cmd {
    /// lookup.
    pub mod lookup {
        pub use crate::cmd::lookup::{BATCH_MAX_RECORDS, MAX_LINE};
    }
    /// echo-server.
    pub mod echo_server {
        pub use crate::cmd::echo_server::EVENT_QUEUE;
    }
}
