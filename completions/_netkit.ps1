
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'netkit' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'netkit'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'netkit' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('pack', 'pack', [CompletionResultType]::ParameterValue, 'Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order')
            [CompletionResult]::new('services', 'services', [CompletionResultType]::ParameterValue, 'Look up service names and ports (getservbyname, getservbyport)')
            [CompletionResult]::new('proto', 'proto', [CompletionResultType]::ParameterValue, 'Look up IP protocol names and numbers (getprotobyname, getprotobynumber)')
            [CompletionResult]::new('mcast-send', 'mcast-send', [CompletionResultType]::ParameterValue, 'Send numbered datagrams (or a message) to a multicast group')
            [CompletionResult]::new('mcast-recv', 'mcast-recv', [CompletionResultType]::ParameterValue, 'Join a multicast group and count what arrives: loss, duplicates, reordering, delay')
            [CompletionResult]::new('echo-server', 'echo-server', [CompletionResultType]::ParameterValue, 'Serve TCP, UDP or Unix-socket echo, with limits, on one async process')
            [CompletionResult]::new('echo-client', 'echo-client', [CompletionResultType]::ParameterValue, 'Talk to an echo service: message, ping (RTT percentiles), throughput, load')
            [CompletionResult]::new('hostname', 'hostname', [CompletionResultType]::ParameterValue, 'This host''s name, its addresses, and its interfaces (gethostname)')
            [CompletionResult]::new('addrinfo', 'addrinfo', [CompletionResultType]::ParameterValue, 'The system''s getaddrinfo with every knob, shown as Python shows it')
            [CompletionResult]::new('lookup', 'lookup', [CompletionResultType]::ParameterValue, 'DNS look-ups: A/AAAA with the CNAME chain, any record type, dig-style answers')
            [CompletionResult]::new('fqdn', 'fqdn', [CompletionResultType]::ParameterValue, 'The fully qualified name of this host or of NAME (Python''s getfqdn)')
            [CompletionResult]::new('rdns', 'rdns', [CompletionResultType]::ParameterValue, 'Reverse look-ups of addresses and CIDR blocks, with forward confirmation')
            [CompletionResult]::new('portcheck', 'portcheck', [CompletionResultType]::ParameterValue, 'Is the port open? Scan ports and hosts, wait for services, check local binds')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'netkit;pack' {
            [CompletionResult]::new('--unpack', '--unpack', [CompletionResultType]::ParameterName, 'Packed bytes to turn back into an address: c0a80101, c0:a8:01:01, ''\xc0\xa8\x01\x01''')
            [CompletionResult]::new('--htons', '--htons', [CompletionResultType]::ParameterName, 'Host to network order, 16 bits (decimal or 0x hex)')
            [CompletionResult]::new('--htonl', '--htonl', [CompletionResultType]::ParameterName, 'Host to network order, 32 bits')
            [CompletionResult]::new('--htonll', '--htonll', [CompletionResultType]::ParameterName, 'Host to network order, 64 bits')
            [CompletionResult]::new('--ntohs', '--ntohs', [CompletionResultType]::ParameterName, 'Network to host order, 16 bits')
            [CompletionResult]::new('--ntohl', '--ntohl', [CompletionResultType]::ParameterName, 'Network to host order, 32 bits')
            [CompletionResult]::new('--ntohll', '--ntohll', [CompletionResultType]::ParameterName, 'Network to host order, 64 bits')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;services' {
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Only entries for this protocol')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Only entries for this protocol')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Read this file instead of the system one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List every entry')
            [CompletionResult]::new('--builtin', '--builtin', [CompletionResultType]::ParameterName, 'Use the table compiled into netkit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;proto' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Read this file instead of the system one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List every entry')
            [CompletionResult]::new('--builtin', '--builtin', [CompletionResultType]::ParameterName, 'Use the table compiled into netkit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;mcast-send' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Send through this interface (name, index or address): IP_MULTICAST_IF')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Send through this interface (name, index or address): IP_MULTICAST_IF')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'TTL (IPv4) or hop limit (IPv6); 0 keeps datagrams on this host')
            [CompletionResult]::new('--hops', '--hops', [CompletionResultType]::ParameterName, 'TTL (IPv4) or hop limit (IPv6); 0 keeps datagrams on this host')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Bind to this address (on lo use 127.0.0.1, or receivers see 0.0.0.0)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'How many datagrams')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many datagrams')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between datagrams; 0 sends back to back')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Datagrams per second')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Datagram size in bytes (at least 32, the header)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Send this text as raw bytes instead of netkit headers; - reads stdin')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--no-loop', '--no-loop', [CompletionResultType]::ParameterName, 'Do not loop datagrams back to receivers on this host')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'Loop datagrams back to receivers on this host (the default)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;mcast-recv' {
            [CompletionResult]::new('--prom-file', '--prom-file', [CompletionResultType]::ParameterName, 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter''s textfile collector')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Join on this interface (name, index or address); repeatable')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Join on this interface (name, index or address); repeatable')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Source-specific join: only datagrams from this sender (SSM)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after this many datagrams')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after this many datagrams')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long without data: before the first datagram too (default: wait for the first datagram however long it takes, then stop 10s after the last)')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'Exit 1 unless at least N datagrams arrive')
            [CompletionResult]::new('--max-loss', '--max-loss', [CompletionResultType]::ParameterName, 'Exit 1 when loss exceeds this percentage')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;echo-server' {
            [CompletionResult]::new('--unix', '--unix', [CompletionResultType]::ParameterName, 'Serve a Unix stream socket at PATH')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to bind; :: serves IPv6 and IPv4 (dual-stack)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port; 0 picks a free one (reported in the listening line)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port; 0 picks a free one (reported in the listening line)')
            [CompletionResult]::new('--max-conns', '--max-conns', [CompletionResultType]::ParameterName, 'Concurrent connections; more are accepted and closed at once')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close connections idle this long')
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Close a connection after echoing this many bytes (64K, 1G...)')
            [CompletionResult]::new('--max-duration', '--max-duration', [CompletionResultType]::ParameterName, 'Close a connection after this long')
            [CompletionResult]::new('--min-rate', '--min-rate', [CompletionResultType]::ParameterName, 'Under pressure (3/4 of --max-conns used), a connection older than 10 s (or half --idle-timeout) averaging fewer bytes per second than this makes way for a new client (0: never)')
            [CompletionResult]::new('--rcvbuf', '--rcvbuf', [CompletionResultType]::ParameterName, 'SO_RCVBUF')
            [CompletionResult]::new('--sndbuf', '--sndbuf', [CompletionResultType]::ParameterName, 'SO_SNDBUF')
            [CompletionResult]::new('--congestion', '--congestion', [CompletionResultType]::ParameterName, 'TCP congestion control: auto (reno when bound to a loopback address, where the system''s BBR reorders and retransmits; the system''s elsewhere), system, or an algorithm (reno, cubic, bbr...)')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'TCP keepalive after this much idle time')
            [CompletionResult]::new('--udp-rate', '--udp-rate', [CompletionResultType]::ParameterName, 'UDP datagrams per second answered per source address')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Only these clients (repeatable), both protocols')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'After SIGINT/SIGTERM, let live connections finish this long')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (default: one per core)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Serve TCP (the default when no protocol is named)')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Serve UDP')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Serve one client (one connection or datagram), then exit')
            [CompletionResult]::new('--reuseport', '--reuseport', [CompletionResultType]::ParameterName, 'SO_REUSEPORT, so several servers share the port')
            [CompletionResult]::new('--nodelay', '--nodelay', [CompletionResultType]::ParameterName, 'TCP_NODELAY on connections')
            [CompletionResult]::new('--allow-low-ports', '--allow-low-ports', [CompletionResultType]::ParameterName, 'Answer UDP from source ports below 1024 (a reflection hazard)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;echo-client' {
            [CompletionResult]::new('--prom-file', '--prom-file', [CompletionResultType]::ParameterName, 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter''s textfile collector')
            [CompletionResult]::new('--unix', '--unix', [CompletionResultType]::ParameterName, 'Use a Unix stream socket')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Connect through a SOCKS5 proxy: socks5://[user:pass@]host:port (socks5h: the proxy resolves)')
            [CompletionResult]::new('--congestion', '--congestion', [CompletionResultType]::ParameterName, 'TCP congestion control: auto (reno to a loopback address, where the system''s BBR reorders and retransmits; the system''s elsewhere), system, or an algorithm (reno, cubic, bbr...)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Ping mode: this many round trips')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Ping mode: this many round trips')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ping mode: time between requests; 0 = back to back (default 1s)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Ping mode: time between requests; 0 = back to back (default 1s)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Ping mode: bytes per request')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Ping mode: bytes per request')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Ping or throughput mode: stop after this long')
            [CompletionResult]::new('--bytes', '--bytes', [CompletionResultType]::ParameterName, 'Throughput mode: stream this many bytes (1G, 64M...) and verify them')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Load mode: this many concurrent connections')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Ping mode, open loop: send N requests per second on a fixed schedule and measure each from its intended send time (no coordinated omission)')
            [CompletionResult]::new('--max-rtt', '--max-rtt', [CompletionResultType]::ParameterName, 'Exit 1 when the average round trip exceeds MS milliseconds')
            [CompletionResult]::new('--max-p99', '--max-p99', [CompletionResultType]::ParameterName, 'Exit 1 when the 99th percentile round trip exceeds MS milliseconds')
            [CompletionResult]::new('--max-p999', '--max-p999', [CompletionResultType]::ParameterName, 'Exit 1 when the 99.9th percentile round trip exceeds MS milliseconds')
            [CompletionResult]::new('--max-loss', '--max-loss', [CompletionResultType]::ParameterName, 'Exit 1 when loss exceeds PCT percent')
            [CompletionResult]::new('--min-throughput', '--min-throughput', [CompletionResultType]::ParameterName, 'Exit 1 when throughput is below this many MB/s (10^6 bytes)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP (the default)')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Use UDP')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'IPv4 only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'IPv6 only')
            [CompletionResult]::new('--throughput', '--throughput', [CompletionResultType]::ParameterName, 'Throughput mode until --duration')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;hostname' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--addrs', '--addrs', [CompletionResultType]::ParameterName, 'Also the addresses the system resolves this host''s name to')
            [CompletionResult]::new('--interfaces', '--interfaces', [CompletionResultType]::ParameterName, 'Also every interface: index, flags, MTU, MAC, addresses')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;addrinfo' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The service: a port or a name (http)')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The service: a port or a name (http)')
            [CompletionResult]::new('--family', '--family', [CompletionResultType]::ParameterName, 'Only this family')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only this socket type')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Only this protocol')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Most the system resolver is waited for, per host (default 30s)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--canonname', '--canonname', [CompletionResultType]::ParameterName, 'AI_CANONNAME: report the canonical name')
            [CompletionResult]::new('--numeric-host', '--numeric-host', [CompletionResultType]::ParameterName, 'AI_NUMERICHOST: HOST must be an address literal')
            [CompletionResult]::new('--numeric-serv', '--numeric-serv', [CompletionResultType]::ParameterName, 'AI_NUMERICSERV: SERVICE must be a number')
            [CompletionResult]::new('--passive', '--passive', [CompletionResultType]::ParameterName, 'AI_PASSIVE: addresses to bind (wildcard when HOST is -)')
            [CompletionResult]::new('--addrconfig', '--addrconfig', [CompletionResultType]::ParameterName, 'AI_ADDRCONFIG: only families this host has addresses for')
            [CompletionResult]::new('--v4mapped', '--v4mapped', [CompletionResultType]::ParameterName, 'AI_V4MAPPED: IPv4 as ::ffff:a.b.c.d when asking for inet6')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'AI_ALL: with --v4mapped, IPv6 and mapped IPv4 both')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'A table instead of the Python-style blocks')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;lookup' {
            [CompletionResult]::new('--prom-file', '--prom-file', [CompletionResultType]::ParameterName, 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter''s textfile collector')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Record type (repeatable): A AAAA CNAME MX NS TXT SRV SOA PTR CAA HTTPS SVCB TLSA DS DNSKEY LOC URI ..., any IANA mnemonic, or TYPEnnn')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Record type (repeatable): A AAAA CNAME MX NS TXT SRV SOA PTR CAA HTTPS SVCB TLSA DS DNSKEY LOC URI ..., any IANA mnemonic, or TYPEnnn')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust anchors (PEM) for tls://, https:// and quic:// servers, instead of the system''s store')
            [CompletionResult]::new('--tls-name', '--tls-name', [CompletionResultType]::ParameterName, 'The name a tls://, https:// or quic:// server''s certificate must hold (else the server''s name as given, or its address)')
            [CompletionResult]::new('--root-hints', '--root-hints', [CompletionResultType]::ParameterName, 'Root servers for --trace (named.root format, or one address per line), instead of the built-in IANA roots')
            [CompletionResult]::new('--trust-anchor', '--trust-anchor', [CompletionResultType]::ParameterName, 'Trust anchors for --dnssec instead of the root''s: DS or DNSKEY records in zone-file form (dnssec-dsfromkey, a .key file)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Reverse look-up of ADDR, as dig -x: PTR for its in-addr.arpa or ip6.arpa name (repeatable); 1-3 octets (192.0.2) name the reverse zone, for -t NS or SOA. With -t PTR an address NAME is reversed too')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse look-up of ADDR, as dig -x: PTR for its in-addr.arpa or ip6.arpa name (repeatable); 1-3 octets (192.0.2) name the reverse zone, for -t NS or SOA. With -t PTR an address NAME is reversed too')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The class asked: IN (the default), CH (CHAOS: `CH TXT version.bind`, id.server, hostname.bind ask a server who it is), HS or CLASSn; as dig, also a word after the name (`version.bind TXT CH`). Plain look-ups only')
            [CompletionResult]::new('--class', '--class', [CompletionResultType]::ParameterName, 'The class asked: IN (the default), CH (CHAOS: `CH TXT version.bind`, id.server, hostname.bind ask a server who it is), HS or CLASSn; as dig, also a word after the name (`version.bind TXT CH`). Plain look-ups only')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask, as @SERVER (repeatable; one result per server)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per attempt (default: resolv.conf''s, else 2s); with --system, the most NSS is waited for (default 30s)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Extra attempts after a timeout (default: resolv.conf''s attempts - 1, else 1)')
            [CompletionResult]::new('--bufsize', '--bufsize', [CompletionResultType]::ParameterName, 'The EDNS UDP size asked for (default 1232), as dig +bufsize=N')
            [CompletionResult]::new('--subnet', '--subnet', [CompletionResultType]::ParameterName, 'Send a client subnet (ECS, RFC 7871): ADDR[/LEN], or 0 for "do not use my address"; the scope the server answered for is shown, as dig +subnet=ADDR/LEN')
            [CompletionResult]::new('--cookie', '--cookie', [CompletionResultType]::ParameterName, 'Send a DNS cookie (RFC 7873): a random client cookie, or HEX (client and server cookie); whether it came back good is shown, as dig +cookie[=HEX]')
            [CompletionResult]::new('--padding', '--padding', [CompletionResultType]::ParameterName, 'Pad the query to a multiple of N bytes (EDNS padding, RFC 7830; 1-512), as dig +padding=N')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port of the servers given without one, and of resolv.conf''s, as dig -p PORT')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the servers given without one, and of resolv.conf''s, as dig -p PORT')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Send queries from this local address (its family only), as dig -b ADDR (the port is the system''s)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Send queries from this local address (its family only), as dig -b ADDR (the port is the system''s)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name to look up as written, never read as a type or class (as dig -q; netkit''s -q is --quiet). Repeatable; so is every word after --')
            [CompletionResult]::new('--tsig-key', '--tsig-key', [CompletionResultType]::ParameterName, 'Sign a zone transfer (-t AXFR, -t IXFR=SERIAL) with the TSIG key in FILE, as BIND''s tsig-keygen writes it (key "NAME" { algorithm hmac-sha256; secret "..."; };)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Sign a zone transfer with this TSIG key, as dig -y: [ALG:]NAME:SECRET (ALG hmac-sha1, hmac-sha256 (the default), hmac-sha384, hmac-sha512; SECRET in base64)')
            [CompletionResult]::new('--tsig', '--tsig', [CompletionResultType]::ParameterName, 'Sign a zone transfer with this TSIG key, as dig -y: [ALG:]NAME:SECRET (ALG hmac-sha1, hmac-sha256 (the default), hmac-sha384, hmac-sha512; SECRET in base64)')
            [CompletionResult]::new('--xfr-deadline', '--xfr-deadline', [CompletionResultType]::ParameterName, 'A zone transfer ends by then, whatever its size (each message is also waited for at most --timeout, default 5s)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read names from FILE, one per line (- for stdin)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read names from FILE, one per line (- for stdin)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Look-ups in flight at once')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Resolve iteratively from the root, one line per server asked, as dig +trace: from the built-in roots, --root-hints FILE, or the root servers @SERVER names (as dig +trace @SERVER primes; @SERVER then also finds the addresses of name servers given without glue)')
            [CompletionResult]::new('--all-ns', '--all-ns', [CompletionResultType]::ParameterName, 'Ask every authoritative server of the name''s zone (found through @SERVER or resolv.conf) and report where answers or SOA serials differ')
            [CompletionResult]::new('--dnssec', '--dnssec', [CompletionResultType]::ParameterName, 'Validate answers with DNSSEC from a trust anchor (the root''s, built in): each is secure, insecure, bogus (exit 3) or indeterminate, with the link that failed. With --trace, each zone''s DNSKEY is checked against the DS its parent''s server gave on the way down')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Query plain servers over TCP only (tls:// and https:// are TCP already; not with quic://)')
            [CompletionResult]::new('--short', '--short', [CompletionResultType]::ParameterName, 'Values only, one per line')
            [CompletionResult]::new('--norec', '--norec', [CompletionResultType]::ParameterName, 'Do not ask for recursion (RD clear), as dig +norec')
            [CompletionResult]::new('--cd', '--cd', [CompletionResultType]::ParameterName, 'Set CD (checking disabled): a validating resolver hands over what fails its checks, as dig +cd')
            [CompletionResult]::new('--dnssec-ok', '--dnssec-ok', [CompletionResultType]::ParameterName, 'Set DO: the signatures come along and are shown, nothing is validated (that is --dnssec), as dig +dnssec')
            [CompletionResult]::new('--no-edns', '--no-edns', [CompletionResultType]::ParameterName, 'No EDNS (no OPT record: 512-byte UDP answers), as dig +noedns')
            [CompletionResult]::new('--adflag', '--adflag', [CompletionResultType]::ParameterName, 'Set AD in the query: a validating resolver says whether it validated the answer (flag ad), as dig +adflag (dig sets it by default, netkit only when asked)')
            [CompletionResult]::new('--nsid', '--nsid', [CompletionResultType]::ParameterName, 'Ask for the server''s identifier (NSID, RFC 5001), shown in the OPT pseudo-section, as dig +nsid')
            [CompletionResult]::new('--ttl-units', '--ttl-units', [CompletionResultType]::ParameterName, 'Show TTLs in units (1h30m, 2d), as dig +ttlunits')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Ask servers over IPv4 only (their IPv4 addresses; with --trace, the name servers of each level too), as dig -4')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Ask servers over IPv4 only (their IPv4 addresses; with --trace, the name servers of each level too), as dig -4')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Ask servers over IPv6 only, as dig -6')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Ask servers over IPv6 only, as dig -6')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Ask the system (NSS: /etc/hosts, nsswitch) instead of DNS: gethostbyname_ex')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;fqdn' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Most the system resolver is waited for, per name (default 30s)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;rdns' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server for --dns and --verify (repeatable: tried in order), as lookup''s @SERVER: an address or a name, optionally with a scheme')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per DNS attempt (--dns, default 2s); without --dns, the most the system resolver is waited for, per address (default 30s)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Look-ups in flight at once')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Ask the DNS for PTR records instead of the system''s gethostbyaddr')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Forward-confirm: each name must resolve back to the address')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;portcheck' {
            [CompletionResult]::new('--prom-file', '--prom-file', [CompletionResultType]::ParameterName, 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter''s textfile collector')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Ports: 22,http,8000-8100; - for all')
            [CompletionResult]::new('--ports', '--ports', [CompletionResultType]::ParameterName, 'Ports: 22,http,8000-8100; - for all')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Most a SYN waits for its answer; scans wait less once they have measured the host''s round trip')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Extra attempts for unanswered ports (default: adaptive, 1 and up to 5 as the host shows loss)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, '--wait on https:// and tls:// targets: trust these CA certificates (PEM) instead of the system''s')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, '--wait on http(s):// targets: the status that means ready (default: anything below 400)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Connections in flight (default: from the open-file limit, at most 4096)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Connections per second')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'The state every port should be in (open unless given). Given, or with one HOST:PORT (nc -z style) or --wait, the run is a check: exit 1 when a port is not in that state. A scan (several ports or hosts, or --open) that completes exits 0 and reports every state')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'How long --wait polls')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, '--path: probes per hop, each its own flow (its own source port, kept for every TTL)')
            [CompletionResult]::new('--max-hops', '--max-hops', [CompletionResultType]::ParameterName, '--path: the highest TTL probed')
            [CompletionResult]::new('--path-timeout', '--path-timeout', [CompletionResultType]::ParameterName, '--path: the most one probe is waited for (less once hops answer)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'With --local: these addresses (repeatable) instead of the defaults')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'IPv6 addresses only')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Show only open ports (the summary still counts every state)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, '--wait on https:// and tls:// targets: ready even when the certificate fails verification (self-signed, expired, wrong name)')
            [CompletionResult]::new('--banner', '--banner', [CompletionResultType]::ParameterName, 'Read what open services say first (bounded: 256 bytes, --timeout)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Poll until every port is in the expected state, or --deadline')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Check whether this host can bind the ports (TARGETs are port lists)')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'With --local: UDP instead of TCP; with --path: UDP probes')
            [CompletionResult]::new('--icmp', '--icmp', [CompletionResultType]::ParameterName, 'With --path: ICMP echo probes (ping sockets, where net.ipv4.ping_group_range allows them)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Trace the route with the connection''s own protocol and port (TCP SYNs with rising TTL, unprivileged) and say where the packets stop')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, '--path: no reverse names for the hops')
            [CompletionResult]::new('--numeric', '--numeric', [CompletionResultType]::ParameterName, '--path: no reverse names for the hops')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;diagnose' {
            [CompletionResult]::new('--prom-file', '--prom-file', [CompletionResultType]::ParameterName, 'Also write the result as Prometheus metrics to PATH (atomically), for node_exporter''s textfile collector')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bounds each phase')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust these CA certificates (PEM) instead of the system''s; a server certificate found in it as is is trusted too (as curl --cacert does)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Through a proxy: socks5://[user:pass@]host:port, socks5h:// (it resolves), http:// (CONNECT)')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, 'The HTTP status expected (default: anything below 400)')
            [CompletionResult]::new('--expect-body', '--expect-body', [CompletionResultType]::ParameterName, 'The start of the body (64 KiB) must match this regular expression')
            [CompletionResult]::new('--min-days', '--min-days', [CompletionResultType]::ParameterName, 'Fail when the certificate expires in fewer than N days')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, '--path: probes per hop, each its own flow (its own source port, kept for every TTL)')
            [CompletionResult]::new('--max-hops', '--max-hops', [CompletionResultType]::ParameterName, '--path: the highest TTL probed')
            [CompletionResult]::new('--path-timeout', '--path-timeout', [CompletionResultType]::ParameterName, '--path: the most one probe is waited for (less once hops answer)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour human output')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'IPv4 only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'IPv6 only')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'A TLS handshake even for HOST:PORT')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'An HTTP request even for HOST:PORT')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Go on past a certificate that fails verification (still reported)')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow redirects (at most 10), each hop timed')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Follow redirects (at most 10), each hop timed')
            [CompletionResult]::new('--probe-dns', '--probe-dns', [CompletionResultType]::ParameterName, 'Self-check: also query each nameserver')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Trace the route with the connection''s own protocol and port (TCP SYNs with rising TTL, unprivileged) and say where the packets stop')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, '--path: no reverse names for the hops')
            [CompletionResult]::new('--numeric', '--numeric', [CompletionResultType]::ParameterName, '--path: no reverse names for the hops')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON Lines: one object per result (see docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but summaries; for look-ups the exit status is the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'netkit;help' {
            [CompletionResult]::new('pack', 'pack', [CompletionResultType]::ParameterValue, 'Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order')
            [CompletionResult]::new('services', 'services', [CompletionResultType]::ParameterValue, 'Look up service names and ports (getservbyname, getservbyport)')
            [CompletionResult]::new('proto', 'proto', [CompletionResultType]::ParameterValue, 'Look up IP protocol names and numbers (getprotobyname, getprotobynumber)')
            [CompletionResult]::new('mcast-send', 'mcast-send', [CompletionResultType]::ParameterValue, 'Send numbered datagrams (or a message) to a multicast group')
            [CompletionResult]::new('mcast-recv', 'mcast-recv', [CompletionResultType]::ParameterValue, 'Join a multicast group and count what arrives: loss, duplicates, reordering, delay')
            [CompletionResult]::new('echo-server', 'echo-server', [CompletionResultType]::ParameterValue, 'Serve TCP, UDP or Unix-socket echo, with limits, on one async process')
            [CompletionResult]::new('echo-client', 'echo-client', [CompletionResultType]::ParameterValue, 'Talk to an echo service: message, ping (RTT percentiles), throughput, load')
            [CompletionResult]::new('hostname', 'hostname', [CompletionResultType]::ParameterValue, 'This host''s name, its addresses, and its interfaces (gethostname)')
            [CompletionResult]::new('addrinfo', 'addrinfo', [CompletionResultType]::ParameterValue, 'The system''s getaddrinfo with every knob, shown as Python shows it')
            [CompletionResult]::new('lookup', 'lookup', [CompletionResultType]::ParameterValue, 'DNS look-ups: A/AAAA with the CNAME chain, any record type, dig-style answers')
            [CompletionResult]::new('fqdn', 'fqdn', [CompletionResultType]::ParameterValue, 'The fully qualified name of this host or of NAME (Python''s getfqdn)')
            [CompletionResult]::new('rdns', 'rdns', [CompletionResultType]::ParameterValue, 'Reverse look-ups of addresses and CIDR blocks, with forward confirmation')
            [CompletionResult]::new('portcheck', 'portcheck', [CompletionResultType]::ParameterValue, 'Is the port open? Scan ports and hosts, wait for services, check local binds')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Take a connection apart: resolve, connect, TLS, HTTP, each timed; or check this host')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'netkit;help;pack' {
            break
        }
        'netkit;help;services' {
            break
        }
        'netkit;help;proto' {
            break
        }
        'netkit;help;mcast-send' {
            break
        }
        'netkit;help;mcast-recv' {
            break
        }
        'netkit;help;echo-server' {
            break
        }
        'netkit;help;echo-client' {
            break
        }
        'netkit;help;hostname' {
            break
        }
        'netkit;help;addrinfo' {
            break
        }
        'netkit;help;lookup' {
            break
        }
        'netkit;help;fqdn' {
            break
        }
        'netkit;help;rdns' {
            break
        }
        'netkit;help;portcheck' {
            break
        }
        'netkit;help;diagnose' {
            break
        }
        'netkit;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
