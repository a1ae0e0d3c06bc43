
use builtin;
use str;

set edit:completion:arg-completer[netkit] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'netkit'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'netkit'= {
            cand --color 'When to colour human output'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand pack 'Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order'
            cand services 'Look up service names and ports (getservbyname, getservbyport)'
            cand proto 'Look up IP protocol names and numbers (getprotobyname, getprotobynumber)'
            cand mcast-send 'Send numbered datagrams (or a message) to a multicast group'
            cand mcast-recv 'Join a multicast group and count what arrives: loss, duplicates, reordering, delay'
            cand echo-server 'Serve TCP, UDP or Unix-socket echo, with limits, on one async process'
            cand echo-client 'Talk to an echo service: message, ping (RTT percentiles), throughput, load'
            cand hostname 'This host''s name, its addresses, and its interfaces (gethostname)'
            cand addrinfo 'The system''s getaddrinfo with every knob, shown as Python shows it'
            cand lookup 'DNS look-ups: A/AAAA with the CNAME chain, any record type, dig-style answers'
            cand fqdn 'The fully qualified name of this host or of NAME (Python''s getfqdn)'
            cand rdns 'Reverse look-ups of addresses and CIDR blocks, with forward confirmation'
            cand portcheck 'Is the port open? Scan ports and hosts, wait for services, check local binds'
            cand diagnose 'Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'netkit;pack'= {
            cand --unpack 'Packed bytes to turn back into an address: c0a80101, c0:a8:01:01, ''\xc0\xa8\x01\x01'''
            cand --htons 'Host to network order, 16 bits (decimal or 0x hex)'
            cand --htonl 'Host to network order, 32 bits'
            cand --htonll 'Host to network order, 64 bits'
            cand --ntohs 'Network to host order, 16 bits'
            cand --ntohl 'Network to host order, 32 bits'
            cand --ntohll 'Network to host order, 64 bits'
            cand --color 'When to colour human output'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;services'= {
            cand -P 'Only entries for this protocol'
            cand --proto 'Only entries for this protocol'
            cand --db 'Read this file instead of the system one'
            cand --color 'When to colour human output'
            cand --all 'List every entry'
            cand --builtin 'Use the table compiled into netkit'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;proto'= {
            cand --db 'Read this file instead of the system one'
            cand --color 'When to colour human output'
            cand --all 'List every entry'
            cand --builtin 'Use the table compiled into netkit'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;mcast-send'= {
            cand -i 'Send through this interface (name, index or address): IP_MULTICAST_IF'
            cand --interface 'Send through this interface (name, index or address): IP_MULTICAST_IF'
            cand --ttl 'TTL (IPv4) or hop limit (IPv6); 0 keeps datagrams on this host'
            cand --hops 'TTL (IPv4) or hop limit (IPv6); 0 keeps datagrams on this host'
            cand --source 'Bind to this address (on lo use 127.0.0.1, or receivers see 0.0.0.0)'
            cand -c 'How many datagrams'
            cand --count 'How many datagrams'
            cand --interval 'Time between datagrams; 0 sends back to back'
            cand --rate 'Datagrams per second'
            cand --size 'Datagram size in bytes (at least 32, the header)'
            cand --duration 'Stop after this long'
            cand --message 'Send this text as raw bytes instead of netkit headers; - reads stdin'
            cand --color 'When to colour human output'
            cand --no-loop 'Do not loop datagrams back to receivers on this host'
            cand --loop 'Loop datagrams back to receivers on this host (the default)'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;mcast-recv'= {
            cand -i 'Join on this interface (name, index or address); repeatable'
            cand --interface 'Join on this interface (name, index or address); repeatable'
            cand --source 'Source-specific join: only datagrams from this sender (SSM)'
            cand -c 'Stop after this many datagrams'
            cand --count 'Stop after this many datagrams'
            cand --duration 'Stop after this long'
            cand --timeout 'Stop after this long without data: before the first datagram too (default: wait for the first datagram however long it takes, then stop 10s after the last)'
            cand --expect 'Exit 1 unless at least N datagrams arrive'
            cand --max-loss 'Exit 1 when loss exceeds this percentage'
            cand --color 'When to colour human output'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;echo-server'= {
            cand --unix 'Serve a Unix stream socket at PATH'
            cand --bind 'Address to bind; :: serves IPv6 and IPv4 (dual-stack)'
            cand -p 'Port; 0 picks a free one (reported in the listening line)'
            cand --port 'Port; 0 picks a free one (reported in the listening line)'
            cand --max-conns 'Concurrent connections; more are accepted and closed at once'
            cand --idle-timeout 'Close connections idle this long'
            cand --max-bytes 'Close a connection after echoing this many bytes (64K, 1G...)'
            cand --max-duration 'Close a connection after this long'
            cand --min-rate 'Under pressure (3/4 of --max-conns used), a connection older than 10 s (or half --idle-timeout) averaging fewer bytes per second than this makes way for a new client (0: never)'
            cand --rcvbuf 'SO_RCVBUF'
            cand --sndbuf 'SO_SNDBUF'
            cand --keepalive 'TCP keepalive after this much idle time'
            cand --udp-rate 'UDP datagrams per second answered per source address'
            cand --allow 'Only these clients (repeatable), both protocols'
            cand --drain-timeout 'After SIGINT/SIGTERM, let live connections finish this long'
            cand --threads 'Worker threads (default: one per core)'
            cand --color 'When to colour human output'
            cand --tcp 'Serve TCP (the default when no protocol is named)'
            cand --udp 'Serve UDP'
            cand --once 'Serve one client (one connection or datagram), then exit'
            cand --reuseport 'SO_REUSEPORT, so several servers share the port'
            cand --nodelay 'TCP_NODELAY on connections'
            cand --allow-low-ports 'Answer UDP from source ports below 1024 (a reflection hazard)'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;echo-client'= {
            cand --unix 'Use a Unix stream socket'
            cand --timeout 'Connect and reply timeout'
            cand --proxy 'Connect through a SOCKS5 proxy: socks5://[user:pass@]host:port (socks5h: the proxy resolves)'
            cand -c 'Ping mode: this many round trips'
            cand --count 'Ping mode: this many round trips'
            cand -i 'Ping mode: time between requests; 0 = back to back (default 1s)'
            cand --interval 'Ping mode: time between requests; 0 = back to back (default 1s)'
            cand -s 'Ping mode: bytes per request'
            cand --size 'Ping mode: bytes per request'
            cand --duration 'Ping or throughput mode: stop after this long'
            cand --bytes 'Throughput mode: stream this many bytes (1G, 64M...) and verify them'
            cand --connections 'Load mode: this many concurrent connections'
            cand --rate 'Ping mode, open loop: send N requests per second on a fixed schedule and measure each from its intended send time (no coordinated omission)'
            cand --max-rtt 'Exit 1 when the average round trip exceeds MS milliseconds'
            cand --max-p99 'Exit 1 when the 99th percentile round trip exceeds MS milliseconds'
            cand --max-p999 'Exit 1 when the 99.9th percentile round trip exceeds MS milliseconds'
            cand --max-loss 'Exit 1 when loss exceeds PCT percent'
            cand --min-throughput 'Exit 1 when throughput is below this many MB/s (10^6 bytes)'
            cand --color 'When to colour human output'
            cand --tcp 'Use TCP (the default)'
            cand --udp 'Use UDP'
            cand -4 'IPv4 only'
            cand -6 'IPv6 only'
            cand --throughput 'Throughput mode until --duration'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;hostname'= {
            cand --color 'When to colour human output'
            cand --addrs 'Also the addresses the system resolves this host''s name to'
            cand --interfaces 'Also every interface: index, flags, MTU, MAC, addresses'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;addrinfo'= {
            cand -s 'The service: a port or a name (http)'
            cand --service 'The service: a port or a name (http)'
            cand --family 'Only this family'
            cand --type 'Only this socket type'
            cand --proto 'Only this protocol'
            cand --color 'When to colour human output'
            cand --canonname 'AI_CANONNAME: report the canonical name'
            cand --numeric-host 'AI_NUMERICHOST: HOST must be an address literal'
            cand --numeric-serv 'AI_NUMERICSERV: SERVICE must be a number'
            cand --passive 'AI_PASSIVE: addresses to bind (wildcard when HOST is -)'
            cand --addrconfig 'AI_ADDRCONFIG: only families this host has addresses for'
            cand --v4mapped 'AI_V4MAPPED: IPv4 as ::ffff:a.b.c.d when asking for inet6'
            cand --all 'AI_ALL: with --v4mapped, IPv6 and mapped IPv4 both'
            cand --table 'A table instead of the Python-style blocks'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;lookup'= {
            cand -t 'Record type (repeatable): A AAAA CNAME MX NS TXT SRV SOA PTR CAA HTTPS SVCB TLSA DS DNSKEY LOC URI ..., any IANA mnemonic, or TYPEnnn'
            cand --type 'Record type (repeatable): A AAAA CNAME MX NS TXT SRV SOA PTR CAA HTTPS SVCB TLSA DS DNSKEY LOC URI ..., any IANA mnemonic, or TYPEnnn'
            cand --ca-file 'Trust anchors (PEM) for tls:// servers, instead of the system''s store'
            cand --tls-name 'The name a tls:// server''s certificate must hold (else its address)'
            cand --root-hints 'Root servers for --trace (named.root format, or one address per line), instead of the built-in IANA roots'
            cand -x 'Reverse look-up of ADDR, as dig -x: PTR for its in-addr.arpa or ip6.arpa name (repeatable). With -t PTR an address NAME is reversed too'
            cand --reverse 'Reverse look-up of ADDR, as dig -x: PTR for its in-addr.arpa or ip6.arpa name (repeatable). With -t PTR an address NAME is reversed too'
            cand --server 'DNS server to ask (repeatable; one result per server)'
            cand --timeout 'Per attempt (default: resolv.conf''s, else 2s)'
            cand --retries 'Extra attempts after a timeout (default: resolv.conf''s attempts - 1, else 1)'
            cand -f 'Read names from FILE, one per line (- for stdin)'
            cand --file 'Read names from FILE, one per line (- for stdin)'
            cand --concurrency 'Look-ups in flight at once'
            cand --color 'When to colour human output'
            cand --trace 'Resolve iteratively from the root, one line per server asked, as dig +trace'
            cand --all-ns 'Ask every authoritative server of the name''s zone (found through @SERVER or resolv.conf) and report where answers or SOA serials differ'
            cand --tcp 'Query over TCP'
            cand --short 'Values only, one per line'
            cand --system 'Ask the system (NSS: /etc/hosts, nsswitch) instead of DNS: gethostbyname_ex'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;fqdn'= {
            cand --color 'When to colour human output'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;rdns'= {
            cand --server 'DNS server for --dns and --verify (repeatable: tried in order)'
            cand --timeout 'Per DNS attempt'
            cand --concurrency 'Look-ups in flight at once'
            cand --color 'When to colour human output'
            cand --dns 'Ask the DNS for PTR records instead of the system''s gethostbyaddr'
            cand --verify 'Forward-confirm: each name must resolve back to the address'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;portcheck'= {
            cand -p 'Ports: 22,http,8000-8100; - for all'
            cand --ports 'Ports: 22,http,8000-8100; - for all'
            cand --timeout 'Per connect'
            cand --retries 'Extra attempts for filtered or failed ports'
            cand --concurrency 'Connections in flight (default: from the open-file limit, at most 4096)'
            cand --rate 'Connections per second'
            cand --expect 'The state every port should be in'
            cand --deadline 'How long --wait polls'
            cand --bind 'With --local: these addresses (repeatable) instead of the defaults'
            cand --color 'When to colour human output'
            cand -4 'IPv4 addresses only'
            cand -6 'IPv6 addresses only'
            cand --banner 'Read what open services say first (bounded: 256 bytes, --timeout)'
            cand --wait 'Poll until every port is in the expected state, or --deadline'
            cand --local 'Check whether this host can bind the ports (TARGETs are port lists)'
            cand --udp 'With --local: UDP instead of TCP'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;diagnose'= {
            cand --timeout 'Bounds each phase'
            cand --ca-file 'Trust these CA certificates (PEM) instead of the system''s'
            cand --proxy 'Through a proxy: socks5://[user:pass@]host:port, socks5h:// (it resolves), http:// (CONNECT)'
            cand --expect-status 'The HTTP status expected (default: anything below 400)'
            cand --expect-body 'The start of the body (64 KiB) must match this regular expression'
            cand --min-days 'Fail when the certificate expires in fewer than N days'
            cand --color 'When to colour human output'
            cand -4 'IPv4 only'
            cand -6 'IPv6 only'
            cand --tls 'A TLS handshake even for HOST:PORT'
            cand --http 'An HTTP request even for HOST:PORT'
            cand --insecure 'Go on past a certificate that fails verification (still reported)'
            cand -L 'Follow redirects (at most 10), each hop timed'
            cand --location 'Follow redirects (at most 10), each hop timed'
            cand --probe-dns 'Self-check: also query each nameserver'
            cand --json 'Print JSON Lines: one object per result (see docs/json.md)'
            cand -q 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand --quiet 'Print nothing but summaries; for look-ups the exit status is the answer'
            cand -v 'Say more (repeatable)'
            cand --verbose 'Say more (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'netkit;help'= {
            cand pack 'Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order'
            cand services 'Look up service names and ports (getservbyname, getservbyport)'
            cand proto 'Look up IP protocol names and numbers (getprotobyname, getprotobynumber)'
            cand mcast-send 'Send numbered datagrams (or a message) to a multicast group'
            cand mcast-recv 'Join a multicast group and count what arrives: loss, duplicates, reordering, delay'
            cand echo-server 'Serve TCP, UDP or Unix-socket echo, with limits, on one async process'
            cand echo-client 'Talk to an echo service: message, ping (RTT percentiles), throughput, load'
            cand hostname 'This host''s name, its addresses, and its interfaces (gethostname)'
            cand addrinfo 'The system''s getaddrinfo with every knob, shown as Python shows it'
            cand lookup 'DNS look-ups: A/AAAA with the CNAME chain, any record type, dig-style answers'
            cand fqdn 'The fully qualified name of this host or of NAME (Python''s getfqdn)'
            cand rdns 'Reverse look-ups of addresses and CIDR blocks, with forward confirmation'
            cand portcheck 'Is the port open? Scan ports and hosts, wait for services, check local binds'
            cand diagnose 'Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'netkit;help;pack'= {
        }
        &'netkit;help;services'= {
        }
        &'netkit;help;proto'= {
        }
        &'netkit;help;mcast-send'= {
        }
        &'netkit;help;mcast-recv'= {
        }
        &'netkit;help;echo-server'= {
        }
        &'netkit;help;echo-client'= {
        }
        &'netkit;help;hostname'= {
        }
        &'netkit;help;addrinfo'= {
        }
        &'netkit;help;lookup'= {
        }
        &'netkit;help;fqdn'= {
        }
        &'netkit;help;rdns'= {
        }
        &'netkit;help;portcheck'= {
        }
        &'netkit;help;diagnose'= {
        }
        &'netkit;help;help'= {
        }
    ]
    $completions[$command]
}
