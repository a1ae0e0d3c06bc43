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
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s i -l interface -d 'Join on this interface (name, index or address); repeatable' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l source -d 'Source-specific join: only datagrams from this sender (SSM)' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -s c -l count -d 'Stop after this many datagrams' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l duration -d 'Stop after this long' -r
complete -c netkit -n "__fish_netkit_using_subcommand mcast-recv" -l timeout -d 'Stop after this long without data' -r
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
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv help" -f -a "pack" -d 'Pack and unpack addresses (inet_aton/inet_pton/ntop, MAC) and convert byte order'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv help" -f -a "services" -d 'Look up service names and ports (getservbyname, getservbyport)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv help" -f -a "proto" -d 'Look up IP protocol names and numbers (getprotobyname, getprotobynumber)'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv help" -f -a "mcast-send" -d 'Send numbered datagrams (or a message) to a multicast group'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv help" -f -a "mcast-recv" -d 'Join a multicast group and count what arrives: loss, duplicates, reordering, delay'
complete -c netkit -n "__fish_netkit_using_subcommand help; and not __fish_seen_subcommand_from pack services proto mcast-send mcast-recv help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
