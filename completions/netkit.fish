# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_netkit_global_optspecs
    string join \n json color= q/quiet v/verbose h/help V/version
end

function __fish_netkit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_netkit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_netkit_using_subcommand
    set -l cmd (__fish_netkit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c netkit -n "__fish_netkit_needs_command" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_needs_command" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_needs_command" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_needs_command" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_needs_command" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "pack" -d 'Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "services" -d 'Look up service names and ports (getservbyname, getservbyport)'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "proto" -d 'Look up IP protocol names and numbers (getprotobyname, getprotobynumber)'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "mcast-send" -d 'Send numbered datagrams (or a message) to a multicast group'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "mcast-recv" -d 'Join a multicast group and count what arrives: loss, duplicates, reordering, delay'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "echo-server" -d 'Serve TCP, UDP or Unix-socket echo, with limits, on one async process'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "echo-client" -d 'Talk to an echo service: message, ping (RTT percentiles), throughput, load'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "hostname" -d 'This host\'s name, its addresses, and its interfaces (gethostname)'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "addrinfo" -d 'The system\'s getaddrinfo with every knob, shown as Python shows it'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "lookup" -d 'DNS look-ups: A/AAAA with the CNAME chain, any record type, dig-style answers'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "fqdn" -d 'The fully qualified name of this host or of NAME (Python\'s getfqdn)'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "rdns" -d 'Reverse look-ups of addresses and CIDR blocks, with forward confirmation'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "portcheck" -d 'Is the port open? Scan ports and hosts, wait for services, check local binds'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "diagnose" -d 'Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host'
complete -c netkit -n "__fish_netkit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l unpack -d 'Packed bytes to turn back into an address: c0a80101, c0:a8:01:01, \'\\xc0\\xa8\\x01\\x01\'' -r
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l htons -d 'Host to network order, 16 bits (decimal or 0x hex)' -r
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l htonl -d 'Host to network order, 32 bits' -r
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l htonll -d 'Host to network order, 64 bits' -r
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l ntohs -d 'Network to host order, 16 bits' -r
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l ntohl -d 'Network to host order, 32 bits' -r
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l ntohll -d 'Network to host order, 64 bits' -r
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand pack" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand pack" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand pack" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand pack" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand pack" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand services" -s P -l proto -d 'Only entries for this protocol' -r -f -a "tcp\t'TCP'
udp\t'UDP'
sctp\t'SCTP'"
complete -c netkit -n "__fish_netkit_using_subcommand services" -l db -d 'Read this file instead of the system one' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand services" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand services" -l all -d 'List every entry'
complete -c netkit -n "__fish_netkit_using_subcommand services" -l builtin -d 'Use the table compiled into netkit'
complete -c netkit -n "__fish_netkit_using_subcommand services" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand services" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand services" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand services" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand services" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand proto" -l db -d 'Read this file instead of the system one' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand proto" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand proto" -l all -d 'List every entry'
complete -c netkit -n "__fish_netkit_using_subcommand proto" -l builtin -d 'Use the table compiled into netkit'
complete -c netkit -n "__fish_netkit_using_subcommand proto" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand proto" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand proto" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand proto" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand proto" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -s i -l interface -d 'Send through this interface (name, index or address): IP_MULTICAST_IF' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l ttl -l hops -d 'TTL (IPv4) or hop limit (IPv6); 0 keeps datagrams on this host' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l source -d 'Bind to this address (on lo use 127.0.0.1, or receivers see 0.0.0.0)' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -s c -l count -d 'How many datagrams' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l interval -d 'Time between datagrams; 0 sends back to back' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l rate -d 'Datagrams per second' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l size -d 'Datagram size in bytes (at least 32, the header)' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l duration -d 'Stop after this long' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l message -d 'Send this text as raw bytes instead of netkit headers; - reads stdin' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l no-loop -d 'Do not loop datagrams back to receivers on this host'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l loop -d 'Loop datagrams back to receivers on this host (the default)'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-send" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l prom-file -d 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s i -l interface -d 'Join on this interface (name, index or address); repeatable' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l source -d 'Source-specific join: only datagrams from this sender (SSM)' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s c -l count -d 'Stop after this many datagrams' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l duration -d 'Stop after this long' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l timeout -d 'Stop after this long without data: before the first datagram too (default: wait for the first datagram however long it takes, then stop 10s after the last)' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l expect -d 'Exit 1 unless at least N datagrams arrive' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l max-loss -d 'Exit 1 when loss exceeds this percentage' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l unix -d 'Serve a Unix stream socket at PATH' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l bind -d 'Address to bind; :: serves IPv6 and IPv4 (dual-stack)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -s p -l port -d 'Port; 0 picks a free one (reported in the listening line)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l max-conns -d 'Concurrent connections; more are accepted and closed at once' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l idle-timeout -d 'Close connections idle this long' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l max-bytes -d 'Close a connection after echoing this many bytes (64K, 1G...)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l max-duration -d 'Close a connection after this long' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l min-rate -d 'Under pressure (3/4 of --max-conns used), a connection older than 10 s (or half --idle-timeout) averaging fewer bytes per second than this makes way for a new client (0: never)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l rcvbuf -d 'SO_RCVBUF' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l sndbuf -d 'SO_SNDBUF' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l congestion -d 'TCP congestion control: auto (reno when bound to a loopback address, where the system\'s BBR reorders and retransmits; the system\'s elsewhere), system, or an algorithm (reno, cubic, bbr...)' -r -f -a "auto\t''
system\t''
reno\t''
cubic\t''
bbr\t''
htcp\t''
vegas\t''
westwood\t''"
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l keepalive -d 'TCP keepalive after this much idle time' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l udp-rate -d 'UDP datagrams per second answered per source address' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l allow -d 'Only these clients (repeatable), both protocols' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l drain-timeout -d 'After SIGINT/SIGTERM, let live connections finish this long' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l threads -d 'Worker threads (default: one per core)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l tcp -d 'Serve TCP (the default when no protocol is named)'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l udp -d 'Serve UDP'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l once -d 'Serve one client (one connection or datagram), then exit'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l reuseport -d 'SO_REUSEPORT, so several servers share the port'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l nodelay -d 'TCP_NODELAY on connections'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l allow-low-ports -d 'Answer UDP from source ports below 1024 (a reflection hazard)'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand echo-server" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l prom-file -d 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l unix -d 'Use a Unix stream socket' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l timeout -d 'Connect and reply timeout' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l proxy -d 'Connect through a SOCKS5 proxy: socks5://[user:pass@]host:port (socks5h: the proxy resolves)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l congestion -d 'TCP congestion control: auto (reno to a loopback address, where the system\'s BBR reorders and retransmits; the system\'s elsewhere), system, or an algorithm (reno, cubic, bbr...)' -r -f -a "auto\t''
system\t''
reno\t''
cubic\t''
bbr\t''
htcp\t''
vegas\t''
westwood\t''"
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s c -l count -d 'Ping mode: this many round trips' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s i -l interval -d 'Ping mode: time between requests; 0 = back to back (default 1s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s s -l size -d 'Ping mode: bytes per request' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l duration -d 'Ping or throughput mode: stop after this long' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l bytes -d 'Throughput mode: stream this many bytes (1G, 64M...) and verify them' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l connections -d 'Load mode: this many concurrent connections' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l rate -d 'Ping mode, open loop: send N requests per second on a fixed schedule and measure each from its intended send time (no coordinated omission)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l max-rtt -d 'Exit 1 when the average round trip exceeds MS milliseconds' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l max-p99 -d 'Exit 1 when the 99th percentile round trip exceeds MS milliseconds' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l max-p999 -d 'Exit 1 when the 99.9th percentile round trip exceeds MS milliseconds' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l max-loss -d 'Exit 1 when loss exceeds PCT percent' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l min-throughput -d 'Exit 1 when throughput is below this many MB/s (10^6 bytes)' -r
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l tcp -d 'Use TCP (the default)'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l udp -d 'Use UDP'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s 4 -d 'IPv4 only'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s 6 -d 'IPv6 only'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l throughput -d 'Throughput mode until --duration'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand echo-client" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -l addrs -d 'Also the addresses the system resolves this host\'s name to'
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -l interfaces -d 'Also every interface: index, flags, MTU, MAC, addresses'
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand hostname" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -s s -l service -d 'The service: a port or a name (http)' -r
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l family -d 'Only this family' -r -f -a "inet\t'AF_INET'
inet6\t'AF_INET6'"
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l type -d 'Only this socket type' -r -f -a "stream\t'SOCK_STREAM'
dgram\t'SOCK_DGRAM'
raw\t'SOCK_RAW'"
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l proto -d 'Only this protocol' -r -f -a "tcp\t'IPPROTO_TCP'
udp\t'IPPROTO_UDP'"
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l timeout -d 'Most the system resolver is waited for, per host (default 30s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l canonname -d 'AI_CANONNAME: report the canonical name'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l numeric-host -d 'AI_NUMERICHOST: HOST must be an address literal'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l numeric-serv -d 'AI_NUMERICSERV: SERVICE must be a number'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l passive -d 'AI_PASSIVE: addresses to bind (wildcard when HOST is -)'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l addrconfig -d 'AI_ADDRCONFIG: only families this host has addresses for'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l v4mapped -d 'AI_V4MAPPED: IPv4 as ::ffff:a.b.c.d when asking for inet6'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l all -d 'AI_ALL: with --v4mapped, IPv6 and mapped IPv4 both'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l table -d 'A table instead of the Python-style blocks'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand addrinfo" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l prom-file -d 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s t -l type -d 'Record type (repeatable): A AAAA CNAME MX NS TXT SRV SOA PTR CAA HTTPS SVCB TLSA DS DNSKEY LOC URI ..., any IANA mnemonic, or TYPEnnn' -r -f -a "A\t''
AAAA\t''
ANY\t''
CAA\t''
CNAME\t''
DNAME\t''
DNSKEY\t''
DS\t''
HTTPS\t''
LOC\t''
MX\t''
NAPTR\t''
NS\t''
NSEC\t''
NSEC3\t''
NSEC3PARAM\t''
OPENPGPKEY\t''
PTR\t''
RRSIG\t''
SOA\t''
SPF\t''
SRV\t''
SSHFP\t''
SVCB\t''
TLSA\t''
TXT\t''
URI\t''"
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l ca-file -d 'Trust anchors (PEM) for tls://, https:// and quic:// servers, instead of the system\'s store' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l tls-name -d 'The name a tls://, https:// or quic:// server\'s certificate must hold (else the server\'s name as given, or its address)' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l root-hints -d 'Root servers for --trace (named.root format, or one address per line), instead of the built-in IANA roots' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l trust-anchor -d 'Trust anchors for --dnssec instead of the root\'s: DS or DNSKEY records in zone-file form (dnssec-dsfromkey, a .key file)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s x -l reverse -d 'Reverse look-up of ADDR, as dig -x: PTR for its in-addr.arpa or ip6.arpa name (repeatable); 1-3 octets (192.0.2) name the reverse zone, for -t NS or SOA. With -t PTR an address NAME is reversed too' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s c -l class -d 'The class asked: IN (the default), CH (CHAOS: `CH TXT version.bind`, id.server, hostname.bind ask a server who it is), HS or CLASSn; as dig, also a word after the name (`version.bind TXT CH`). Plain look-ups only' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l server -d 'DNS server to ask, as @SERVER (repeatable; one result per server)' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l timeout -d 'Per attempt (default: resolv.conf\'s, else 2s); with --system, the most NSS is waited for (default 30s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l retries -d 'Extra attempts after a timeout (default: resolv.conf\'s attempts - 1, else 1)' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l bufsize -d 'The EDNS UDP size asked for (default 1232), as dig +bufsize=N' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l subnet -d 'Send a client subnet (ECS, RFC 7871): ADDR[/LEN], or 0 for "do not use my address"; the scope the server answered for is shown, as dig +subnet=ADDR/LEN' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l cookie -d 'Send a DNS cookie (RFC 7873): a random client cookie, or HEX (client and server cookie); whether it came back good is shown, as dig +cookie[=HEX]' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l padding -d 'Pad the query to a multiple of N bytes (EDNS padding, RFC 7830; 1-512), as dig +padding=N' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s p -l port -d 'Port of the servers given without one, and of resolv.conf\'s, as dig -p PORT' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s b -l source -d 'Send queries from this local address (its family only), as dig -b ADDR (the port is the system\'s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l name -d 'A name to look up as written, never read as a type or class (as dig -q; netkit\'s -q is --quiet). Repeatable; so is every word after --' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l tsig-key -d 'Sign a zone transfer (-t AXFR, -t IXFR=SERIAL) with the TSIG key in FILE, as BIND\'s tsig-keygen writes it (key "NAME" { algorithm hmac-sha256; secret "..."; };)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s y -l tsig -d 'Sign a zone transfer with this TSIG key, as dig -y: [ALG:]NAME:SECRET (ALG hmac-sha1, hmac-sha256 (the default), hmac-sha384, hmac-sha512; SECRET in base64)' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l xfr-deadline -d 'A zone transfer ends by then, whatever its size (each message is also waited for at most --timeout, default 5s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s f -l file -d 'Read names from FILE, one per line (- for stdin)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l concurrency -d 'Look-ups in flight at once' -r
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l trace -d 'Resolve iteratively from the root, one line per server asked, as dig +trace: from the built-in roots, --root-hints FILE, or the root servers @SERVER names (as dig +trace @SERVER primes; @SERVER then also finds the addresses of name servers given without glue)'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l all-ns -d 'Ask every authoritative server of the name\'s zone (found through @SERVER or resolv.conf) and report where answers or SOA serials differ'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l dnssec -d 'Validate answers with DNSSEC from a trust anchor (the root\'s, built in): each is secure, insecure, bogus (exit 3) or indeterminate, with the link that failed. With --trace, each zone\'s DNSKEY is checked against the DS its parent\'s server gave on the way down'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l tcp -d 'Query plain servers over TCP only (tls:// and https:// are TCP already; not with quic://)'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l short -d 'Values only, one per line'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l norec -d 'Do not ask for recursion (RD clear), as dig +norec'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l cd -d 'Set CD (checking disabled): a validating resolver hands over what fails its checks, as dig +cd'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l dnssec-ok -d 'Set DO: the signatures come along and are shown, nothing is validated (that is --dnssec), as dig +dnssec'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l no-edns -d 'No EDNS (no OPT record: 512-byte UDP answers), as dig +noedns'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l adflag -d 'Set AD in the query: a validating resolver says whether it validated the answer (flag ad), as dig +adflag (dig sets it by default, netkit only when asked)'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l nsid -d 'Ask for the server\'s identifier (NSID, RFC 5001), shown in the OPT pseudo-section, as dig +nsid'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l ttl-units -d 'Show TTLs in units (1h30m, 2d), as dig +ttlunits'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s 4 -l ipv4 -d 'Ask servers over IPv4 only (their IPv4 addresses; with --trace, the name servers of each level too), as dig -4'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s 6 -l ipv6 -d 'Ask servers over IPv6 only, as dig -6'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l system -d 'Ask the system (NSS: /etc/hosts, nsswitch) instead of DNS: gethostbyname_ex'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand lookup" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand fqdn" -l timeout -d 'Most the system resolver is waited for, per name (default 30s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand fqdn" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand fqdn" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand fqdn" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand fqdn" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand fqdn" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand fqdn" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -l server -d 'DNS server for --dns and --verify (repeatable: tried in order), as lookup\'s @SERVER: an address or a name, optionally with a scheme' -r
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -l timeout -d 'Per DNS attempt (--dns, default 2s); without --dns, the most the system resolver is waited for, per address (default 30s)' -r
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -l concurrency -d 'Look-ups in flight at once' -r
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -l dns -d 'Ask the DNS for PTR records instead of the system\'s gethostbyaddr'
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -l verify -d 'Forward-confirm: each name must resolve back to the address'
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand rdns" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l prom-file -d 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s p -l ports -d 'Ports: 22,http,8000-8100; - for all' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l timeout -d 'Most a SYN waits for its answer; scans wait less once they have measured the host\'s round trip' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l retries -d 'Extra attempts for unanswered ports (default: adaptive, 1 and up to 5 as the host shows loss)' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l ca-file -d '--wait on https:// and tls:// targets: trust these CA certificates (PEM) instead of the system\'s' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l expect-status -d '--wait on http(s):// targets: the status that means ready (default: anything below 400)' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l concurrency -d 'Connections in flight (default: from the open-file limit, at most 4096)' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l rate -d 'Connections per second' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l expect -d 'The state every port should be in (open unless given). Given, or with one HOST:PORT (nc -z style) or --wait, the run is a check: exit 1 when a port is not in that state. A scan (several ports or hosts, or --open) that completes exits 0 and reports every state' -r -f -a "open\t'Every port open'
closed\t'Every port closed (refused)'"
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l deadline -d 'How long --wait polls' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l count -d '--path: probes per hop, each its own flow (its own source port, kept for every TTL)' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l max-hops -d '--path: the highest TTL probed' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l path-timeout -d '--path: the most one probe is waited for (less once hops answer)' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l bind -d 'With --local: these addresses (repeatable) instead of the defaults' -r
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s 4 -d 'IPv4 addresses only'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s 6 -d 'IPv6 addresses only'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l open -d 'Show only open ports (the summary still counts every state)'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l insecure -d '--wait on https:// and tls:// targets: ready even when the certificate fails verification (self-signed, expired, wrong name)'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l banner -d 'Read what open services say first (bounded: 256 bytes, --timeout)'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l wait -d 'Poll until every port is in the expected state, or --deadline'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l local -d 'Check whether this host can bind the ports (TARGETs are port lists)'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l udp -d 'With --local: UDP instead of TCP; with --path: UDP probes'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l icmp -d 'With --path: ICMP echo probes (ping sockets, where net.ipv4.ping_group_range allows them)'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l path -d 'Trace the route with the connection\'s own protocol and port (TCP SYNs with rising TTL, unprivileged) and say where the packets stop'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s n -l numeric -d '--path: no reverse names for the hops'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand portcheck" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l prom-file -d 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l timeout -d 'Bounds each phase' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l ca-file -d 'Trust these CA certificates (PEM) instead of the system\'s; a server certificate found in it as is is trusted too (as curl --cacert does)' -r -F
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l proxy -d 'Through a proxy: socks5://[user:pass@]host:port, socks5h:// (it resolves), http:// (CONNECT)' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l expect-status -d 'The HTTP status expected (default: anything below 400)' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l expect-body -d 'The start of the body (64 KiB) must match this regular expression' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l min-days -d 'Fail when the certificate expires in fewer than N days' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l count -d '--path: probes per hop, each its own flow (its own source port, kept for every TTL)' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l max-hops -d '--path: the highest TTL probed' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l path-timeout -d '--path: the most one probe is waited for (less once hops answer)' -r
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l color -d 'When to colour human output' -r -f -a "auto\t'Colour when stdout is a terminal and the environment allows it'
always\t'Always colour'
never\t'Never colour'"
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s 4 -d 'IPv4 only'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s 6 -d 'IPv6 only'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l tls -d 'A TLS handshake even for HOST:PORT'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l http -d 'An HTTP request even for HOST:PORT'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l insecure -d 'Go on past a certificate that fails verification (still reported)'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s L -l location -d 'Follow redirects (at most 10), each hop timed'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l probe-dns -d 'Self-check: also query each nameserver'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l path -d 'Trace the route with the connection\'s own protocol and port (TCP SYNs with rising TTL, unprivileged) and say where the packets stop'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s n -l numeric -d '--path: no reverse names for the hops'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -l json -d 'Print JSON Lines: one object per result (see docs/json.md)'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s q -l quiet -d 'Print nothing but summaries; for look-ups the exit status is the answer'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s v -l verbose -d 'Say more (repeatable)'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netkit -n "__fish_netkit_using_subcommand diagnose" -s V -l version -d 'Print version'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "pack" -d 'Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "services" -d 'Look up service names and ports (getservbyname, getservbyport)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "proto" -d 'Look up IP protocol names and numbers (getprotobyname, getprotobynumber)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "mcast-send" -d 'Send numbered datagrams (or a message) to a multicast group'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "mcast-recv" -d 'Join a multicast group and count what arrives: loss, duplicates, reordering, delay'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "echo-server" -d 'Serve TCP, UDP or Unix-socket echo, with limits, on one async process'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "echo-client" -d 'Talk to an echo service: message, ping (RTT percentiles), throughput, load'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "hostname" -d 'This host\'s name, its addresses, and its interfaces (gethostname)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "addrinfo" -d 'The system\'s getaddrinfo with every knob, shown as Python shows it'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "lookup" -d 'DNS look-ups: A/AAAA with the CNAME chain, any record type, dig-style answers'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "fqdn" -d 'The fully qualified name of this host or of NAME (Python\'s getfqdn)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "rdns" -d 'Reverse look-ups of addresses and CIDR blocks, with forward confirmation'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "portcheck" -d 'Is the port open? Scan ports and hosts, wait for services, check local binds'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "diagnose" -d 'Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv echo-server echo-client hostname addrinfo lookup fqdn rdns portcheck diagnose help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
