set -e
# A signed hierarchy on three servers, for `lookup --trace --dnssec`: the
# root on 127.0.0.2, test. on 127.0.0.3, its children on 127.0.0.4
# (example: signed; bad: the parent's DS is wrong; plain: no DS;
# tampered: an A changed after signing; far: an NS name without glue),
# each served by its own named, and
# unbound on 127.0.0.9 resolving from that root (for delv). Writes root.ds.
for a in 2 3 4 9; do ip addr add 127.0.0.$a/32 dev lo; done
soa='@ SOA ns hostmaster 1 3600 600 86400 60'
key() { dnssec-keygen -q -a ECDSAP256SHA256 ${2:+-f KSK} -n ZONE $1; }
sign() { f=${2:-$1}; dnssec-signzone -q -S -K . -O full -o $1 -f $f.signed $f.zone >/dev/null; }
for z in example bad tampered; do
  cat > $z.test.zone <<Z
\$ORIGIN $z.test.
\$TTL 300
$soa
@ NS ns
ns A 127.0.0.4
www A 192.0.2.1
Z
  key $z.test ksk >/dev/null; key $z.test >/dev/null; sign $z.test
done
sed -i 's/^\(www\.tampered\.test\..*IN A[[:space:]]*\)192\.0\.2\.1$/\1192.0.2.66/' tampered.test.signed
cat > plain.test.zone <<Z
\$ORIGIN plain.test.
\$TTL 300
$soa
@ NS ns
ns A 127.0.0.4
www A 192.0.2.3
srv A 127.0.0.4
Z
# far.test: its name server is srv.plain.test, in another zone, so the
# referral to it carries no glue.
cat > far.test.zone <<Z
\$ORIGIN far.test.
\$TTL 300
@ SOA srv.plain.test. hostmaster.far.test. 1 3600 600 86400 60
@ NS srv.plain.test.
www A 192.0.2.8
Z
cat > test.zone <<Z
\$ORIGIN test.
\$TTL 300
$soa
@ NS ns
ns A 127.0.0.3
Z
for z in example bad tampered plain; do
  echo "$z NS ns.$z" >> test.zone; echo "ns.$z A 127.0.0.4" >> test.zone
done
echo "far NS srv.plain.test." >> test.zone
for z in example bad tampered; do dnssec-dsfromkey -2 $(grep -l key-signing K$z.test.+*.key) >> test.zone; done
sed -i '/^bad.test.*DS/ s/[0-9A-F]\{8\}$/00000000/' test.zone
key test ksk >/dev/null; key test >/dev/null; sign test
cat > root.zone <<Z
\$ORIGIN .
\$TTL 300
$soa
@ NS a.root.
a.root. A 127.0.0.2
test. NS ns.test.
ns.test. A 127.0.0.3
Z
dnssec-dsfromkey -2 $(grep -l key-signing Ktest.+*.key) >> root.zone
sed -i 's/^@ SOA ns /@ SOA a.root. /' root.zone
key . ksk >/dev/null; key . >/dev/null; sign . root
dnssec-dsfromkey -2 $(grep -l key-signing K.+*.key) > root.ds
echo ". 3600000 NS a.root.
a.root. 3600000 A 127.0.0.2" > hints
d=$PWD
serve() { # address zone-and-file...
  a=$1; shift; mkdir -p n$a
  { echo "options { directory \"$d\"; listen-on port 53 { 127.0.0.$a; }; listen-on-v6 { none; }; pid-file \"$d/n$a/named.pid\"; session-keyfile \"$d/n$a/s.key\"; recursion no; dnssec-validation no; };"
    echo 'controls { };'
    for zf in "$@"; do echo "zone \"${zf%%:*}\" { type primary; file \"$d/${zf#*:}\"; };"; done
  } > n$a/named.conf
  named -g -c "$d/n$a/named.conf" > n$a/named.log 2>&1 &
}
serve 2 .:root.signed
serve 3 test:test.signed
serve 4 example.test:example.test.signed bad.test:bad.test.signed tampered.test:tampered.test.signed plain.test:plain.test.zone far.test:far.test.zone
for s in 2:. 3:test 4:example.test; do i=0; until dig +time=1 +tries=1 @127.0.0.${s%%:*} ${s#*:} SOA | grep -q NOERROR; do
  i=$((i+1)); [ $i -gt 200 ] && { echo "127.0.0.${s%%:*} never answered" >&2; cat n${s%%:*}/named.log >&2; exit 1; }; sleep 0.05; done; done
cat > unbound.conf <<U
server:
  interface: 127.0.0.9@53
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  use-syslog: no
  logfile: ""
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  module-config: "iterator"
  local-zone: "test." nodefault
  root-hints: "$d/hints"
remote-control:
  control-enable: no
U
unbound -d -c "$d/unbound.conf" > unbound.log 2>&1 &
i=0; until dig +time=1 +tries=1 @127.0.0.9 www.example.test A | grep -q NOERROR; do
  i=$((i+1)); [ $i -gt 100 ] && { echo 'unbound never answered' >&2; cat unbound.log >&2; exit 1; }; sleep 0.1; done
