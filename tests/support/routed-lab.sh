# The routed lab for path tests and benches/path-lab.sh: sourced by sh
# (see tests/support/routed.rs). Needs root in its own namespaces.
set -e
sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
sysctl -qw net.ipv4.ping_group_range="0 2147483647"
nk_mkns() {
  unshare --net sh -c "echo \$\$ > $1.pid; exec sleep 600" &
  while [ ! -s $1.pid ]; do sleep 0.01; done
  nk_in $1 ip link set lo up
  nk_in $1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 net.ipv4.ip_forward=1 \
    net.ipv6.conf.all.forwarding=1
}
nk_in() { n=$1; shift; if [ "$n" = c ]; then "$@"; else nsenter -t "$(cat $n.pid)" -n "$@"; fi; }
nk_link() { # NS-A IF-A NS-B IF-B NET4 NET6
  ip link add $2 type veth peer name $4
  [ "$1" = c ] || ip link set $2 netns "$(cat $1.pid)"
  ip link set $4 netns "$(cat $3.pid)"
  nk_in $1 ip addr add $5.1/24 dev $2; nk_in $1 ip addr add $6::1/64 dev $2; nk_in $1 ip link set $2 up
  nk_in $3 ip addr add $5.2/24 dev $4; nk_in $3 ip addr add $6::2/64 dev $4; nk_in $3 ip link set $4 up
}
for n in r1 r2 r3 srv; do nk_mkns $n; done
nk_link c c0 r1 r1a 10.0.1 2001:db8:1
nk_link r1 r1b r2 r2a 10.0.2 2001:db8:2
nk_link r2 r2b r3 r3a 10.0.3 2001:db8:3
nk_link r3 r3b srv s0 10.0.4 2001:db8:4
ip route add default via 10.0.1.2; ip -6 route add default via 2001:db8:1::2
nk_in r1 ip route add default via 10.0.2.2; nk_in r1 ip -6 route add default via 2001:db8:2::2
nk_in r2 ip route add default via 10.0.3.2; nk_in r2 ip route add 10.0.1.0/24 via 10.0.2.1
nk_in r2 ip -6 route add default via 2001:db8:3::2; nk_in r2 ip -6 route add 2001:db8:1::/64 via 2001:db8:2::1
nk_in r3 ip route add default via 10.0.3.1; nk_in r3 ip -6 route add default via 2001:db8:3::1
nk_in srv ip route add default via 10.0.4.1; nk_in srv ip -6 route add default via 2001:db8:4::1
nk_nft() { n=$1; shift; nk_in $n nft "$@"; }
lab_ecmp() {
  nk_mkns r2b
  nk_link r1 r1c r2b r2ba 10.0.5 2001:db8:5
  nk_link r2b r2bb r3 r3c 10.0.6 2001:db8:6
  nk_in r2b ip route add default via 10.0.6.2; nk_in r2b ip route add 10.0.1.0/24 via 10.0.5.1
  nk_in r1 ip route replace default nexthop via 10.0.2.2 nexthop via 10.0.5.2
  # Hash on the 5-tuple of the packet itself: policy 1 would use the hash
  # the client's socket left on the skb (veth keeps it), a lab artefact.
  nk_in r1 sysctl -qw net.ipv4.fib_multipath_hash_policy=3 net.ipv4.fib_multipath_hash_fields=0x37
  # r3 answers from the address the probe came in on: the path shows.
  nk_in r3 sysctl -qw net.ipv4.icmp_errors_use_inbound_ifaddr=1
}
# A TCP listener on the server: nk_listen PORT.
nk_listen() { nk_in srv python3 -c "
import socket,time
s=socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(('::',$1)); s.listen(64); open('listen.$1','w').close(); time.sleep(120)" &
  while [ ! -e listen.$1 ]; do sleep 0.01; done; }
# Milliseconds since the epoch.
nk_ms() { echo $(( $(date +%s%N) / 1000000 )); }
set +e
