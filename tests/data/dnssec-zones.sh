set -e
# Signed zones under test. and a signed root, built with BIND's tools, served
# by named on 127.0.0.1:53 (inside the test's namespace). Writes anchor.ds
# (the DS of test.) and root.ds (the DS of .).
soa='@ SOA ns.test. hostmaster.test. 1 3600 600 86400 60'
child() { # name
cat > $1.zone <<Z
\$ORIGIN $1.test.
\$TTL 300
$soa
@ NS ns.test.
www A 192.0.2.1
www TXT "hello"
alias CNAME www
*.wild A 192.0.2.9
deep.sub A 192.0.2.7
Z
}
key() { # zone alg [ksk] (published and active since 2019: the expired zone signs in 2020)
  dnssec-keygen -q -a $2 ${3:+-f KSK} -P 20190101000000 -A 20190101000000 -n ZONE $1
}
for z in example rsa ed expired badds tampered sha1 revoked ttl; do child $z; done
# example: a DNAME to sub.example.test: names under it are synthesised.
echo 'dname DNAME sub.example.test.' >> example.zone
# and a CNAME out of the zone, to another one named serves (it does not
# follow it there: the chain leaves the answer).
echo 'out CNAME www.rsa.test.' >> example.zone
key example.test ECDSAP256SHA256 ksk >/dev/null; key example.test ECDSAP256SHA256 >/dev/null
key rsa.test RSASHA256 ksk >/dev/null; key rsa.test RSASHA256 >/dev/null
key ed.test ED25519 ksk >/dev/null; key ed.test ED25519 >/dev/null
for z in expired badds tampered sha1 ttl; do key $z.test ECDSAP256SHA256 ksk >/dev/null; key $z.test ECDSAP256SHA256 >/dev/null; done
# revoked: the KSK the parent's DS names is revoked (RFC 5011) and signs
# the keys with its REVOKE bit set.
rvksk=$(key revoked.test ECDSAP256SHA256 ksk); key revoked.test ECDSAP256SHA256 >/dev/null
# (a second KSK, that no DS names, so the zone can still be signed)
key revoked.test ECDSAP256SHA256 ksk >/dev/null
cp $rvksk.key revoked-ksk.key
dnssec-revoke -r $rvksk.key >/dev/null
key test ECDSAP256SHA256 ksk > /dev/null; key test ECDSAP256SHA256 >/dev/null
signz() { z=$1; shift; dnssec-signzone -q -S -K . -o $z.test "$@" -f $z.signed $z.zone >/dev/null; }
# example: ECDSA P-256 with NSEC; rsa: RSASHA256 with NSEC3; ed: Ed25519;
# expired: signatures of January 2020; badds: the parent's DS digest is
# wrong; tampered: the A record changed after signing.
signz example
signz rsa -3 - -H 0
signz ed
signz expired -P -s 20200101000000 -e 20200201000000
signz badds
signz tampered
sed -i 's/192\.0\.2\.1$/192.0.2.66/' tampered.signed
# sha1: the parent has a right SHA-1 DS and a wrong SHA-256 one (RFC 4509
# 3: with SHA-256 there, SHA-1 is ignored: bogus).
signz sha1
signz revoked
# ttl: www's A served with a TTL of 3000 though signed with 300.
signz ttl
sed -i 's/^www\.ttl\.test\.\([[:space:]]*\)300\([[:space:]]*IN[[:space:]]*A[[:space:]]\)/www.ttl.test.\13000\2/' ttl.signed
cat > test.zone <<Z
\$ORIGIN test.
\$TTL 300
$soa
@ NS ns
ns A 127.0.0.1
unsigned NS ns.unsigned
ns.unsigned A 127.0.0.1
Z
# iter: NSEC3 with 200 iterations, which BIND's signer refuses: Knot
# signs it (RFC 9276: a validator may take more than 150 as insecure).
mkdir -p knot
cat > knot/knot.conf <<K
server:
    listen: 127.0.0.1@5399
    rundir: $PWD/knot
database:
    storage: $PWD/knot
policy:
  - id: it
    algorithm: ecdsap256sha256
    nsec3: on
    nsec3-iterations: 200
    nsec3-salt-length: 0
zone:
  - domain: iter.test
    file: $PWD/iter.signed
    dnssec-signing: on
    dnssec-policy: it
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
K
child iter; cp iter.zone iter.signed
knotd -c knot/knot.conf > knot/knot.log 2>&1 &
i=0; until knotc -c knot/knot.conf zone-status iter.test 2>/dev/null | grep -q 're-sign: +'; do
  i=$((i+1)); [ $i -gt 200 ] && { echo "knot never signed iter.test" >&2; cat knot/knot.log >&2; exit 1; }; sleep 0.05; done
knotc -c knot/knot.conf -f zone-flush iter.test >/dev/null
i=0; until grep -q NSEC3PARAM iter.signed; do i=$((i+1)); [ $i -gt 200 ] && exit 1; sleep 0.05; done
echo "iter NS ns.test." >> test.zone
keymgr -c knot/knot.conf iter.test ds | grep ' 2 ' >> test.zone
knotc -c knot/knot.conf stop >/dev/null
for z in example rsa ed expired badds tampered sha1 ttl; do
  echo "$z NS ns.test." >> test.zone
  dnssec-dsfromkey -2 $(grep -l 'key-signing' K$z.test.+*.key | head -1) >> test.zone
done
echo "revoked NS ns.test." >> test.zone
dnssec-dsfromkey -2 revoked-ksk.key >> test.zone
dnssec-dsfromkey -1 $(grep -l 'key-signing' Ksha1.test.+*.key | head -1) >> test.zone
sed -i '/^sha1.test.*DS.* 2 [0-9A-F]*$/ s/[0-9A-F]\{8\}$/00000000/' test.zone
# badds: the DS digest of another key
sed -i '/^badds.test.*DS/ s/[0-9A-F]\{8\}$/00000000/' test.zone
cat > unsigned.zone <<Z
\$ORIGIN unsigned.test.
\$TTL 300
$soa
@ NS ns.test.
www A 192.0.2.3
Z
dnssec-signzone -q -S -K . -o test -f test.signed test.zone >/dev/null
dnssec-dsfromkey -2 $(grep -l 'key-signing' Ktest.+*.key | head -1) > anchor.ds
# A signed root above test.: the whole chain from ".".
cat > root.zone <<Z
\$ORIGIN .
\$TTL 300
@ SOA ns.test. hostmaster.test. 1 3600 600 86400 60
@ NS ns.test.
test. NS ns.test.
ns.test. A 127.0.0.1
Z
cat anchor.ds >> root.zone
key . ECDSAP256SHA256 ksk >/dev/null; key . ECDSAP256SHA256 >/dev/null
dnssec-signzone -q -S -K . -o . -f root.signed root.zone >/dev/null
dnssec-dsfromkey -2 $(grep -l 'key-signing' K.+*.key | head -1) > root.ds
# Named serves them all on 127.0.0.1:53.
d=$PWD
{ echo "options { directory \"$d\"; listen-on port 53 { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"$d/named.pid\"; session-keyfile \"$d/s.key\"; recursion no; dnssec-validation no; };"
  echo 'controls { };'
  echo "zone \".\" { type primary; file \"$d/root.signed\"; };"
  echo "zone \"test\" { type primary; file \"$d/test.signed\"; };"
  echo "zone \"unsigned.test\" { type primary; file \"$d/unsigned.zone\"; };"
  for z in example rsa ed expired badds tampered sha1 revoked ttl iter; do echo "zone \"$z.test\" { type primary; file \"$d/$z.signed\"; };"; done
} > named.conf
named -g -c "$d/named.conf" > named.log 2>&1 &
i=0; until dig +time=1 +tries=1 @127.0.0.1 test SOA >/dev/null; do i=$((i+1)); [ $i -gt 200 ] && { echo "named never answered" >&2; exit 1; }; sleep 0.05; done
