//! A routed lab for path tests, inside the sandbox: the sandbox itself is
//! the client, and four network namespaces of its own (unshare'd
//! processes, entered with nsenter; no `ip netns`, so nothing is written
//! under the host's /run) are r1, r2, r3 and the server:
//!
//! ```text
//! client c0 --- r1 --- r2 --- r3 --- srv
//!   10.0.1.0/24  .2.0   .3.0   .4.0        (2001:db8:N::/64 alike)
//! ```
//!
//! Each link's left side is `.1` (`::1`), its right `.2` (`::2`); the
//! server is 10.0.4.2 and 2001:db8:4::2. Forwarding is on in the routers
//! and ICMP rate limits are off everywhere. `nk_in NS CMD...` runs a
//! command in a namespace; `lab_ecmp` adds r2b (r1 - r2b - r3 over
//! 10.0.5.0/24 and 10.0.6.0/24) as r1's second next hop.

/// The shell that builds the lab (prefix a test's own lines with it);
/// benches/path-lab.sh sources the same file.
pub const LAB: &str = include_str!("routed-lab.sh");
